package com.qoder.kafka.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.Await;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.qoder.kafka.api.FakeQoderServer.Received;
import com.qoder.kafka.api.FakeQoderServer.Reply;
import com.qoder.kafka.config.ConfigLoader;
import com.qoder.kafka.config.Secret;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.runtime.ClientOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * Issue 12, defect 4, at the client: the instance's budget holds in every one-second window of what
 * the server sees, and a {@code Retry-After} is honoured up to {@code qoder.retry-after-max}.
 */
class PoliteClientTest {

  static final String SID = "sess_019e392c0d1e74e095d21ea4c6b41def";

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private Logger clientLog;

  @BeforeEach
  void captureLogs() {
    clientLog = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(QoderApiClient.class);
    logs.start();
    clientLog.addAppender(logs);
  }

  @AfterEach
  void closeAll() throws Exception {
    clientLog.detachAppender(logs);
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private FakeQoderServer server(java.util.function.Function<Received, Reply> script) {
    FakeQoderServer s = new FakeQoderServer(script);
    toClose.add(s);
    return s;
  }

  /** The client as {@code run} builds it from its configuration. */
  private QoderApiClient configured(FakeQoderServer server, Map<String, String> extra, ApiMetrics metrics) {
    Map<String, String> settings = new HashMap<>(Map.of(
        Settings.QODER_BASE_URL.key(), server.baseUrl(),
        Settings.QODER_TOKEN.key(), "qpat_polite_client_test"));
    settings.putAll(extra);
    QoderApiClient c = QoderApiClient.create(ClientOptions.api(ConfigLoader.load(null, Map.of(), settings)), metrics);
    toClose.add(c);
    return c;
  }

  static String emptyPage() {
    return "{\"data\":[],\"first_id\":null,\"last_id\":null,\"has_more\":false}";
  }

  static long maxPerSecond(List<Long> sortedNanos) {
    return RequestRates.maxPerSecond(sortedNanos);
  }

  /**
   * Before the fix the budget was a token bucket holding one second of requests: a full bucket
   * plus one second of refill let through twice the budget in one second (40 at 20/s).
   */
  @Test
  void theInstanceNeverExceedsItsBudgetInAnyOneSecondWindow() {
    FakeQoderServer server = server(r -> Reply.json(emptyPage()));
    int rate = 20;
    QoderApiClient client = QoderApiClient.create(QoderApiOptions.builder(server.baseUrl(), Secret.of("t"))
        .maxRequestsPerSecond(rate).maxConcurrentRequests(50).build());
    toClose.add(client);
    int n = 50;
    Flux.range(0, n).flatMap(i -> client.eventsAfter(SID, "evt_" + i, 10), n).blockLast(Duration.ofSeconds(20));
    List<Long> times = server.received().stream().map(Received::atNanos).sorted().toList();
    assertThat(times).hasSize(n);
    System.out.printf("budget %d/s: at most %d requests in one second%n", rate, maxPerSecond(times));
    assertThat(maxPerSecond(times)).as("requests in one second at a budget of %d/s", rate).isLessThanOrEqualTo(rate);
  }

  /**
   * Before the fix a {@code Retry-After: 86400} was obeyed as is: the request (and the whole
   * instance's budget) waited a day.
   */
  @Test
  void aHugeRetryAfterIsCappedAtTheDefaultMaximumAndWarnedOnce() {
    FakeQoderServer server = server(r -> Reply.error(429, "rate_limit_error", "slow down")
        .withHeader("Retry-After", "86400"));
    List<Long> waits = new CopyOnWriteArrayList<>();
    QoderApiClient client = configured(server, Map.of(), new ApiMetrics() {
      @Override
      public void rateLimited(String endpoint, long waitMillis) {
        waits.add(waitMillis);
      }
    });
    Disposable first = client.eventsAfter(SID, null, 10).subscribe(p -> { }, e -> { });
    Disposable second = client.eventsAfter("sess_019e392c0d1e74e095d21ea4c6b41000", null, 10)
        .subscribe(p -> { }, e -> { });
    try {
      awaitCondition(() -> logs.list.stream().anyMatch(e -> e.getLevel() == Level.WARN));
      System.out.printf("Retry-After: 86400 -> waits %s ms%n", waits);
      assertThat(waits).allSatisfy(w -> assertThat(w).as("wait after Retry-After: 86400").isEqualTo(60_000L));
      List<String> warnings = logs.list.stream().filter(e -> e.getLevel() == Level.WARN)
          .map(ILoggingEvent::getFormattedMessage).toList();
      assertThat(warnings).as("one WARN for the long wait").hasSize(1);
      assertThat(warnings.get(0)).contains("429", "Retry-After", "86400", "60", "qoder.retry-after-max");
    } finally {
      first.dispose();
      second.dispose();
    }
  }

  @Test
  void aRetryAfterAboveTheConfiguredMaximumWaitsTheMaximumThenGoesOn() {
    AtomicInteger calls = new AtomicInteger();
    FakeQoderServer server = server(r -> calls.incrementAndGet() == 1
        ? Reply.error(429, "rate_limit_error", "slow down").withHeader("Retry-After", "86400")
        : Reply.json(emptyPage()));
    QoderApiClient client = configured(server, Map.of("qoder.retry-after-max", "400ms"), ApiMetrics.NOOP);
    assertThat(client.eventsAfter(SID, null, 10).block(Duration.ofSeconds(10)).data()).isEmpty();
    List<Received> received = server.received();
    assertThat(received).hasSize(2);
    assertThat(Duration.ofNanos(received.get(1).atNanos() - received.get(0).atNanos()))
        .isBetween(Duration.ofMillis(400), Duration.ofSeconds(5));
    assertThat(logs.list.stream().filter(e -> e.getLevel() == Level.WARN)).as("no WARN for a short wait").isEmpty();
  }

  static void awaitCondition(java.util.function.BooleanSupplier condition) {
    Await.until(Duration.ofSeconds(10), Duration.ofMillis(5), () -> "condition", condition);
  }
}

package com.qoder.kafka.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.Await;
import com.qoder.kafka.api.FakeQoderServer;
import com.qoder.kafka.api.FakeQoderServer.Received;
import com.qoder.kafka.api.FakeQoderServer.Reply;
import com.qoder.kafka.api.QoderApiClient;
import com.qoder.kafka.api.RequestRates;
import com.qoder.kafka.config.ConfigLoader;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.runtime.ClientOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;

/**
 * Issue 12, defects 4 and 8: one poller against a hostile server on loopback, through the real API
 * client configured as {@code run} configures it (default request budget of 50/s). Whatever the
 * server answers, a session sends at most one request per {@code sessions.poll-interval-min} unless
 * its previous page had data and moved the cursor.
 */
class PolitePollerTest {

  static final String SID = "sess_019e392c0d1e74e095d21ea4c6b41def";
  static final Duration MIN = Duration.ofMillis(200);
  static final Duration MAX = Duration.ofMillis(1000);
  /** The most requests one session may send in any one-second window at {@link #MIN}. */
  static final long ALLOWED_PER_SECOND = 1000 / MIN.toMillis();

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final List<String> delivered = new CopyOnWriteArrayList<>();
  private final Map<String, SessionState.Snapshot> offsets = new HashMap<>();
  private final List<String> ops = new CopyOnWriteArrayList<>(); // "request", "deliver", "write" in order
  private volatile boolean refuseDelivery;
  private final AtomicInteger failWrites = new AtomicInteger();
  private SessionPoller poller;

  private final EventDelivery delivery = (sessionId, events) -> Mono.defer(() -> {
    ops.add("deliver");
    if (refuseDelivery) {
      return Mono.error(new IllegalStateException("the broker refused the page (test)"));
    }
    events.forEach(e -> delivered.add(e.id()));
    return Mono.just(new EventDelivery.Report(events.size(), 0));
  });

  private final OffsetWriter writer = snapshot -> Mono.defer(() -> {
    ops.add("write");
    if (failWrites.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      return Mono.error(new IllegalStateException("offsets topic not available (test)"));
    }
    synchronized (offsets) {
      offsets.put(snapshot.sessionId(), snapshot);
    }
    return Mono.empty();
  });

  @AfterEach
  void close() throws Exception {
    if (poller != null) {
      poller.stop();
      poller.done().block(Duration.ofSeconds(10));
    }
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  // --- fixtures -------------------------------------------------------------------------------

  private FakeQoderServer server(Function<Received, Reply> script) {
    FakeQoderServer s = new FakeQoderServer(r -> {
      if (r.path().endsWith("/events")) {
        ops.add("request");
      }
      return script.apply(r);
    });
    toClose.add(s);
    return s;
  }

  /** The client as {@code run} builds it from the configuration (defaults but the intervals). */
  private QoderApiClient client(FakeQoderServer server, Map<String, String> extra) {
    Map<String, String> settings = new HashMap<>(Map.of(
        Settings.QODER_BASE_URL.key(), server.baseUrl(),
        Settings.QODER_TOKEN.key(), "qpat_politeness_test",
        Settings.POLL_MIN.key(), MIN.toMillis() + "ms",
        Settings.POLL_MAX.key(), MAX.toMillis() + "ms",
        Settings.QODER_REQUEST_TIMEOUT.key(), "5s"));
    settings.putAll(extra);
    QoderApiClient c = QoderApiClient.create(ClientOptions.api(ConfigLoader.load(null, Map.of(), settings)));
    toClose.add(c);
    return c;
  }

  private SessionPoller start(QoderApiClient api) {
    SessionState state = new SessionState(SID, 512, System.currentTimeMillis());
    poller = new SessionPoller(state, new PollerContext(api, delivery, writer,
        new PollerOptions(100, MIN, MAX, false, 512), SessionListener.NOOP));
    poller.start((p, status, error) -> { });
    return poller;
  }

  static String event(String id, String type) {
    return "{\"id\":\"" + id + "\",\"type\":\"" + type + "\",\"session_id\":\"" + SID + "\","
        + "\"content\":\"hi\",\"created_at\":\"2026-05-18T03:40:48.888851795Z\"}";
  }

  static String pageWithLastId(boolean hasMore, String lastId, String... ids) {
    List<String> data = new ArrayList<>();
    for (String id : ids) {
      data.add(event(id, id.startsWith("evt_end") ? "terminated" : "user.message"));
    }
    return "{\"data\":[" + String.join(",", data) + "],\"first_id\":" + quoted(ids.length == 0 ? null : ids[0])
        + ",\"last_id\":" + quoted(lastId) + ",\"has_more\":" + hasMore + "}";
  }

  static String page(boolean hasMore, String... ids) {
    return pageWithLastId(hasMore, ids.length == 0 ? null : ids[ids.length - 1], ids);
  }

  private static String quoted(String s) {
    return s == null ? "null" : "\"" + s + "\"";
  }

  static final String DOCUMENTED_404 = "{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\","
      + "\"message\":\"Session '" + SID + "' was not found.\"}}";

  /** Events requests the server received from {@code fromNanos} on, as arrival times. */
  static List<Long> eventsRequests(FakeQoderServer server, long fromNanos) {
    return server.received().stream().filter(r -> r.path().endsWith("/events"))
        .map(Received::atNanos).filter(t -> t >= fromNanos).sorted().toList();
  }

  /** The most requests within any window [t, t + 1 s) starting at a request. */
  static long maxPerSecond(List<Long> sortedNanos) {
    return RequestRates.maxPerSecond(sortedNanos);
  }

  static void hold(Duration d) throws InterruptedException {
    Thread.sleep(d.toMillis()); // lets time pass on purpose: the figure is a rate over this time
  }

  static void await(BooleanSupplier condition) throws InterruptedException {
    Await.until(Duration.ofSeconds(20), Duration.ofMillis(5), () -> "condition", condition);
  }

  private SessionState.Snapshot offset() {
    synchronized (offsets) {
      return offsets.get(SID);
    }
  }

  // --- defect 4: request storms ------------------------------------------------------------------

  /**
   * Before the fix an empty page saying {@code has_more: true} was asked again at once: the one
   * session took the whole budget of 50 requests/s (issue: 93–97 in one second).
   */
  @Test
  void anEmptyPageSayingHasMoreWaitsLikeACaughtUpSession() throws Exception {
    FakeQoderServer server = server(r -> Reply.json(page(true)));
    start(client(server, Map.of()));
    long from = System.nanoTime();
    hold(Duration.ofMillis(1500));
    List<Long> requests = eventsRequests(server, from);
    System.out.printf("empty has_more pages: %d requests in 1.5 s, at most %d in one second%n", requests.size(),
        maxPerSecond(requests));
    assertThat(maxPerSecond(requests)).as("requests of one session in one second").isBetween(1L, ALLOWED_PER_SECOND);
  }

  /**
   * Before the fix every error of a released session that drains was retried at once (issue: 93–97
   * requests in one second at the default budget): a 403, a misrouted 404 (a proxy's HTML page), a
   * delivery that Kafka refuses.
   */
  @ParameterizedTest
  @ValueSource(strings = {"403", "html404", "refusedDelivery"})
  void errorsWhileDrainingAreRetriedNoFasterThanTheMinimumInterval(String fault) throws Exception {
    AtomicBoolean broken = new AtomicBoolean();
    FakeQoderServer server = server(r -> {
      if (!broken.get() || fault.equals("refusedDelivery")) {
        return Reply.json(r.param("after_id") == null ? page(false, "evt_1", "evt_2") : page(false, "evt_3"));
      }
      return fault.equals("403")
          ? Reply.error(403, "permission_error", "not allowed")
          : Reply.status(404, "<html><body><h1>404 Not Found</h1>nginx</body></html>");
    });
    start(client(server, Map.of()));
    await(() -> delivered.size() >= 2);
    broken.set(true);
    refuseDelivery = fault.equals("refusedDelivery");
    long from = System.nanoTime();
    poller.release();
    hold(Duration.ofMillis(1500));
    List<Long> requests = eventsRequests(server, from);
    System.out.printf("%s while draining: %d requests in 1.5 s, at most %d in one second%n", fault, requests.size(),
        maxPerSecond(requests));
    assertThat(maxPerSecond(requests)).as("requests of one draining session in one second")
        .isBetween(1L, ALLOWED_PER_SECOND);
  }

  /**
   * A client retry counts as a request of the session: a 503 is retried after
   * {@code qoder.retry-backoff-min} (250 ms by default), and never sooner than the session's
   * minimum interval.
   */
  @Test
  void clientRetriesOfASessionKeepItsMinimumInterval() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    FakeQoderServer server = server(r -> calls.incrementAndGet() <= 3
        ? Reply.error(503, "api_error", "overloaded") : Reply.json(page(false, "evt_1")));
    start(client(server, Map.of(Settings.QODER_BACKOFF_MIN.key(), "10ms", Settings.QODER_BACKOFF_MAX.key(), "20ms")));
    await(() -> delivered.size() == 1);
    List<Long> requests = eventsRequests(server, 0);
    for (int i = 1; i < 4; i++) {
      assertThat(Duration.ofNanos(requests.get(i) - requests.get(i - 1))).as("retry %d", i)
          .isGreaterThanOrEqualTo(MIN);
    }
  }

  // --- defect 8 ----------------------------------------------------------------------------------

  /** Before the fix one documented 404 marked the session GONE for good: nothing of it was read again. */
  @Test
  void aSingleDocumented404IsConfirmedBeforeTheSessionIsGone() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    FakeQoderServer server = server(r -> calls.incrementAndGet() == 1
        ? Reply.status(404, DOCUMENTED_404) : Reply.json(page(false, "evt_1", "evt_2")));
    start(client(server, Map.of()));
    await(() -> delivered.size() == 2 || poller.done().toFuture().isDone());
    assertThat(poller.state().status()).isNotEqualTo(SessionStatus.GONE);
    assertThat(delivered).containsExactly("evt_1", "evt_2");
  }

  @Test
  void aDocumented404SeenAgainAfterABackoffMarksTheSessionGone() throws Exception {
    FakeQoderServer server = server(r -> Reply.status(404, DOCUMENTED_404));
    start(client(server, Map.of()));
    SessionStatus end = poller.done().block(Duration.ofSeconds(20));
    assertThat(end).isEqualTo(SessionStatus.GONE);
    assertThat(offset().status()).isEqualTo(SessionStatus.GONE);
    List<Long> requests = eventsRequests(server, 0);
    assertThat(requests).hasSizeGreaterThanOrEqualTo(2);
    assertThat(Duration.ofNanos(requests.get(requests.size() - 1) - requests.get(0))).isGreaterThanOrEqualTo(MIN);
  }

  /**
   * Before the fix a failed offset write was never retried: the session's TERMINATED was never
   * written, and the session was polled for ever.
   */
  @Test
  void aFailedOffsetWriteIsRetriedAndATerminatedSessionThenEnds() throws Exception {
    FakeQoderServer server = server(r -> Reply.json(r.param("after_id") == null
        ? page(false, "evt_1", "evt_end") : page(false)));
    failWrites.set(1);
    start(client(server, Map.of()));
    await(() -> offset() != null || eventsRequests(server, 0).size() >= 5);
    assertThat(offset()).as("the offset record, written again after the failure").isNotNull();
    assertThat(offset().status()).isEqualTo(SessionStatus.TERMINATED);
    assertThat(offset().cursor()).isEqualTo("evt_end");
    assertThat(poller.done().block(Duration.ofSeconds(5))).isEqualTo(SessionStatus.TERMINATED);
    int sent = eventsRequests(server, 0).size();
    hold(Duration.ofMillis(3 * MIN.toMillis()));
    assertThat(eventsRequests(server, 0)).as("no request after the end").hasSize(sent);
    assertThat(delivered).containsExactly("evt_1", "evt_end");
  }

  /**
   * A page with data and {@code "last_id": null}: its offset record must follow its events (in
   * exactly-once mode the record closes the page's part of the transaction), and the cursor moves
   * to its last event. Before the fix no offset was written and the cursor stayed put.
   */
  @Test
  void aPageWithDataAndNullLastIdWritesItsOffsetAndMovesTheCursor() throws Exception {
    FakeQoderServer server = server(r -> Reply.json(r.param("after_id") == null
        ? pageWithLastId(false, null, "evt_1", "evt_2") : page(false)));
    start(client(server, Map.of()));
    await(() -> ops.stream().filter("request"::equals).count() >= 3);
    int firstDelivery = ops.indexOf("deliver");
    assertThat(firstDelivery).isNotNegative();
    assertThat(ops.get(firstDelivery + 1)).as("after the page's events, in %s", ops).isEqualTo("write");
    assertThat(offset().cursor()).isEqualTo("evt_2");
    assertThat(server.received().stream().filter(r -> r.path().endsWith("/events")).skip(1)
        .map(r -> r.param("after_id")).distinct().toList()).containsExactly("evt_2");
    assertThat(delivered).containsExactly("evt_1", "evt_2");
  }
}

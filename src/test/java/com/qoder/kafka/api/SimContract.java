package com.qoder.kafka.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.qoder.kafka.config.Secret;
import com.qoder.kafka.sim.QoderSimulator;
import com.qoder.kafka.sim.RequestRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Shared fixtures of the client/simulator contract tests: a real {@link QoderApiClient} pointed
 * at a real {@link QoderSimulator}, a raw {@code java.net.http} client for the wire-level rules
 * the client refuses to send, and the client's own error classifier for the raw answers.
 */
final class SimContract {

  static final Duration WAIT = Duration.ofSeconds(20);
  static final ObjectMapper MAPPER = QoderApiClient.objectMapper();

  private SimContract() {}

  /**
   * Options for tests: small backoffs and a high budget so retries and walks are quick; callers
   * tweak what a test is about.
   */
  static QoderApiOptions.Builder options(QoderSimulator sim) {
    return QoderApiOptions.builder(sim.baseUrl(), Secret.of(sim.token()))
        .backoff(Duration.ofMillis(10), Duration.ofMillis(50))
        .maxRetries(3)
        .maxRequestsPerSecond(5_000)
        .maxConcurrentRequests(16)
        .connectTimeout(Duration.ofSeconds(5))
        .responseTimeout(Duration.ofSeconds(10));
  }

  static QoderApiClient client(QoderSimulator sim, Consumer<QoderApiOptions.Builder> tweak) {
    QoderApiOptions.Builder b = options(sim);
    tweak.accept(b);
    return QoderApiClient.create(b.build());
  }

  static <T> T await(Mono<T> mono) {
    return mono.block(WAIT);
  }

  /** Every page of a walk, in order. */
  static <T> List<Page<T>> pages(Flux<Page<T>> walk) {
    return walk.collectList().block(WAIT);
  }

  /** Every item id of a walk, in order. */
  static <T extends ApiItem> List<String> ids(Flux<Page<T>> walk) {
    return walk.concatMapIterable(Page::data).map(ApiItem::id).collectList().block(WAIT);
  }

  static List<String> ids(Page<? extends ApiItem> page) {
    return page.data().stream().map(ApiItem::id).toList();
  }

  /** The failure a publisher ends with (blocking, bounded). */
  static Throwable failure(Mono<?> mono) {
    try {
      mono.block(WAIT);
    } catch (Throwable t) {
      return t;
    }
    throw new AssertionError("expected the call to fail, it succeeded");
  }

  static Throwable failure(Flux<?> flux) {
    return failure(flux.then());
  }

  /**
   * Asserts that every concurrency permit went back once the calls ended, failed ones included
   * (a leaked permit would stall the client once all are gone). Polls with a deadline: a permit
   * is released just after the caller saw its result.
   */
  static void assertIdle(QoderApiClient client) {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while ((client.requestsInFlight() != 0 || client.requestsWaiting() != 0) && System.nanoTime() < deadline) {
      LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
    }
    assertThat(client.requestsInFlight()).as("requests holding a permit").isZero();
    assertThat(client.requestsWaiting()).as("requests waiting for a permit").isZero();
  }

  /** The simulator's request log, in order of arrival. */
  static List<RequestRecord> log(QoderSimulator sim) {
    List<RequestRecord> records = new ArrayList<>(sim.requestLog());
    records.sort(Comparator.comparingLong(RequestRecord::sequence));
    return records;
  }

  /** The client's classifier, as the client builds it, for raw bodies fetched outside the client. */
  static ResponseClassifier classifier(QoderSimulator sim) {
    return new ResponseClassifier(MAPPER, sim.token());
  }

  static QoderApiException classify(QoderSimulator sim, Raw r) {
    return classifier(sim).classifyStatus("GET test", r.status(), r.body(), r.header("Retry-After"), null,
        Instant.now());
  }

  static JsonNode json(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A raw answer. */
  record Raw(int status, String body, HttpResponse<String> response) {
    JsonNode json() {
      try {
        return MAPPER.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON: " + body, e);
      }
    }

    String header(String name) {
      return response.headers().firstValue(name).orElse(null);
    }

    /** Asserts the documented error envelope and returns its {@code error.type}. */
    String errorType() {
      JsonNode j = json();
      assertThat(j.path("type").asText()).as("envelope type of %s", body).isEqualTo("error");
      assertThat(j.path("error").path("message").isTextual()).as("error.message of %s", body).isTrue();
      return j.path("error").path("type").asText();
    }
  }

  /** A plain HTTP client that sends exactly what a test asks for, bypassing the client's checks. */
  static final class RawHttp {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String token;

    RawHttp(QoderSimulator sim) {
      this.base = sim.baseUrl();
      this.token = sim.token();
    }

    Raw get(String pathAndQuery) {
      return get(pathAndQuery, null);
    }

    Raw get(String pathAndQuery, String organization) {
      return get(pathAndQuery, organization, token);
    }

    /** {@code bearer} null sends no Authorization header at all. */
    Raw get(String pathAndQuery, String organization, String bearer) {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(WAIT).GET();
      if (bearer != null) {
        b.header("Authorization", "Bearer " + bearer);
      }
      if (organization != null) {
        b.header(RequestPipeline.HEADER_ORGANIZATION, organization);
      }
      try {
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return new Raw(r.statusCode(), r.body(), r);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /**
   * One simulator and one client for a test class, registered as a static {@code @RegisterExtension}:
   * started before the class's {@code @BeforeAll} methods, closed after the class; before each test
   * the faults and the request log are cleared, after each test every permit of the client must
   * have gone back.
   */
  static final class Server implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

    private final Supplier<QoderSimulator> simulator;
    private QoderSimulator sim;
    private QoderApiClient api;

    Server(Supplier<QoderSimulator> simulator) {
      this.simulator = simulator;
    }

    QoderSimulator sim() {
      return sim;
    }

    QoderApiClient api() {
      return api;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
      sim = simulator.get().start();
      api = client(sim, b -> {});
    }

    @Override
    public void afterAll(ExtensionContext context) {
      api.close();
      sim.close();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
      sim.faults().clear();
      sim.resetRequestLog();
    }

    @Override
    public void afterEach(ExtensionContext context) {
      assertIdle(api);
    }
  }
}

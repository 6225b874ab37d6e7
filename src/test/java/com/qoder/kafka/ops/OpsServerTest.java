package com.qoder.kafka.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.qoder.kafka.ops.StatusSnapshot.ErrorEntry;
import com.qoder.kafka.ops.StatusSnapshot.SessionStat;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

class OpsServerTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  private OpsServer start(
      PrometheusMeterRegistry registry, StatusProvider status, List<HealthCheck> checks) {
    OpsServer server = OpsServer.start(OpsOptions.ephemeral(), registry, status, checks);
    toClose.add(server);
    return server;
  }

  private OpsServer start(List<HealthCheck> checks) {
    return start(ConnectorMetrics.newPrometheusRegistry("test"), null, checks);
  }

  private HttpResponse<String> get(OpsServer server, String path) throws Exception {
    return send(server, "GET", path);
  }

  private HttpResponse<String> send(OpsServer server, String method, String path)
      throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .timeout(Duration.ofSeconds(10))
            .method(method, HttpRequest.BodyPublishers.ofString(method.equals("GET") ? "" : "x"))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void bindsLoopbackOnAnEphemeralPort() {
    OpsServer server = start(List.of());
    assertThat(server.port()).isPositive();
    assertThat(server.host()).isEqualTo("127.0.0.1");
  }

  @Test
  void metricsServesPrometheusTextAndValuesMove() throws Exception {
    PrometheusMeterRegistry registry = ConnectorMetrics.newPrometheusRegistry("c1");
    ConnectorMetrics metrics = new ConnectorMetrics(registry);
    OpsServer server = start(registry, null, List.of());

    metrics.eventsProduced("agent.message", 3);
    metrics.httpRequest("events", 200, Duration.ofMillis(40));
    HttpResponse<String> first = get(server, "/metrics");
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.headers().firstValue("content-type"))
        .hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(first.body())
        .contains("qoder_events_produced_total{connector=\"c1\",type=\"agent.message\"} 3.0")
        .contains(
            "qoder_http_requests_total{connector=\"c1\",endpoint=\"events\",status=\"200\"} 1.0")
        .contains("qoder_event_lag_seconds_count{connector=\"c1\"} 0");

    metrics.eventsProduced("agent.message", 2);
    metrics.eventLag(Duration.ofMillis(1500));
    HttpResponse<String> second = get(server, "/metrics");
    assertThat(second.body())
        .contains("qoder_events_produced_total{connector=\"c1\",type=\"agent.message\"} 5.0")
        .contains("qoder_event_lag_seconds_count{connector=\"c1\"} 1")
        .contains("qoder_event_lag_seconds_bucket{connector=\"c1\",le=\"2.0\"} 1")
        .contains("qoder_event_lag_seconds_bucket{connector=\"c1\",le=\"1.0\"} 0");
  }

  @Test
  void metricsAreGzippedWhenTheScraperAsksForIt() throws Exception {
    PrometheusMeterRegistry registry = ConnectorMetrics.newPrometheusRegistry("c1");
    JvmProcessMetrics jvm = JvmProcessMetrics.bindTo(registry);
    try {
      new ConnectorMetrics(registry).eventsFetched("agent.message", 7);
      OpsServer server = start(registry, null, List.of());
      HttpResponse<byte[]> r =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                  .header("Accept-Encoding", "gzip")
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertThat(r.headers().firstValue("content-encoding")).hasValue("gzip");
      String text;
      try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(r.body()))) {
        text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      }
      assertThat(text).contains("qoder_events_fetched_total{connector=\"c1\",type=\"agent.message\"} 7.0");
      assertThat(r.body().length).isLessThan(text.length() / 2);
    } finally {
      jvm.close();
    }
  }

  @Test
  void livenessIsUp() throws Exception {
    OpsServer server = start(List.of(HealthCheck.ofFlag("never", () -> false, "down")));
    HttpResponse<String> r = get(server, "/health/live");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue(OpsServer.JSON);
    assertThat(JSON.readTree(r.body()).get("status").asText()).isEqualTo("UP");
  }

  @Test
  void readinessIsUpWhenEveryCheckPasses() throws Exception {
    OpsServer server =
        start(
            List.of(
                HealthCheck.of("offsets", Optional::empty),
                HealthCheck.ofFlag("kafka", () -> true, "unreachable")));
    HttpResponse<String> r = get(server, "/health/ready");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("status").asText()).isEqualTo("UP");
    assertThat(body.at("/checks/offsets/status").asText()).isEqualTo("UP");
    assertThat(body.at("/checks/kafka/status").asText()).isEqualTo("UP");
  }

  @Test
  void readinessIsUpWithoutChecks() throws Exception {
    HttpResponse<String> r = get(start(List.of()), "/health/ready");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(r.body()).get("status").asText()).isEqualTo("UP");
  }

  @Test
  void readinessIs503AndNamesTheFailingCheck() throws Exception {
    AtomicReference<Optional<String>> offsets =
        new AtomicReference<>(Optional.of("offsets not restored yet"));
    OpsServer server =
        start(
            List.of(
                HealthCheck.ofFlag("kafka", () -> true, "unreachable"),
                HealthCheck.of("offsets", offsets::get),
                new HealthCheck() {
                  @Override
                  public String name() {
                    return "schemaRegistry";
                  }

                  @Override
                  public Mono<HealthStatus> check() {
                    return Mono.error(new IllegalStateException("registry answered 503"));
                  }
                }));
    HttpResponse<String> r = get(server, "/health/ready");
    assertThat(r.statusCode()).isEqualTo(503);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("status").asText()).isEqualTo("DOWN");
    assertThat(body.at("/checks/kafka/status").asText()).isEqualTo("UP");
    assertThat(body.at("/checks/offsets/status").asText()).isEqualTo("DOWN");
    assertThat(body.at("/checks/offsets/detail").asText()).isEqualTo("offsets not restored yet");
    assertThat(body.at("/checks/schemaRegistry/status").asText()).isEqualTo("DOWN");
    assertThat(body.at("/checks/schemaRegistry/detail").asText())
        .isEqualTo("IllegalStateException: registry answered 503");

    offsets.set(Optional.empty());
    server.addReadinessCheck(HealthCheck.of("late", Optional::empty));
    JsonNode after = JSON.readTree(get(server, "/health/ready").body());
    assertThat(after.at("/checks/offsets/status").asText()).isEqualTo("UP");
    assertThat(after.at("/checks/late/status").asText()).isEqualTo("UP");
    assertThat(after.get("status").asText()).isEqualTo("DOWN"); // schemaRegistry still fails
  }

  @Test
  void aHangingCheckTimesOutInsteadOfHangingTheEndpoint() throws Exception {
    HealthCheck hanging =
        new HealthCheck() {
          @Override
          public String name() {
            return "hangs";
          }

          @Override
          public Mono<HealthStatus> check() {
            return Mono.never();
          }
        }.withTimeout(Duration.ofMillis(300));
    HealthCheck blocking =
        HealthCheck.of(
                "blocks",
                () -> {
                  try {
                    Thread.sleep(60_000); // a supplier stuck in I/O; interrupted by the timeout
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  return Optional.empty();
                })
            .withTimeout(Duration.ofMillis(300));
    OpsServer server = start(List.of(hanging, blocking, HealthCheck.of("ok", Optional::empty)));
    long t0 = System.nanoTime();
    HttpResponse<String> r = get(server, "/health/ready");
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    assertThat(took).isLessThan(Duration.ofSeconds(5));
    assertThat(r.statusCode()).isEqualTo(503);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.at("/checks/hangs/detail").asText()).isEqualTo("timed out after 300 ms");
    assertThat(body.at("/checks/blocks/detail").asText()).isEqualTo("timed out after 300 ms");
    assertThat(body.at("/checks/ok/status").asText()).isEqualTo("UP");
    List<String> names = new ArrayList<>();
    body.get("checks").fieldNames().forEachRemaining(names::add);
    assertThat(names).as("registration order").containsExactly("hangs", "blocks", "ok");
  }

  @Test
  void checkNamesMustBeUnique() {
    OpsServer server = start(List.of(HealthCheck.of("kafka", Optional::empty)));
    assertThatThrownBy(() -> server.addReadinessCheck(HealthCheck.of("kafka", Optional::empty)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'kafka' is already registered");
  }

  @Test
  void nonGetMethodsAre405WithAllowGet() throws Exception {
    OpsServer server = start(List.of());
    for (String method : List.of("POST", "PUT", "DELETE", "PATCH")) {
      for (String path : List.of("/metrics", "/health/ready", "/", "/nope")) {
        HttpResponse<String> r = send(server, method, path);
        assertThat(r.statusCode()).as(method + " " + path).isEqualTo(405);
        assertThat(r.headers().firstValue("allow")).as(method + " " + path).hasValue("GET");
        assertThat(JSON.readTree(r.body()).get("error").asText()).isEqualTo("method not allowed");
      }
    }
  }

  @Test
  void unknownPathsAre404Json() throws Exception {
    HttpResponse<String> r = get(start(List.of()), "/config?secret=1");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.headers().firstValue("content-type")).hasValue(OpsServer.JSON);
    assertThat(JSON.readTree(r.body()).get("error").asText()).isEqualTo("not found");
  }

  @Test
  void apiStatusServesTheProviderSnapshot() throws Exception {
    Instant started = Instant.now().minusSeconds(125);
    StatusProvider provider =
        () ->
            new StatusSnapshot(
                started,
                "orders-connector",
                12345,
                42.5,
                Map.of("ACTIVE", 3L, "IDLE", 1L),
                0.25,
                Double.NaN,
                List.of(new SessionStat("sess_a", 900, 12.0, 0.3, "ACTIVE")),
                List.of(new SessionStat("sess_b", 10, 0.1, 75.0, "IDLE")),
                List.of(new ErrorEntry(Instant.parse("2025-01-01T00:00:00Z"), "sess_b", "HTTP 503")),
                Map.of("instances", 3, "delivery", "exactly-once"));
    OpsServer server = start(ConnectorMetrics.newPrometheusRegistry("x"), provider, List.of());
    HttpResponse<String> r = get(server, "/api/status");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue(OpsServer.JSON);
    JsonNode s = JSON.readTree(r.body());
    assertThat(s.get("connectorName").asText()).isEqualTo("orders-connector");
    assertThat(s.get("eventsDelivered").asLong()).isEqualTo(12345);
    assertThat(s.get("eventsPerSecond").asDouble()).isEqualTo(42.5);
    assertThat(s.get("uptimeSeconds").asLong()).isBetween(124L, 200L);
    assertThat(s.at("/sessionsByState/ACTIVE").asLong()).isEqualTo(3);
    assertThat(s.at("/lagSeconds/p50").asDouble()).isEqualTo(0.25);
    assertThat(s.at("/lagSeconds/p99").isNull()).as("NaN is served as null").isTrue();
    assertThat(s.at("/busiest/0/sessionId").asText()).isEqualTo("sess_a");
    assertThat(s.at("/mostLagging/0/lagSeconds").asDouble()).isEqualTo(75.0);
    assertThat(s.at("/recentErrors/0/message").asText()).isEqualTo("HTTP 503");
    assertThat(s.at("/extra/instances").asInt()).isEqualTo(3);
    assertThat(s.at("/extra/delivery").asText()).isEqualTo("exactly-once");
  }

  @Test
  void apiStatusWithoutProviderIs503AndAFailingProviderIs500WithoutDetails() throws Exception {
    assertThat(get(start(List.of()), "/api/status").statusCode()).isEqualTo(503);

    StatusProvider failing =
        () -> {
          throw new IllegalStateException("internal detail sk-secret");
        };
    OpsServer server = start(ConnectorMetrics.newPrometheusRegistry("x"), failing, List.of());
    HttpResponse<String> r = get(server, "/api/status");
    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(r.body()).doesNotContain("sk-secret").contains("status snapshot failed");
  }

  @Test
  void rootServesTheSelfContainedStatusPage() throws Exception {
    OpsServer server = start(List.of());
    for (String path : List.of("/", "/index.html")) {
      HttpResponse<String> r = get(server, path);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
      assertThat(r.headers().firstValue("content-security-policy")).hasValue(OpsServer.PAGE_CSP);
      assertThat(r.body())
          .startsWith("<!DOCTYPE html>")
          .contains("fetch(\"api/status\"")
          .doesNotContain("http://", "https://", "<script src", "<link rel=\"stylesheet\"");
    }
  }

  @Test
  void aBusyPortGivesAnActionableError() {
    OpsServer first = start(List.of());
    assertThatThrownBy(
            () ->
                OpsServer.start(
                    new OpsOptions("127.0.0.1", first.port(), true),
                    ConnectorMetrics.newPrometheusRegistry("x"),
                    null,
                    List.of()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("127.0.0.1:" + first.port())
        .hasMessageContaining("OPS_PORT");
  }

  @Test
  void disabledOptionsStartNothing() {
    OpsOptions disabled = new OpsOptions("127.0.0.1", 0, false);
    assertThat(
            OpsServer.startIfEnabled(
                disabled, ConnectorMetrics.newPrometheusRegistry("x"), null, List.of()))
        .isEmpty();
    assertThatThrownBy(() -> new OpsOptions(" ", 0, true))
        .hasMessageContaining("ops.bind-address");
    assertThatThrownBy(() -> new OpsOptions("127.0.0.1", 70000, true))
        .hasMessageContaining("ops.port must be between 0 and 65535");
  }
}

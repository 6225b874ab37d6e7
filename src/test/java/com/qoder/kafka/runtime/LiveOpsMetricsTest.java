package com.qoder.kafka.runtime;

import static com.qoder.kafka.kafka.KafkaTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.IntegrationTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.qoder.kafka.checker.DeliveryChecker;
import com.qoder.kafka.checker.DeliveryReport;
import com.qoder.kafka.checker.Expected;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.KafkaTestSupport;
import com.qoder.kafka.registry.SchemaRegistry;
import com.qoder.kafka.sim.Endpoint;
import com.qoder.kafka.sim.EventSpec;
import com.qoder.kafka.sim.Faults;
import com.qoder.kafka.sim.GroundTruth;
import com.qoder.kafka.sim.LiveMode;
import com.qoder.kafka.sim.QoderSimulator;
import com.qoder.kafka.sim.RequestRecord;
import com.qoder.kafka.source.SessionState;
import com.qoder.kafka.source.SessionStatus;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 6, acceptance 1: a real connector with its ops server on 127.0.0.1 (port 0) follows a
 * simulator in live mode (with 429s and 5xx injected) while the test scrapes {@code GET /metrics},
 * {@code /health/*} and {@code /api/status} over HTTP the way Prometheus and a probe would. During
 * the run the counters must move and never go down; after the live mode stops and a separate
 * consumer has read every event of the simulator's ground truth, the connector's counters must
 * equal what the consumer read and what the simulator logged.
 *
 * <p>Exact comparisons need a quiet data path: the test stops the pollers and change sources the
 * way {@link Connector#close()} starts (pages in hand finish), but keeps the ops server up, then
 * scrapes once more. The only tolerances are during the run, where a response the simulator has
 * logged may not have reached the client's counters yet (so client ≤ simulator), and the lag
 * distribution, which is bounded by the ages the consumer sees rather than equal to one of them.
 */
@IntegrationTest
class LiveOpsMetricsTest {

  private static final Logger log = LoggerFactory.getLogger(LiveOpsMetricsTest.class);
  private static final Duration DELIVERY = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String PRODUCED = "qoder_events_produced_total";
  private static final String FETCHED = "qoder_events_fetched_total";
  private static final String DEDUPLICATED = "qoder_events_deduplicated_total";
  private static final String DEAD_LETTERED = "qoder_events_dead_lettered_total";
  private static final String HTTP_REQUESTS = "qoder_http_requests_total";
  private static final String RETRIES = "qoder_http_retries_total";
  private static final String RATE_LIMIT_WAITS = "qoder_http_rate_limit_wait_seconds_count";
  private static final String SESSIONS = "qoder_sessions";
  private static final String LAG = "qoder_event_lag_seconds";
  private static final String SEND_LATENCY_COUNT = "qoder_kafka_send_latency_seconds_count";
  private static final String SOURCE_RECORDS = "qoder_source_records_total";

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void countersMoveDuringALiveRunAndAgreeWithTheConsumerAndTheSimulatorAfterIt() throws Exception {
    String bootstrap = KafkaTestSupport.sharedBroker().bootstrapServers();
    try (QoderSimulator sim = QoderSimulator.builder().seed(606).sessions(10).eventsPerSession(60)
        .terminatedFraction(0.2).releasedFraction(0.2).files(12).agents(0).maxResourcesPerSession(2)
        .historyEnd(Instant.now())
        .faults(x -> x.rateLimit(Faults.Trigger.chance(0.03), 0).serverError(Faults.Trigger.chance(0.03)))
        .build().start()) {
      // One event above kafka.max-record-bytes (1 MiB here): the dead-letter counters get something to count.
      String open = sim.groundTruth().values().stream().filter(t -> !t.terminated() && !t.released())
          .map(GroundTruth::sessionId).findFirst().orElseThrow();
      String huge = sim.appendEvents(open, 1, EventSpec.ofType("agent.message").withContentBytes(2_000_000)).get(0);

      PipelineFixture f = PipelineFixture.of("liveops", bootstrap, sim)
          .set(Settings.OPS_ENABLED.key(), "true")
          .set(Settings.OPS_BIND.key(), "127.0.0.1")
          .set(Settings.OPS_PORT.key(), "0")
          .set(Settings.TOPIC_RESOURCES.key(), KafkaTestSupport.uniqueTopic("liveops.resources"))
          .set(Settings.TOPIC_FILES.key(), KafkaTestSupport.uniqueTopic("liveops.files"))
          .set(Settings.TOPIC_SESSIONS.key(), KafkaTestSupport.uniqueTopic("liveops.sessions"))
          .set(Settings.PAGE_SIZE.key(), "25")
          .set(Settings.MAX_RECORD_BYTES.key(), "1MiB");
      try (Connector connector = f.start(); SchemaRegistry registry = f.registry();
          DeliveryChecker checker = DeliveryChecker.builder(f.bootstrap).eventsTopic(f.eventsTopic())
              .errorsTopic(f.errorsTopic()).deadLetterTopic(f.deadLetterTopic()).registryUrl(f.registryUrl()).build()) {
        String base = "http://127.0.0.1:" + connector.opsPort().orElseThrow();

        // ---- during the run ------------------------------------------------------------------
        sim.liveMode(LiveMode.events(150).withNewSessionsPerSecond(1).withTerminationsPerSecond(0.5)
            .withReleasesPerSecond(0.5));
        await(Duration.ofSeconds(30), "GET /health/ready answers 200", () -> get(base + "/health/ready").statusCode() == 200);
        JsonNode ready = JSON.readTree(get(base + "/health/ready").body());
        assertThat(ready.path("status").asText()).isEqualTo("UP");
        assertThat(ready.path("checks").fieldNames()).toIterable().contains("kafka", "offsets", "schemaRegistry");

        List<Prometheus> scrapes = new ArrayList<>();
        List<JsonNode> statuses = new ArrayList<>();
        scrapes.add(scrape(base));
        for (int i = 0; i < 5; i++) {
          // At least 100 more events between scrapes (~0.7 s of the live rate): the run lasts seconds.
          double before = scrapes.get(scrapes.size() - 1).sum(PRODUCED);
          Prometheus[] now = new Prometheus[1];
          await(Duration.ofSeconds(30), "qoder_events_produced_total moves past " + before + " + 100", () -> {
            now[0] = scrape(base);
            return now[0].sum(PRODUCED) >= before + 100;
          });
          // Every response the connector counted was logged by the simulator before it was sent.
          Map<String, Long> simAfter = simCounts(sim.requestLog());
          assertThat(clientCounts(now[0])).allSatisfy((k, v) ->
              assertThat(v).as("client count of %s ≤ simulator's", k).isLessThanOrEqualTo(simAfter.getOrDefault(k, 0L)));
          scrapes.add(now[0]);

          HttpResponse<String> live = get(base + "/health/live");
          assertThat(live.statusCode()).isEqualTo(200);
          assertThat(JSON.readTree(live.body()).path("status").asText()).isEqualTo("UP");
          HttpResponse<String> status = get(base + "/api/status");
          assertThat(status.statusCode()).isEqualTo(200);
          assertThat(status.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).contains("json"));
          statuses.add(JSON.readTree(status.body()));
        }
        for (int i = 1; i < scrapes.size(); i++) {
          assertMonotonic(scrapes.get(i - 1), scrapes.get(i), i);
        }
        Prometheus first = scrapes.get(0);
        Prometheus last = scrapes.get(scrapes.size() - 1);
        assertThat(last.sum(PRODUCED)).as("events produced moved").isGreaterThan(first.sum(PRODUCED));
        assertThat(last.sum(FETCHED)).as("events fetched moved").isGreaterThan(first.sum(FETCHED));
        assertThat(last.sum(HTTP_REQUESTS)).as("API requests moved").isGreaterThan(first.sum(HTTP_REQUESTS));
        assertThat(last.sum(LAG + "_count")).as("lag samples moved").isGreaterThan(first.sum(LAG + "_count"));
        long delivered0 = statuses.get(0).path("eventsDelivered").asLong();
        long deliveredN = statuses.get(statuses.size() - 1).path("eventsDelivered").asLong();
        assertThat(delivered0).isPositive();
        assertThat(deliveredN).as("status JSON eventsDelivered moved").isGreaterThan(delivered0);
        for (int i = 1; i < statuses.size(); i++) {
          assertThat(statuses.get(i).path("eventsDelivered").asLong())
              .isGreaterThanOrEqualTo(statuses.get(i - 1).path("eventsDelivered").asLong());
        }
        assertThat(statuses.get(statuses.size() - 1).path("busiest")).isNotEmpty();
        assertThat(statuses.get(statuses.size() - 1).path("connectorName").asText()).isEqualTo(f.name);

        // ---- after the run: the consumer has read everything ------------------------------------
        sim.liveMode(LiveMode.off());
        DeliveryReport report = checker.awaitDelivered(DELIVERY, () -> Expected.all(sim.groundTruth()));
        log.info("live ops run: {}", report);
        assertThat(report.isClean()).as("%s", report).isTrue();
        assertThat(report.deadLettered()).isEqualTo(1);
        await(Duration.ofSeconds(30), "every ended session reached its final state", () ->
            sim.groundTruth().values().stream().allMatch(t -> expectedStatus(t) == null
                || expectedStatus(t) == status(connector, t.sessionId())));
        // Markers take dead-lettered events' places in the events topic; they are not produced events.
        long events = report.eventRecords() - report.markerRecords();
        assertThat(report.markerRecords()).isEqualTo(1);
        await(Duration.ofSeconds(30), "the produced counter caught up with the consumer",
            () -> scrape(base).sum(PRODUCED) == events);

        // Quiet the data path (what close() does first), keep the ops server up.
        connector.sessions().stopAll(Duration.ofSeconds(15)).block();
        connector.changeSources().close();
        Prometheus end = scrape(base);
        assertMonotonic(last, end, scrapes.size());
        JsonNode finalStatus = JSON.readTree(get(base + "/api/status").body());

        // Events by type: counted by the connector = read by the consumer.
        Map<String, String> typeOf = new HashMap<>();
        for (String s : sim.groundTruth().keySet()) {
          for (ObjectNode e : sim.eventsJson(s)) {
            typeOf.put(e.get("id").asText(), e.get("type").asText());
          }
        }
        Map<String, Long> readByType = sim.groundTruth().keySet().stream()
            .flatMap(s -> checker.eventIds(s).stream()).filter(id -> !id.equals(huge)).collect(Collectors.groupingBy(typeOf::get, TreeMap::new,
                Collectors.counting()));
        assertThat(asLongs(end.by(PRODUCED, "type"))).as("produced by type vs consumer").isEqualTo(readByType);
        assertThat(finalStatus.path("eventsDelivered").asLong()).isEqualTo(events);

        // Dead letters, by type and reason: counted = read from the dead-letter topic.
        List<DeliveryChecker.DeadLetter> letters = checker.deadLetters().values().stream().flatMap(List::stream).toList();
        assertThat(letters).extracting(DeliveryChecker.DeadLetter::eventId).containsExactly(huge);
        Map<String, Long> readReasons = letters.stream()
            .collect(Collectors.groupingBy(DeliveryChecker.DeadLetter::reason, TreeMap::new, Collectors.counting()));
        assertThat(asLongs(end.by(DEAD_LETTERED, "reason"))).as("dead letters by reason").isEqualTo(readReasons);
        assertThat(asLongs(end.by(DEAD_LETTERED, "type"))).isEqualTo(Map.of("agent.message", 1L));
        assertThat(finalStatus.path("extra").path("deadLettered").asLong()).isEqualTo(1);

        // Per type, fetched = produced + dead-lettered + dropped as duplicates (nothing else leaves a
        // page when the start position is earliest).
        Map<String, Double> fetchedByType = end.by(FETCHED, "type");
        assertThat(fetchedByType).doesNotContainKey("unknown").containsKeys(readByType.keySet().toArray(String[]::new));
        for (String type : fetchedByType.keySet()) {
          assertThat(end.sum(FETCHED, "type", type) - end.sum(DEDUPLICATED, "type", type)).as("type %s", type)
              .isEqualTo(end.sum(PRODUCED, "type", type) + end.sum(DEAD_LETTERED, "type", type));
        }
        assertThat(end.sum(FETCHED)).isEqualTo(finalStatus.path("extra").path("eventsFetched").asDouble());

        // Kafka sends by topic: acknowledged sends = records the consumer found in each topic.
        assertThat(end.sum(SEND_LATENCY_COUNT, s -> f.eventsTopic().equals(s.label("topic"))
            && "success".equals(s.label("outcome")))).isEqualTo(report.eventRecords());
        assertThat(end.sum(SEND_LATENCY_COUNT, s -> f.errorsTopic().equals(s.label("topic"))
            && "success".equals(s.label("outcome")))).isEqualTo(report.errorRecords());
        assertThat(end.sum(SEND_LATENCY_COUNT, s -> f.deadLetterTopic().equals(s.label("topic"))
            && "success".equals(s.label("outcome")))).isEqualTo(report.deadLetterRecords());
        assertThat(end.sum(SEND_LATENCY_COUNT, s -> f.eventsTopic().equals(s.label("topic"))
            && "failure".equals(s.label("outcome")))).as("the oversized record is never sent (checked before)")
            .isZero();

        // Change sources: records counted per source = records in their topics.
        for (String source : List.of("resources", "files", "sessions")) {
          String topic = f.overrides.get("kafka.topics." + source);
          long inTopic = KafkaTestSupport.consumeAll(bootstrap, topic, Duration.ofSeconds(30)).size();
          assertThat(end.sum(SOURCE_RECORDS, "source", source)).as("records of source %s", source)
              .isEqualTo(inTopic);
          assertThat(end.sum(SEND_LATENCY_COUNT, s -> topic.equals(s.label("topic"))
              && "success".equals(s.label("outcome")))).as("sends to %s", topic).isEqualTo(inTopic);
        }

        // API requests by endpoint and status = the simulator's request log; retries = its 429/5xx.
        List<RequestRecord> requests = sim.requestLog();
        assertThat(requests.size()).as("request log not truncated").isLessThan(100_000);
        Map<String, Long> simCounts = simCounts(requests);
        assertThat(clientCounts(end)).as("requests by endpoint and status").isEqualTo(simCounts);
        long tooMany = requests.stream().filter(r -> r.status() == 429).count();
        long serverErrors = requests.stream().filter(r -> r.status() >= 500).count();
        assertThat(tooMany).isPositive();
        assertThat(serverErrors).isPositive();
        assertThat(end.sum(RETRIES, "reason", "429")).isEqualTo(tooMany);
        assertThat(end.sum(RETRIES, s -> s.label("reason").startsWith("5"))).isEqualTo(serverErrors);
        assertThat(end.sum(RATE_LIMIT_WAITS)).isEqualTo(tooMany);

        // Sessions by state = the simulator's truth.
        Map<String, GroundTruth> truth = sim.groundTruth();
        long terminated = truth.values().stream().filter(t -> expectedStatus(t) == SessionStatus.TERMINATED).count();
        long released = truth.values().stream().filter(t -> expectedStatus(t) == SessionStatus.RELEASED).count();
        Map<String, Double> byState = end.by(SESSIONS, "state");
        assertThat(byState.values().stream().mapToDouble(Double::doubleValue).sum())
            .as("sessions tracked, all states: %s", byState).isEqualTo(truth.size());
        assertThat(byState.get("TERMINATED")).isEqualTo(terminated);
        assertThat(byState.get("RELEASED")).isEqualTo(released);
        assertThat(byState.get("ACTIVE") + byState.get("IDLE")).isEqualTo(truth.size() - terminated - released);
        assertThat(terminated).as("sessions ended").isPositive();
        assertThat(truth.size()).as("the live run created sessions").isGreaterThan(10);
        assertThat(released).isPositive();
        finalStatus.path("sessionsByState").fields().forEachRemaining(e ->
            assertThat(byState.get(e.getKey())).as("status page state %s", e.getKey())
                .isEqualTo(e.getValue().asDouble()));

        // Lag: one sample per delivered page, each bounded by the age of the oldest event read.
        double lagCount = end.sum(LAG + "_count");
        assertThat(lagCount).isPositive().isLessThanOrEqualTo(end.sum(PRODUCED) + end.sum(DEAD_LETTERED));
        Instant oldest = sim.groundTruth().keySet().stream().flatMap(s -> sim.eventsJson(s).stream())
            .map(e -> OffsetDateTime.parse(e.get("created_at").asText()).toInstant()).min(Instant::compareTo)
            .orElseThrow();
        double maxAge = Duration.between(oldest, Instant.now()).toMillis() / 1000.0;
        assertThat(end.sum(LAG + "_max")).isPositive().isLessThanOrEqualTo(maxAge);
        assertThat(end.sum(LAG + "_sum")).isLessThanOrEqualTo(lagCount * maxAge);
        // Live events were delivered within seconds of their creation.
        assertThat(end.sum(LAG + "_bucket", s -> "10.0".equals(s.label("le")))).isPositive();

        // Nothing in flight on a quiet data path; offsets were committed, none failed.
        assertThat(end.sum("qoder_kafka_in_flight_records")).isZero();
        assertThat(end.sum("qoder_kafka_in_flight_bytes")).isZero();
        assertThat(end.sum("qoder_offset_commit_latency_seconds_count", "outcome", "success")).isPositive();
        assertThat(end.sum("qoder_offset_commit_latency_seconds_count", "outcome", "failure")).isZero();
        assertThat(end.sum("qoder_schema_registry_request_duration_seconds_count")).as("registry calls").isPositive();
        assertThat(end.text).doesNotContain(sim.token());
      } finally {
        f.dropRegistry();
      }
    }
  }

  // ---- helpers ------------------------------------------------------------------------------

  private HttpResponse<String> get(String url) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new AssertionError("GET " + url + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private Prometheus scrape(String base) {
    HttpResponse<String> r = get(base + "/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
    return Prometheus.parse(r.body());
  }

  /** Counters, histogram counts, sums and buckets never go down between two scrapes, nor vanish. */
  private static void assertMonotonic(Prometheus before, Prometheus after, int index) {
    before.samples().forEach((series, value) -> {
      String n = series.name();
      boolean cumulative = n.endsWith("_total") || n.endsWith("_count") || n.endsWith("_bucket")
          || (n.endsWith("_sum") && n.startsWith("qoder_"));
      if (cumulative && n.startsWith("qoder_")) {
        Double now = after.samples().get(series);
        assertThat(now).as("scrape %d still has %s", index, series).isNotNull();
        assertThat(now).as("scrape %d: %s", index, series).isGreaterThanOrEqualTo(value);
      }
    });
  }

  /** The simulator's request log as "endpoint status" → count; status 0 is "none" like the client's. */
  private static Map<String, Long> simCounts(List<RequestRecord> requests) {
    return requests.stream().collect(Collectors.groupingBy(
        r -> r.endpoint().label() + " " + (r.status() == 0 ? "none" : Integer.toString(r.status())),
        TreeMap::new, Collectors.counting()));
  }

  /** The connector's {@code qoder_http_requests_total} as "endpoint status" → count, endpoints named like the simulator's. */
  private static Map<String, Long> clientCounts(Prometheus p) {
    Map<String, Long> out = new TreeMap<>();
    p.samples().forEach((s, v) -> {
      if (s.name().equals(HTTP_REQUESTS) && v > 0) {
        out.merge(simEndpoint(s.label("endpoint")).label() + " " + s.label("status"), v.longValue(), Long::sum);
      }
    });
    return out;
  }

  /** The simulator's endpoint for one of the client's route templates ("GET /v1/sessions/{session_id}/events", …). */
  private static Endpoint simEndpoint(String route) {
    String path = route.substring(route.indexOf(' ') + 1);
    if (path.endsWith("/events")) {
      return Endpoint.EVENTS;
    }
    if (path.endsWith("/resources")) {
      return Endpoint.RESOURCES;
    }
    if (path.endsWith("/files")) {
      return Endpoint.FILES;
    }
    if (path.endsWith("/agents")) {
      return Endpoint.AGENTS;
    }
    if (path.endsWith("/sessions")) {
      return Endpoint.SESSIONS;
    }
    if (path.matches(".*/sessions/\\{[^}]+}")) {
      return Endpoint.SESSION;
    }
    throw new AssertionError("unexpected endpoint label " + route);
  }

  private static Map<String, Long> asLongs(Map<String, Double> m) {
    return m.entrySet().stream().filter(e -> e.getValue() > 0).collect(Collectors.toMap(Map.Entry::getKey,
        e -> e.getValue().longValue(), (a, b) -> a, TreeMap::new));
  }

  /** The final state the connector must reach for a session, or null for one that is still open. */
  private static SessionStatus expectedStatus(GroundTruth t) {
    if (t.deleted()) {
      return SessionStatus.GONE;
    }
    if (t.terminated()) {
      return SessionStatus.TERMINATED;
    }
    return t.released() ? SessionStatus.RELEASED : null;
  }

  private static SessionStatus status(Connector c, String id) {
    SessionState s = c.sessions().state(id);
    return s == null ? null : s.status();
  }
}

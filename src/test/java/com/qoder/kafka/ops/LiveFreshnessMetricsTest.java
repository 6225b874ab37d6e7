package com.qoder.kafka.ops;

import static com.qoder.kafka.kafka.KafkaTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.IntegrationTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.qoder.kafka.config.ConfigLoader;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.KafkaTestSupport;
import com.qoder.kafka.runtime.Connector;
import com.qoder.kafka.sim.Endpoint;
import com.qoder.kafka.sim.Faults;
import com.qoder.kafka.sim.QoderSimulator;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Freshness, scraped the way Prometheus does: a real connector (embedded broker, the simulator over
 * HTTP) with its ops server on 127.0.0.1, read through {@code GET /metrics} and {@code /api/status}.
 * One session's events endpoint fails (5xx) for a while: its cursor age must grow and lead the top
 * ranks — with its id on the status page, never in a label — while the other sessions stay fresh,
 * and fall back once the API answers again. The dashboard and the alert rules are checked against
 * this live scrape: a renamed metric fails here.
 */
@IntegrationTest
class LiveFreshnessMetricsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final Set<String> OCCURRENCE_ONLY = Set.of("qoder_events_deduplicated_total",
      "qoder_events_dead_lettered_total", "qoder_http_retries_total", "qoder_http_rate_limit_wait_seconds_count",
      "qoder_http_rate_limit_wait_seconds_sum", "qoder_source_records_total");
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void cursorAgeOfAStalledSessionGrowsLeadsTheTopAndRecoversWhileTheOthersStayFresh() throws Exception {
    try (QoderSimulator sim = QoderSimulator.builder().seed(616).sessions(4).eventsPerSession(30).files(0)
        .agents(0).maxResourcesPerSession(0).terminatedFraction(0).releasedFraction(0).build().start()) {
      String prefix = KafkaTestSupport.uniqueTopic("fresh");
      Map<String, String> o = new HashMap<>();
      o.put(Settings.CONNECTOR_NAME.key(), prefix);
      o.put(Settings.QODER_BASE_URL.key(), sim.baseUrl());
      o.put(Settings.QODER_TOKEN.key(), sim.token());
      o.put(Settings.QODER_ORGANIZATION_IDS.key(), String.join(",", sim.organizations()));
      o.put(Settings.KAFKA_BOOTSTRAP.key(), KafkaTestSupport.sharedBroker().bootstrapServers());
      o.put(Settings.REGISTRY_URL.key(), "mock://" + prefix);
      for (String t : List.of("events", "errors", "dead-letter", "offsets")) {
        o.put("kafka.topics." + t, prefix + "." + t);
      }
      o.put(Settings.TOPIC_PARTITIONS.key(), "3");
      o.put(Settings.OFFSETS_PARTITIONS.key(), "3");
      o.put(Settings.POLL_MIN.key(), "100ms");
      o.put(Settings.POLL_MAX.key(), "500ms");
      o.put(Settings.DISCOVERY_INTERVAL.key(), "1s");
      o.put(Settings.QODER_BACKOFF_MIN.key(), "50ms");
      o.put(Settings.QODER_BACKOFF_MAX.key(), "300ms");
      o.put(Settings.SOURCE_RESOURCES.key(), "false");
      o.put(Settings.SOURCE_FILES.key(), "false");
      o.put(Settings.SOURCE_SESSIONS.key(), "false");
      o.put(Settings.OPS_ENABLED.key(), "true");
      o.put(Settings.OPS_BIND.key(), "127.0.0.1");
      o.put(Settings.OPS_PORT.key(), "0");
      o.put(Settings.SHUTDOWN_TIMEOUT.key(), "10s");
      try (Connector connector = Connector.start(ConfigLoader.load(null, Map.of(), o))) {
        String base = "http://127.0.0.1:" + connector.opsPort().orElseThrow();
        int sessions = sim.sessionIds().size();

        // Healthy: every session followed and read up to date; nothing waits for Kafka for long.
        String[] scrape = new String[1];
        // (A cursor counts as current from when it is followed, before its first page is read, so also
        // wait for every event to be acknowledged: then the backfill is over and nothing is in flight.)
        long events = sim.totalEvents();
        await(DEADLINE, () -> "all " + events + " events delivered, sessions fresh, nothing in flight in "
            + scrape[0], () -> {
          scrape[0] = get(base + "/metrics");
          return sum(scrape[0], "qoder_events_produced_total") >= events
              && value(scrape[0], "qoder_session_cursor_age_sessions", "le", "+Inf") == sessions
              && value(scrape[0], "qoder_session_cursor_age_sessions", "le", "5.0") == sessions
              && value(scrape[0], "qoder_session_undelivered_age_sessions", "le", "+Inf") == 0
              && connector.sessions().backlog().behind() == 0;
        });
        String healthy = scrape[0];
        assertThat(value(healthy, "qoder_session_cursor_age_max_seconds", null, null)).isLessThan(5);
        assertThat(value(healthy, "qoder_session_undelivered_age_max_seconds", null, null)).isZero();
        assertThat(value(healthy, "qoder_session_cursor_age_top_seconds", "rank", "5")).isGreaterThanOrEqualTo(0);
        assertThat(healthy).doesNotContain("sess_");

        // The dashboard and the alert rules name only metrics this running connector exports.
        Set<String> names = names(healthy);
        List<String> exprs = new ArrayList<>();
        DeploymentFilesTest.collect(JSON.readTree(DeploymentFilesTest.ROOT
            .resolve("deploy/grafana/qoder-kafka-dashboard.json").toFile()), exprs);
        exprs.addAll(DeploymentFilesTest.alertExpressions(DeploymentFilesTest.ROOT.resolve("deploy/prometheus/alerts.yaml")));
        Set<String> unknown = DeploymentFilesTest.metricNames(exprs).stream()
            .filter(n -> !names.contains(n) && !n.startsWith("jvm_gc_pause_seconds")
                // series that appear with their first occurrence (a duplicate, a dead letter, a retry, a
                // 429) or with a source this run leaves off; the registry test covers their names
                && !OCCURRENCE_ONLY.contains(n))
            .collect(Collectors.toCollection(TreeSet::new));
        assertThat(unknown).as("metric names in the dashboard or alerts.yaml missing from a live /metrics").isEmpty();
        assertThat(names).contains("qoder_session_cursor_age_sessions", "qoder_session_cursor_age_max_seconds",
            "qoder_session_cursor_age_top_seconds", "qoder_session_undelivered_age_sessions",
            "qoder_session_undelivered_age_max_seconds", "qoder_session_undelivered_age_top_seconds");

        // One session's events endpoint answers 503 to everything: its cursor ages, the others' do not.
        String stalled = sim.sessionIds().get(1);
        sim.faults().scope(Endpoint.EVENTS).serverError(Faults.Trigger.always().forSessions(stalled), 503);
        await(DEADLINE, () -> "the stalled session's cursor older than 8 s: " + scrape[0], () -> {
          scrape[0] = get(base + "/metrics");
          return value(scrape[0], "qoder_session_cursor_age_top_seconds", "rank", "1") > 8;
        });
        String stale = scrape[0];
        double top1 = value(stale, "qoder_session_cursor_age_top_seconds", "rank", "1");
        assertThat(value(stale, "qoder_session_cursor_age_max_seconds", null, null)).isEqualTo(top1);
        assertThat(value(stale, "qoder_session_cursor_age_top_seconds", "rank", "2"))
            .as("the next stalest is a healthy session (polled every 0.5 s)").isLessThan(4);
        assertThat(value(stale, "qoder_session_cursor_age_sessions", "le", "1.0")
            + (value(stale, "qoder_session_cursor_age_sessions", "le", "5.0")
                - value(stale, "qoder_session_cursor_age_sessions", "le", "1.0")))
            .as("the other sessions are within 5 s").isGreaterThanOrEqualTo(sessions - 1);
        assertThat(value(stale, "qoder_session_cursor_age_sessions", "le", "+Inf")).isEqualTo(sessions);
        JsonNode freshness = JSON.readTree(get(base + "/api/status")).path("extra").path("freshness");
        assertThat(freshness.path("stalestCursors").path(0).path("sessionId").asText())
            .as("the status page names the stalest session").isEqualTo(stalled);
        assertThat(stale).doesNotContain(stalled);
        System.out.printf("stalled session %s: cursor age %.1f s, next %.1f s%n", stalled, top1,
            value(stale, "qoder_session_cursor_age_top_seconds", "rank", "2"));

        // The API answers again: the session catches up and its age falls back.
        sim.faults().clear();
        await(DEADLINE, () -> "every cursor fresh again: " + scrape[0], () -> {
          scrape[0] = get(base + "/metrics");
          return value(scrape[0], "qoder_session_cursor_age_max_seconds", null, null) < 4;
        });
      }
    }
  }

  private String get(String url) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
          .GET().build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as("GET " + url).isEqualTo(200);
      return r.body();
    } catch (IOException e) {
      throw new AssertionError("GET " + url + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The value of the series of {@code name} with {@code label=value} (or any, when label is null). */
  static double value(String scrape, String name, String label, String value) {
    Pattern p = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$");
    Matcher m = p.matcher(scrape);
    while (m.find()) {
      if (label == null || m.group(1).contains(label + "=\"" + value + "\"")) {
        return Double.parseDouble(m.group(2));
      }
    }
    return Double.NaN;
  }

  /** The sum of every series of {@code name}; 0 before its first occurrence. */
  static double sum(String scrape, String name) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{[^}]*\\})? (\\S+)$").matcher(scrape);
    double total = 0;
    while (m.find()) {
      total += Double.parseDouble(m.group(1));
    }
    return total;
  }

  static Set<String> names(String scrape) {
    Set<String> names = new TreeSet<>();
    for (String line : scrape.split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        names.add(line.split("[{ ]", 2)[0]);
      }
    }
    return names;
  }
}

package com.qoder.kafka.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ConnectorMetricsTest {

  private final PrometheusMeterRegistry registry = ConnectorMetrics.newPrometheusRegistry("t");
  private final ConnectorMetrics metrics = new ConnectorMetrics(registry);

  @Test
  void garbageArgumentsNeverThrow() {
    String huge = "x".repeat(100_000);
    assertThatCode(
            () -> {
              for (String s : new String[] {null, "", "   ", huge, "\n\"{}", "type\u0000"}) {
                metrics.eventsFetched(s, 1);
                metrics.eventsProduced(s, -5);
                metrics.eventsDeduplicated(s, Long.MAX_VALUE);
                metrics.eventDeadLettered(s, s);
                metrics.httpRequest(s, -1, null);
                metrics.httpRequest(s, 99999, Duration.ofSeconds(-1));
                metrics.httpRequest(s, 200, Duration.ofMillis(5));
                metrics.httpRequestNanos(s, 700, -1);
                metrics.httpRequestNanos(s, Integer.MIN_VALUE, Long.MAX_VALUE);
                metrics.retry(s, s);
                metrics.rateLimitWaitMillis(s, -1);
                metrics.rateLimitWait(s, null);
                metrics.rateLimitWait(s, Duration.ofSeconds(-3));
                metrics.kafkaSend(s, null, true);
                metrics.kafkaSendNanos(s, -1, false);
                metrics.registryCall(s, null, false);
                metrics.sourceRecords(s, s, 3);
              }
              metrics.eventLag(null);
              metrics.eventLag(Duration.ofSeconds(-10));
              metrics.eventLagNanos(Long.MIN_VALUE);
              metrics.pollInterval(null);
              metrics.offsetCommit(null, true);
              metrics.bindSessionsByState(null);
              metrics.bindSessionsByState(null, null);
              metrics.bindInFlight(null, null);
              metrics.eventLagPercentileSeconds(Double.NaN);
            })
        .doesNotThrowAnyException();
    String scrape = registry.scrape();
    assertThat(scrape)
        .contains("qoder_events_fetched_total{connector=\"t\",type=\"unknown\"} 3.0")
        .contains("qoder_http_requests_total{connector=\"t\",endpoint=\"unknown\",status=\"none\"}")
        .doesNotContain(huge)
        .contains("x".repeat(BoundedTagValues.MAX_VALUE_LENGTH) + "\"");
  }

  @Test
  void aBrokenRegistryDoesNotBreakTheCaller() {
    PrometheusMeterRegistry broken = ConnectorMetrics.newPrometheusRegistry("t");
    AtomicInteger thrown = new AtomicInteger();
    // A buggy meter filter (user code run inside every registration) throws for one meter name.
    broken
        .config()
        .meterFilter(
            new MeterFilter() {
              @Override
              public MeterFilterReply accept(Meter.Id id) {
                if (id.getName().equals("qoder.events.fetched")) {
                  thrown.incrementAndGet();
                  throw new IllegalStateException("filter bug");
                }
                return MeterFilterReply.NEUTRAL;
              }
            });
    ConnectorMetrics m = new ConnectorMetrics(broken);
    assertThatCode(() -> m.eventsFetched("agent.message", 1)).doesNotThrowAnyException();
    assertThatCode(() -> m.eventsFetched("agent.message", 1)).doesNotThrowAnyException();
    assertThat(thrown).as("the failure really happened, twice").hasValue(2);
    m.eventsProduced("agent.message", 2); // other meters keep working
    assertThat(broken.scrape())
        .contains("qoder_events_produced_total{connector=\"t\",type=\"agent.message\"} 2.0")
        .doesNotContain("qoder_events_fetched_total");
  }

  @Test
  void theTypeTagIsBoundedAndOverflowGoesToOther() {
    ConnectorMetrics bounded = new ConnectorMetrics(registry, 3);
    for (int i = 0; i < 10; i++) {
      bounded.eventsProduced("type-" + i, 1);
    }
    bounded.eventsProduced("type-0", 1); // an early type keeps its own series
    String scrape = registry.scrape();
    assertThat(seriesOf(scrape, "qoder_events_produced_total"))
        .containsExactlyInAnyOrder(
            "type=\"type-0\"} 2.0",
            "type=\"type-1\"} 1.0",
            "type=\"type-2\"} 1.0",
            "type=\"other\"} 7.0");
  }

  @Test
  void httpStatusesAndClassesAreSeparateSeries() {
    metrics.httpRequest("events", 200, Duration.ofMillis(20));
    metrics.httpRequest("events", 200, Duration.ofMillis(30));
    metrics.httpRequest("events", 429, Duration.ofMillis(5));
    metrics.httpRequest("events", 0, Duration.ofSeconds(10));
    metrics.retry("events", "429");
    metrics.rateLimitWait("events", Duration.ofSeconds(2));
    String s = registry.scrape();
    assertThat(s)
        .contains(
            "qoder_http_requests_total{connector=\"t\",endpoint=\"events\",status=\"200\"} 2.0")
        .contains(
            "qoder_http_requests_total{connector=\"t\",endpoint=\"events\",status=\"429\"} 1.0")
        .contains(
            "qoder_http_requests_total{connector=\"t\",endpoint=\"events\",status=\"none\"} 1.0")
        .contains(
            "qoder_http_request_duration_seconds_count{connector=\"t\",endpoint=\"events\",status_class=\"2xx\"} 2")
        .contains(
            "qoder_http_request_duration_seconds_count{connector=\"t\",endpoint=\"events\",status_class=\"none\"} 1")
        .contains("qoder_http_retries_total{connector=\"t\",endpoint=\"events\",reason=\"429\"} 1.0")
        .contains("qoder_http_rate_limit_wait_seconds_sum{connector=\"t\",endpoint=\"events\"} 2.0");
  }

  @Test
  void gaugesReadTheirSuppliersAndReportNaNWhenTheyThrow() {
    Map<String, Long> states = Map.of("ACTIVE", 4L, "IDLE", 2L);
    metrics.bindSessionsByState(
        state -> {
          if (state.equals("GONE")) {
            throw new IllegalStateException("boom");
          }
          return states.getOrDefault(state, 0L);
        });
    long[] inFlight = {7};
    metrics.bindInFlight(() -> inFlight[0], () -> 1024);
    String first = registry.scrape();
    assertThat(first)
        .contains("qoder_sessions{connector=\"t\",state=\"ACTIVE\"} 4.0")
        .contains("qoder_sessions{connector=\"t\",state=\"IDLE\"} 2.0")
        .contains("qoder_sessions{connector=\"t\",state=\"TERMINATED\"} 0.0")
        .contains("qoder_sessions{connector=\"t\",state=\"GONE\"} NaN")
        .contains("qoder_kafka_in_flight_records{connector=\"t\"} 7.0")
        .contains("qoder_kafka_in_flight_bytes{connector=\"t\"} 1024.0");
    inFlight[0] = 3;
    assertThat(registry.scrape()).contains("qoder_kafka_in_flight_records{connector=\"t\"} 3.0");
  }

  @Test
  void lagIsOneHistogramWithRecentPercentiles() {
    assertThat(metrics.eventLagPercentileSeconds(0.5)).isNaN();
    for (int i = 1; i <= 100; i++) {
      metrics.eventLag(Duration.ofMillis(i * 100L)); // 0.1 s .. 10 s
    }
    assertThat(metrics.eventLagPercentileSeconds(0.5)).isBetween(4.5, 5.5);
    assertThat(metrics.eventLagPercentileSeconds(0.99)).isBetween(9.0, 10.5);
    assertThat(metrics.eventLagPercentileSeconds(0.75)).as("not configured").isNaN();
    String s = registry.scrape();
    assertThat(s)
        .contains("qoder_event_lag_seconds_bucket{connector=\"t\",le=\"1.0\"} 10")
        .contains("qoder_event_lag_seconds_bucket{connector=\"t\",le=\"10.0\"} 100")
        .contains("qoder_event_lag_seconds_count{connector=\"t\"} 100")
        .doesNotContain("quantile");
  }

  @Test
  void everyRecordingMethodShowsUpInTheScrape() {
    exerciseAll(metrics);
    String s = registry.scrape();
    for (String name : List.of(
        "qoder_events_fetched_total",
        "qoder_events_produced_total",
        "qoder_events_deduplicated_total",
        "qoder_events_dead_lettered_total",
        "qoder_event_lag_seconds_bucket",
        "qoder_sessions",
        "qoder_http_requests_total",
        "qoder_http_request_duration_seconds_bucket",
        "qoder_http_retries_total",
        "qoder_http_rate_limit_wait_seconds_bucket",
        "qoder_poll_interval_seconds_bucket",
        "qoder_kafka_send_latency_seconds_bucket",
        "qoder_kafka_in_flight_records",
        "qoder_kafka_in_flight_bytes",
        "qoder_offset_commit_latency_seconds_bucket",
        "qoder_schema_registry_request_duration_seconds_bucket",
        "qoder_source_records_total")) {
      assertThat(s).as(name).containsPattern("(?m)^" + Pattern.quote(name) + "\\{");
    }
    assertThat(s)
        .contains(
            "qoder_events_dead_lettered_total{connector=\"t\",reason=\"too_large\",type=\"agent.message\"} 1.0")
        .contains(
            "qoder_kafka_send_latency_seconds_count{connector=\"t\",outcome=\"success\",topic=\"qoder.events\"} 1")
        .contains("qoder_offset_commit_latency_seconds_count{connector=\"t\",outcome=\"failure\"} 1")
        .contains(
            "qoder_source_records_total{change=\"released\",connector=\"t\",source=\"sessions\"} 2.0");
  }

  @Test
  void jvmAndProcessBindersRegister() {
    JvmProcessMetrics jvm = JvmProcessMetrics.bindTo(registry);
    try {
      assertThat(registry.scrape())
          .contains("jvm_memory_used_bytes")
          .contains("jvm_threads_live_threads")
          .contains("process_uptime_seconds")
          .contains("system_cpu_count")
          .contains("jvm_classes_loaded_classes");
    } finally {
      jvm.close();
    }
  }

  @Test
  void rejectsANonPositiveTypeBound() {
    assertThatThrownBy(() -> new ConnectorMetrics(registry, 0))
        .hasMessageContaining("maxEventTypes must be at least 1");
  }

  /** Calls every method once with plausible values; shared with DeploymentFilesTest. */
  static void exerciseAll(ConnectorMetrics m) {
    m.eventsFetched("agent.message", 3);
    m.eventsProduced("agent.message", 3);
    m.eventsDeduplicated("agent.message", 1);
    m.eventDeadLettered("agent.message", "too_large");
    m.eventLag(Duration.ofMillis(800));
    m.bindSessionsByState(state -> 1);
    m.httpRequest("events", 200, Duration.ofMillis(30));
    m.httpRequest("events", 429, Duration.ofMillis(3));
    m.httpRequestNanos("events", 503, 2_000_000);
    m.retry("events", "429");
    m.rateLimitWait("events", Duration.ofSeconds(1));
    m.rateLimitWaitMillis("events", 500);
    m.pollInterval(Duration.ofSeconds(2));
    m.kafkaSend("qoder.events", Duration.ofMillis(4), true);
    m.bindInFlight(() -> 10, () -> 2048);
    m.offsetCommit(Duration.ofMillis(6), true);
    m.offsetCommit(Duration.ofMillis(60), false);
    m.registryCall("register", Duration.ofMillis(15), true);
    m.sourceRecords("sessions", "released", 2);
    m.bindFreshness(() -> new Freshness.Builder().add("sess_a", 12, 3).build());
  }

  /** The label part of each series of one metric, without the connector label. */
  private static List<String> seriesOf(String scrape, String metric) {
    Matcher m =
        Pattern.compile("(?m)^" + Pattern.quote(metric) + "\\{connector=\"t\",(.*)$").matcher(scrape);
    List<String> out = new java.util.ArrayList<>();
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }
}

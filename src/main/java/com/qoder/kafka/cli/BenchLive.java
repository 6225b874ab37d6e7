package com.qoder.kafka.cli;

import com.qoder.kafka.config.ConnectorConfig;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.EmbeddedKafka;
import com.qoder.kafka.runtime.Connector;
import com.qoder.kafka.sim.LiveMode;
import com.qoder.kafka.sim.QoderSimulator;
import com.qoder.kafka.sim.RequestStats;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The live phase of {@code qoder-kafka bench}: active sessions receiving events at a fixed rate;
 * end-to-end latency from the event's creation in the simulator to the record being readable by a
 * consumer ({@link LatencyConsumer}), with the connector in the bench's JVM.
 */
final class BenchLive {

  private final EmbeddedKafka kafka;
  private final Map<String, String> userSettings;
  private final ConnectorConfig base;
  private final PrintStream console;
  private final boolean profile;
  private final long seed;

  BenchLive(EmbeddedKafka kafka, Map<String, String> userSettings, ConnectorConfig base, PrintStream console,
      boolean profile, long seed) {
    this.kafka = kafka;
    this.userSettings = userSettings;
    this.base = base;
    this.console = console;
    this.profile = profile;
    this.seed = seed;
  }

  Map<String, Object> run(int sessions, double eventRate, Duration warmup, Duration window, int requestRate)
      throws Exception {
    console.printf("%n== live: %d active sessions, %.0f new events/s; %s warm-up, %s measured%n",
        sessions, eventRate, DurationConverter.format(warmup), DurationConverter.format(window));
    Map<String, Object> r = new LinkedHashMap<>();
    try (QoderSimulator sim = QoderSimulator.builder().seed(seed + 1).sessions(sessions).eventsPerSession(2)
        .terminatedFraction(0).releasedFraction(0).files(0).agents(0).maxResourcesPerSession(0)
        .requestLogCapacity(0).historyEnd(Instant.now()).liveMode(LiveMode.events(eventRate)).build().start()) {
      Map<String, String> settings = new LinkedHashMap<>();
      settings.put(Settings.QODER_RATE.key(), Integer.toString(requestRate));
      try (Connector c = BenchSupport.connector("live", sim, kafka, sim.sessionIds().get(0), settings, userSettings)) {
        LatencyConsumer consumer = new LatencyConsumer(kafka.bootstrapServers(), BenchSupport.eventsTopic("live"));
        consumer.start();
        for (String id : sim.sessionIds()) {
          c.sessions().track(id);
        }
        Thread.sleep(warmup.toMillis()); // the bench drives wall-clock phases; nothing to wait for
        JfrProfile profiler = profile ? JfrProfile.start(Path.of("target", "bench", "live.jfr").toAbsolutePath()) : null;
        long from = LatencyConsumer.nowNanos();
        RequestStats stats0 = sim.requestStats();
        long req0 = stats0.total();
        long del0 = c.status().delivered();
        long created0 = sim.totalEvents();
        long cpu0 = BenchSupport.processCpuNanos();
        Thread.sleep(window.toMillis());
        long to = LatencyConsumer.nowNanos();
        RequestStats stats1 = sim.requestStats();
        long req1 = stats1.total();
        long del1 = c.status().delivered();
        long created1 = sim.totalEvents();
        long cpu1 = BenchSupport.processCpuNanos();
        if (profiler != null) {
          r.put("profile", profiler.stopAndSummarise(15));
          profiler.close();
        }
        sim.liveMode(LiveMode.off());
        boolean drained = BenchSupport.await(() -> c.status().delivered() >= sim.totalEvents(), Duration.ofSeconds(90));
        BenchSupport.await(() -> consumer.recordsRead() >= c.status().delivered(), Duration.ofSeconds(30));
        consumer.finish();
        long[] lat = consumer.latenciesCreatedBetween(from, to);
        double seconds = (to - from) / 1e9;
        r.put("sessions", sessions);
        r.put("eventRatePerSecond", eventRate);
        r.put("windowSeconds", BenchSupport.round(seconds, 1));
        r.put("eventsCreatedInWindow", created1 - created0);
        r.put("eventsMeasured", lat.length);
        r.put("latencyP50Ms", ms(LatencyConsumer.quantile(lat, 0.50)));
        r.put("latencyP90Ms", ms(LatencyConsumer.quantile(lat, 0.90)));
        r.put("latencyP99Ms", ms(LatencyConsumer.quantile(lat, 0.99)));
        r.put("latencyP999Ms", ms(LatencyConsumer.quantile(lat, 0.999)));
        r.put("latencyMaxMs", lat.length == 0 ? Double.NaN : ms(lat[lat.length - 1]));
        r.put("deliveredInWindow", del1 - del0);
        r.put("apiRequestsInWindow", req1 - req0);
        r.put("apiRequestsPerSecond", BenchSupport.round((req1 - req0) / seconds, 1));
        r.put("apiRequestsPerDeliveredEvent", BenchSupport.round((double) (req1 - req0) / Math.max(1, del1 - del0), 3));
        r.put("apiRequestsInWindowByEndpoint", BenchSupport.byEndpoint(stats0, stats1));
        r.put("cpuCoresUsed", BenchSupport.round((cpu1 - cpu0) / 1e9 / seconds, 2));
        r.put("drainedAfterWindow", drained);
        r.put("pollIntervalMinMs", base.duration(Settings.POLL_MIN).toMillis());
        r.put("settings", Map.of(Settings.QODER_RATE.key(), requestRate));
        console.printf("   latency p50 %.0f ms, p99 %.0f ms, max %.0f ms over %,d events; %.2f API requests per event,"
                + " %.2f cores busy%n", r.get("latencyP50Ms"), r.get("latencyP99Ms"), r.get("latencyMaxMs"), lat.length,
            r.get("apiRequestsPerDeliveredEvent"), r.get("cpuCoresUsed"));
      }
    }
    return r;
  }

  private static double ms(double nanos) {
    return BenchSupport.round(nanos / 1e6, 1);
  }
}

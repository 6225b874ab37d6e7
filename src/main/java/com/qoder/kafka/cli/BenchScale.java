package com.qoder.kafka.cli;

import com.qoder.kafka.config.ConnectorConfig;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.EmbeddedKafka;
import com.qoder.kafka.runtime.Connector;
import com.qoder.kafka.sim.LiveMode;
import com.qoder.kafka.sim.QoderSimulator;
import com.qoder.kafka.sim.RequestStats;
import com.qoder.kafka.source.SessionStatus;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The scale phase of {@code qoder-kafka bench}: many tracked, idle sessions held for a while; heap
 * per session, requests/s, CPU and threads, with the connector in the bench's JVM.
 */
final class BenchScale {

  private final EmbeddedKafka kafka;
  private final Map<String, String> userSettings;
  private final ConnectorConfig base;
  private final PrintStream console;
  private final long seed;

  BenchScale(EmbeddedKafka kafka, Map<String, String> userSettings, ConnectorConfig base, PrintStream console,
      long seed) {
    this.kafka = kafka;
    this.userSettings = userSettings;
    this.base = base;
    this.console = console;
    this.seed = seed;
  }

  Map<String, Object> run(int sessions, Duration hold, int requestRate, double eventRate, Duration baseline)
      throws Exception {
    console.printf("%n== scale: %,d tracked idle sessions held for %s%n", sessions, DurationConverter.format(hold));
    Map<String, Object> r = new LinkedHashMap<>();
    long buildStart = System.nanoTime();
    try (QoderSimulator sim = QoderSimulator.builder().seed(seed + 2).sessions(sessions).eventsPerSession(0)
        .terminatedFraction(0).releasedFraction(0).files(0).agents(0).maxResourcesPerSession(0)
        .requestLogCapacity(0).historyEnd(Instant.now().minusSeconds(3600))
        .liveMode(eventRate > 0 ? LiveMode.events(eventRate) : LiveMode.off()).build().start()) {
      console.printf("   simulator with %,d sessions built in %.1f s%n", sessions, (System.nanoTime() - buildStart) / 1e9);
      Map<String, String> settings = new LinkedHashMap<>();
      if (requestRate > 0) {
        settings.put(Settings.QODER_RATE.key(), Integer.toString(requestRate));
      }
      try (Connector c = BenchSupport.connector("scale", sim, kafka, sim.sessionIds().get(0), settings, userSettings)) {
        List<String> ids = sim.sessionIds();
        long heap0 = BenchSupport.heapAfterGc();
        Map<String, long[]> histogram0 = BenchSupport.classHistogram();
        int threads0 = BenchSupport.threads();
        // What the process costs with one session, to tell the sessions' CPU from the broker's and the JVM's.
        // Let the collections and the histogram's work settle first (3 s; less for a shorter baseline).
        Thread.sleep(Math.min(3_000, baseline.toMillis()));
        long idleCpu0 = BenchSupport.processCpuNanos();
        long idleT0 = System.nanoTime();
        Thread.sleep(baseline.toMillis());
        double idleCores = (BenchSupport.processCpuNanos() - idleCpu0) / 1e9 / ((System.nanoTime() - idleT0) / 1e9);
        sim.resetRequestLog();
        long t0 = System.nanoTime();
        for (String id : ids) {
          c.sessions().track(id);
        }
        double trackSeconds = (System.nanoTime() - t0) / 1e9;
        long cpu0 = BenchSupport.processCpuNanos();
        long tHold = System.nanoTime();
        // The first 10 s (or a sixth of the hold) are the ramp; steady-state rates are taken after it.
        long rampMillis = Math.min(10_000, hold.toMillis() / 6);
        Thread.sleep(rampMillis);
        long req1 = sim.requestStats().total();
        long cpu1 = BenchSupport.processCpuNanos();
        long t1 = System.nanoTime();
        Thread.sleep(Math.max(0, hold.toMillis() - rampMillis));
        long t2 = System.nanoTime();
        long cpu2 = BenchSupport.processCpuNanos();
        RequestStats stats = sim.requestStats();
        int threads1 = BenchSupport.threads();
        Map<SessionStatus, Long> byStatus = c.sessions().countByStatus();
        int polled = c.sessions().polled();
        sim.resetRequestLog(); // its per-session counters are the simulator's memory, not the connector's
        long heap1 = BenchSupport.heapAfterGc();
        Map<String, long[]> histogram1 = BenchSupport.classHistogram();
        double steadySeconds = (t2 - t1) / 1e9;
        double holdSeconds = (t2 - tHold) / 1e9;
        String budget = settings.getOrDefault(Settings.QODER_RATE.key(),
            Integer.toString(base.integer(Settings.QODER_RATE)));
        r.put("sessions", sessions);
        r.put("holdSeconds", BenchSupport.round(holdSeconds, 1));
        r.put("trackSeconds", BenchSupport.round(trackSeconds, 2));
        r.put("pollers", polled);
        r.put("sessionsByStatus", byStatus);
        r.put("heapBaselineBytes", heap0);
        r.put("heapWithSessionsBytes", heap1);
        r.put("heapPerSessionBytes", BenchSupport.round((double) (heap1 - heap0) / sessions, 1));
        r.put("heapPerSessionByClass", BenchSupport.histogramGrowth(histogram0, histogram1, sessions, 25));
        r.put("requestBudgetPerSecond", Integer.parseInt(budget));
        r.put("apiRequests", stats.total());
        r.put("apiRequestsByEndpoint", BenchSupport.byEndpoint(new RequestStats(0, Map.of(), Map.of(), Map.of()), stats));
        r.put("sessionsPolledAtLeastOnce", stats.bySession().size());
        r.put("apiRequestsPerSecondSteady", BenchSupport.round((stats.total() - req1) / steadySeconds, 1));
        r.put("apiErrors", stats.total() - stats.status(200));
        r.put("fullRoundSeconds", BenchSupport.round(sessions / Math.max(1e-9, (stats.total() - req1) / steadySeconds), 0));
        r.put("cpuCoresUsedBeforeTracking", BenchSupport.round(idleCores, 3));
        r.put("cpuCoresUsedSteady", BenchSupport.round((cpu2 - cpu1) / 1e9 / steadySeconds, 3));
        r.put("cpuShareOfMachineSteady", BenchSupport.round((cpu2 - cpu1) / 1e9 / steadySeconds / BenchSupport.cores(), 4));
        r.put("cpuCoresUsedWholeHold", BenchSupport.round((cpu2 - cpu0) / 1e9 / holdSeconds, 3));
        r.put("threadsBefore", threads0);
        r.put("threadsAfter", threads1);
        r.put("liveEventRate", eventRate);
        r.put("delivered", c.status().delivered());
        console.printf("   heap %.0f bytes per session, %.1f requests/s (budget %s), %.3f cores busy, threads %d -> %d%n",
            r.get("heapPerSessionBytes"), r.get("apiRequestsPerSecondSteady"), budget, r.get("cpuCoresUsedSteady"),
            threads0, threads1);
      }
    }
    return r;
  }
}

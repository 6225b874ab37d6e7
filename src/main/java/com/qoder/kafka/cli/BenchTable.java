package com.qoder.kafka.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The bench's summary: one row per figure, with the target it is held against and whether it is met. */
final class BenchTable {

  /**
   * "Near idle" for the steady state: polling the idle sessions (connector and simulator answering)
   * adds at most this many cores over the process with no sessions (broker and JVM background).
   */
  static final double NEAR_IDLE_CORES = 0.10;
  /** "No thread per session": tracking all sessions may add at most this many threads. */
  static final int MAX_EXTRA_THREADS = 16;

  private BenchTable() {}

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> rows(Map<String, Object> results) {
    List<Map<String, Object>> rows = new ArrayList<>();
    Map<String, Object> raw = (Map<String, Object>) results.get("raw");
    Map<String, Object> backfill = (Map<String, Object>) results.get("backfill");
    Map<String, Object> live = (Map<String, Object>) results.get("live");
    Map<String, Object> scale = (Map<String, Object>) results.get("scale");
    if (raw != null) {
      rows.add(row("raw", "Kafka ProducerPerformance records/s (" + raw.get("recordSizeBytes") + " B records)",
          raw.get("recordsPerSecond"), "-", null));
      rows.add(row("raw", "producer JVM CPU µs per record", raw.get("cpuMicrosPerRecord"), "-", null));
      rows.add(row("raw", "broker JVM CPU µs per record", raw.get("brokerJvmCpuMicrosPerRecord"), "-", null));
    }
    if (backfill != null) {
      rows.add(row("backfill", "connector events/s (first request -> last ack)", backfill.get("eventsPerSecond"), "-",
          null));
      if (raw != null) {
        double ratio = num(backfill.get("eventsPerSecond")) / num(raw.get("recordsPerSecond"));
        backfill.put("ratioToRawProducer", BenchSupport.round(ratio, 3));
        rows.add(row("backfill", "ratio backfill events/s / raw records/s", BenchSupport.round(ratio, 3), ">= 0.6",
            ratio >= 0.6));
      }
      rows.add(row("backfill", "records in topic == events (no loss, no duplicates)", backfill.get("recordsInEventsTopic"),
          "== " + backfill.get("events"), Boolean.TRUE.equals(backfill.get("noLossNoDuplicates"))));
      rows.add(row("backfill", "connector JVM CPU cores busy", backfill.get("connectorJvmCpuCoresUsed"), "-", null));
      rows.add(row("backfill", "connector JVM CPU µs per event", backfill.get("cpuMicrosPerEvent"), "-", null));
      if (raw != null) {
        double cpuRatio = num(backfill.get("cpuMicrosPerEvent")) / num(raw.get("cpuMicrosPerRecord"));
        backfill.put("cpuRatioToRawProducer", BenchSupport.round(cpuRatio, 3));
        rows.add(row("backfill", "ratio connector CPU/event / producer CPU/record", BenchSupport.round(cpuRatio, 3),
            "<= 2", cpuRatio <= 2));
      }
      double alloc = num(backfill.get("allocatedBytesPerEvent"));
      rows.add(row("backfill", "connector JVM bytes allocated per event", alloc, "<= 2048", alloc <= 2048));
      rows.add(row("backfill", "broker + simulator JVM CPU µs per event",
          backfill.get("brokerAndSimulatorJvmCpuMicrosPerEvent"), "-", null));
    }
    if (live != null) {
      double limit = num(live.get("pollIntervalMinMs")) + 100;
      rows.add(row("live", "end-to-end latency p50 ms (" + live.get("sessions") + " sessions, "
          + live.get("eventRatePerSecond") + " ev/s)", live.get("latencyP50Ms"), "-", null));
      rows.add(row("live", "end-to-end latency p99 ms", live.get("latencyP99Ms"), "<= " + (long) limit,
          num(live.get("latencyP99Ms")) <= limit));
      rows.add(row("live", "end-to-end latency max ms", live.get("latencyMaxMs"), "-", null));
      rows.add(row("live", "API requests per delivered event", live.get("apiRequestsPerDeliveredEvent"), "-", null));
      rows.add(row("live", "CPU cores busy (whole process)", live.get("cpuCoresUsed"), "-", null));
    }
    if (scale != null) {
      rows.add(row("scale", "heap bytes per tracked idle session (" + scale.get("sessions") + " sessions)",
          scale.get("heapPerSessionBytes"), "<= 1024", num(scale.get("heapPerSessionBytes")) <= 1024));
      double budget = num(scale.get("requestBudgetPerSecond"));
      rows.add(row("scale", "API requests/s, steady state", scale.get("apiRequestsPerSecondSteady"),
          "<= budget " + (long) budget, num(scale.get("apiRequestsPerSecondSteady")) <= budget * 1.02));
      rows.add(row("scale", "API errors (non-200 answers)", scale.get("apiErrors"), "== 0",
          num(scale.get("apiErrors")) == 0));
      rows.add(row("scale", "CPU cores busy, steady state (whole process)", scale.get("cpuCoresUsedSteady"), "-",
          null));
      double added = num(scale.get("cpuCoresUsedSteady")) - num(scale.get("cpuCoresUsedBeforeTracking"));
      rows.add(row("scale", "CPU cores added by polling the idle sessions (incl. simulator)", BenchSupport.round(added, 3),
          "<= " + NEAR_IDLE_CORES, added <= NEAR_IDLE_CORES));
      int extra = (int) (num(scale.get("threadsAfter")) - num(scale.get("threadsBefore")));
      rows.add(row("scale", "threads added by tracking the sessions", extra, "<= " + MAX_EXTRA_THREADS,
          extra <= MAX_EXTRA_THREADS));
      rows.add(row("scale", "seconds for one polling round over all sessions", scale.get("fullRoundSeconds"), "-",
          null));
    }
    Map<String, Object> idle = (Map<String, Object>) results.get("memoryIdle");
    Map<String, Object> run = (Map<String, Object>) results.get("memoryRun");
    Map<String, Object> outage = (Map<String, Object>) results.get("memoryOutage");
    if (idle != null) {
      rows.add(row("memory-idle", "heap bytes per idle restored session (" + idle.get("sessions") + " x "
          + idle.get("eventsDeliveredPerSession") + " events)", idle.get("heapPerSessionBytes"), "<= 1024",
          num(idle.get("heapPerSessionBytes")) <= 1024));
    }
    if (run != null) {
      rows.add(row("memory-run", "heap bytes per idle session after a real run (" + run.get("sessions") + " x "
          + run.get("eventsPerSession") + " events)", run.get("heapPerSessionBytes"), "<= 1024",
          num(run.get("heapPerSessionBytes")) <= 1024));
      if (idle != null) {
        double ratio = num(run.get("heapPerSessionBytes")) / num(idle.get("heapPerSessionBytes"));
        run.put("ratioToMemoryIdle", BenchSupport.round(ratio, 3));
        // Shown, not judged: the heap reading of the run's second half (1,000 sessions) moves by
        // 150-200 bytes a session between runs of the same commit (partly filled regions are a
        // measurable share of 1 MB), while the live objects of the class histograms agree within a
        // few bytes; the verdict is theirs. At 100,000 sessions both readings agree.
        rows.add(row("memory-run", "ratio real run / restored idle, heap reading", BenchSupport.round(ratio, 3), "-",
            null));
        double liveRatio = num(run.get("liveObjectBytesPerSession")) / num(idle.get("liveObjectBytesPerSession"));
        run.put("liveRatioToMemoryIdle", BenchSupport.round(liveRatio, 3));
        rows.add(row("memory-run", "ratio real run / restored idle, live objects", BenchSupport.round(liveRatio, 3),
            "0.9 .. 1.1", liveRatio >= 0.9 && liveRatio <= 1.1));
      }
    }
    if (outage != null) {
      double limit = num(outage.get("maxInFlightBytesSetting")) * 1.1;
      rows.add(row("memory-outage", "heap growth after GC over a " + outage.get("outageSeconds") + " s broker outage ("
          + outage.get("sessions") + " sessions), bytes", outage.get("heapGrowthBytes"),
          "<= " + String.format("%,d", (long) limit), num(outage.get("heapGrowthBytes")) <= limit));
      rows.add(row("memory-outage", "every event delivered after the outage", outage.get("deliveredAfterRecovery"),
          "all", Boolean.TRUE.equals(outage.get("completedAfterRecovery"))));
    }
    return rows;
  }

  static String render(List<Map<String, Object>> rows) {
    String[] head = {"phase", "figure", "value", "target", "met"};
    List<String[]> cells = new ArrayList<>();
    cells.add(head);
    for (Map<String, Object> r : rows) {
      Object met = r.get("met");
      cells.add(new String[] {String.valueOf(r.get("phase")), String.valueOf(r.get("figure")), format(r.get("value")),
          String.valueOf(r.get("target")), met == null ? "" : ((Boolean) met ? "yes" : "NO")});
    }
    int[] w = new int[head.length];
    for (String[] c : cells) {
      for (int i = 0; i < c.length; i++) {
        w[i] = Math.max(w[i], c[i].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (int k = 0; k < cells.size(); k++) {
      String[] c = cells.get(k);
      for (int i = 0; i < c.length; i++) {
        boolean right = i == 2;
        sb.append(right ? String.format("%" + w[i] + "s", c[i]) : String.format("%-" + w[i] + "s", c[i]));
        sb.append(i == c.length - 1 ? "" : " | ");
      }
      sb.append('\n');
      if (k == 0) {
        for (int i = 0; i < w.length; i++) {
          sb.append("-".repeat(w[i])).append(i == w.length - 1 ? "" : "-+-");
        }
        sb.append('\n');
      }
    }
    return sb.toString();
  }

  private static Map<String, Object> row(String phase, String figure, Object value, String target, Boolean met) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("phase", phase);
    r.put("figure", figure);
    r.put("value", value);
    r.put("target", target);
    r.put("met", met);
    return r;
  }

  private static String format(Object v) {
    if (v instanceof Double d) {
      return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.format("%,d", d.longValue()) : String.format("%,.3f", d);
    }
    if (v instanceof Long || v instanceof Integer) {
      return String.format("%,d", ((Number) v).longValue());
    }
    return String.valueOf(v);
  }

  private static double num(Object v) {
    return v instanceof Number n ? n.doubleValue() : Double.NaN;
  }
}

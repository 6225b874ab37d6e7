package com.qoder.kafka.cli;

import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.EmbeddedKafka;
import com.qoder.kafka.sim.QoderSimulator;
import com.qoder.kafka.sim.RequestStats;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * The backfill phase of {@code qoder-kafka bench}: sessions with history drained into Kafka by a
 * connector in its own JVM ({@link BenchConnectorJvm}) from pages the simulator rendered once
 * before, so the figures are the connector's pipeline, not the simulator's rendering.
 */
final class BenchBackfill {

  private final EmbeddedKafka kafka;
  private final Map<String, String> userSettings;
  private final PrintStream console;
  private final boolean verbose;
  private final boolean profile;
  private final long seed;
  private final int pageSize;

  BenchBackfill(EmbeddedKafka kafka, Map<String, String> userSettings, int pageSize, PrintStream console,
      boolean verbose, boolean profile, long seed) {
    this.kafka = kafka;
    this.userSettings = userSettings;
    this.pageSize = pageSize;
    this.console = console;
    this.verbose = verbose;
    this.profile = profile;
    this.seed = seed;
  }

  Map<String, Object> run(QoderSimulator sim, int sessions, int eventsPerSession, int requestRate, long warmupEvents,
      Duration timeout) throws Exception {
    long total = sim.totalEvents();
    console.printf("%n== backfill: %d sessions x %d events = %,d events already in the simulator%n",
        sessions, eventsPerSession, total);
    long t0 = System.nanoTime();
    long pageBytes = sim.freezeEventPages(pageSize);
    console.printf("   pages of %d events rendered once, %,d bytes kept in memory (%.1f s); the connector runs in"
        + " its own JVM%n", pageSize, pageBytes, (System.nanoTime() - t0) / 1e9);
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put(Settings.QODER_RATE.key(), Integer.toString(requestRate));
    Map<String, Object> r = new LinkedHashMap<>();
    try (BenchConnectorJvm.Child child = BenchConnectorJvm.Child.start(console, verbose)) {
      if (warmupEvents > 0) {
        r.put("warmupSeconds", BenchSupport.round(warmUp(child, settings, warmupEvents), 1));
      }
      sim.start();
      child.call("start", "settings", BenchSupport.connectorSettings("backfill", sim.baseUrl(), sim.token(), kafka,
          sim.sessionIds().get(0), settings, userSettings));
      if (profile) {
        child.call("profile-start", "file", Path.of("target", "bench", "backfill.jfr").toAbsolutePath().toString());
      }
      // The configured first session started polling inside start(); the clock starts at its first request.
      child.call("mark", "name", "backfill");
      Map<Long, Map.Entry<String, Long>> threads0 = BenchSupport.threadCpu();
      long cpu0 = BenchSupport.processCpuNanos();
      child.call("track", "ids", sim.sessionIds());
      Map<String, Object> done = child.call("await", "delivered", total, "timeoutMs", timeout.toMillis());
      long delivered = ((Number) done.get("delivered")).longValue();
      Map<String, Object> used = child.call("since", "name", "backfill", "units", delivered);
      long cpu1 = BenchSupport.processCpuNanos();
      Map<Long, Map.Entry<String, Long>> threads1 = BenchSupport.threadCpu();
      if (profile) {
        r.put("profile", child.call("profile-stop").get("profile"));
      }
      Map<String, Object> status = child.call("status");
      child.call("stop");
      Instant firstRequest = sim.requestLog().get(0).time();
      Instant finished = Instant.ofEpochMilli(((Number) done.get("finishedAtEpochMillis")).longValue());
      double seconds = Duration.between(firstRequest, finished).toNanos() / 1e9;
      RequestStats requests = sim.requestStats();
      r.put("sessions", sessions);
      r.put("eventsPerSession", eventsPerSession);
      r.put("events", total);
      r.put("delivered", delivered);
      r.put("completed", Boolean.TRUE.equals(done.get("done")));
      r.put("seconds", BenchSupport.round(seconds, 3));
      r.put("eventsPerSecond", BenchSupport.round(delivered / seconds, 1));
      r.put("apiRequests", requests.total());
      r.put("apiRequestsPerEvent", BenchSupport.round((double) requests.total() / Math.max(1, delivered), 4));
      r.put("frozenPageBytes", pageBytes);
      // The connector's JVM alone: its process CPU (every thread, GC and JIT included) per event.
      r.put("connectorJvmCpuCoresUsed", used.get("cpuCoresUsed"));
      r.put("cpuMicrosPerEvent", used.get("cpuMicrosPerUnit"));
      r.put("cpuMicrosPerEventByThreadRole", used.get("cpuMicrosPerUnitByThreadRole"));
      r.put("allocatedBytesPerEvent", used.get("allocatedBytesPerUnit"));
      r.put("gcMillis", used.get("gcMillis"));
      // The bench's JVM over the same time: the broker and the simulator serving stored pages.
      r.put("brokerAndSimulatorJvmCpuMicrosPerEvent", BenchSupport.round((cpu1 - cpu0) / 1e3 / Math.max(1, delivered), 2));
      r.put("brokerAndSimulatorJvmCpuByThreadRole", BenchSupport.cpuByRole(threads0, threads1, cpu1 - cpu0, delivered));
      r.put("maxInFlightRecords", status.get("maxInFlightRecords"));
      r.put("maxInFlightBytes", status.get("maxInFlightBytes"));
      r.put("recordsInEventsTopic", recordsIn(kafka, BenchSupport.eventsTopic("backfill")));
      r.put("noLossNoDuplicates", r.get("recordsInEventsTopic").equals(total));
      r.put("settings", Map.of(Settings.QODER_RATE.key(), requestRate));
      console.printf("   %,d events in %.2f s: %,.0f events/s, %d API requests; connector JVM %.2f cores,"
              + " %.1f µs CPU and %,.0f bytes allocated per event; records in topic %,d%n",
          delivered, seconds, delivered / seconds, requests.total(), used.get("cpuCoresUsed"),
          used.get("cpuMicrosPerUnit"), used.get("allocatedBytesPerUnit"), (Long) r.get("recordsInEventsTopic"));
      if (done.containsKey("fatalError")) {
        r.put("fatalError", done.get("fatalError"));
      }
    }
    return r;
  }

  /**
   * A throwaway backfill of {@code warmupEvents} through its own connector and topics in the
   * connector's JVM, so the measured one runs JIT-compiled code, as a long-running connector does.
   */
  private double warmUp(BenchConnectorJvm.Child child, Map<String, String> settings, long warmupEvents)
      throws Exception {
    long t0 = System.nanoTime();
    int sessions = 20;
    int events = (int) Math.max(1, warmupEvents / sessions);
    console.printf("   warming up: %,d events through a throwaway connector ...%n", (long) sessions * events);
    try (QoderSimulator warm = QoderSimulator.builder().seed(seed + 100).sessions(sessions).eventsPerSession(events)
        .terminatedFraction(0).releasedFraction(0).files(0).agents(0).maxResourcesPerSession(0).requestLogCapacity(0)
        .historyEnd(Instant.now().minusSeconds(3600)).build()) {
      warm.freezeEventPages(pageSize);
      warm.start();
      child.call("start", "settings", BenchSupport.connectorSettings("backfill-warmup", warm.baseUrl(), warm.token(),
          kafka, warm.sessionIds().get(0), settings, userSettings));
      child.call("track", "ids", warm.sessionIds());
      child.call("await", "delivered", warm.totalEvents(), "timeoutMs", 180_000);
      child.call("stop");
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  private static long recordsIn(EmbeddedKafka kafka, String topic) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      long sum = 0;
      for (var info : admin.listOffsets(latest).all().get().values()) {
        sum += info.offset();
      }
      return sum;
    }
  }
}

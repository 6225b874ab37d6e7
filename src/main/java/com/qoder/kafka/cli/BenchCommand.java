package com.qoder.kafka.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.qoder.kafka.api.SessionEvent;
import com.qoder.kafka.api.Timestamps;
import com.qoder.kafka.avro.AvroCodec;
import com.qoder.kafka.avro.EventMapper;
import com.qoder.kafka.avro.MappingResult;
import com.qoder.kafka.config.ConfigException;
import com.qoder.kafka.config.ConfigLoader;
import com.qoder.kafka.config.ConnectorConfig;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.CloudEventsHeaders;
import com.qoder.kafka.kafka.EmbeddedKafka;
import com.qoder.kafka.runtime.Connector;
import com.qoder.kafka.sim.LiveMode;
import com.qoder.kafka.sim.QoderSimulator;
import com.qoder.kafka.sim.RequestStats;
import com.qoder.kafka.source.SessionStatus;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code qoder-kafka bench}: the connector's performance next to Kafka's own producer, on this
 * machine. The bench's JVM holds an in-process broker and the API simulator; the backfill's
 * connector and the raw producer each run in a JVM of their own ({@link BenchConnectorJvm}), so
 * that the CPU, heap and allocation they report are theirs alone.
 *
 * <ol>
 *   <li><b>raw</b>: {@code kafka-producer-perf-test} with the connector's producer settings and
 *       record size, in its own JVM: the ceiling for this broker and machine.
 *   <li><b>backfill</b>: sessions with history, drained into Kafka by a connector in its own JVM
 *       from pages the simulator rendered once before; events/s from the first request to the
 *       last acknowledgement, the connector JVM's CPU and allocation per event, and the ratios to
 *       the raw producer.
 *   <li><b>live</b>: active sessions receiving events at a fixed rate; end-to-end latency from
 *       the event's creation in the simulator to the record being readable by a consumer.
 *   <li><b>scale</b>: many tracked, idle sessions; heap per session, requests/s, CPU, threads.
 * </ol>
 *
 * Prints one table and writes the full results as JSON.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Benchmarks the connector against Kafka's own producer on an in-process broker,",
        "with the Qoder API simulator in the same process. Prints a table and writes JSON.",
        "Default sizes take about 3 minutes on 2 cores."})
final class BenchCommand implements Callable<Integer> {

  @Option(names = "--phases", split = ",", defaultValue = "raw,backfill,live,scale",
      description = "Phases to run, comma-separated: raw, backfill, live, scale, memory-idle, memory-run,"
          + " memory-outage. Default: ${DEFAULT-VALUE}.")
  List<String> phases;

  @Option(names = "--raw-records", defaultValue = "0",
      description = "Records the raw producer sends; 0: three times the backfill's events (at least 300000).")
  long rawRecords;

  @Option(names = "--backfill-sessions", defaultValue = "200", description = "Sessions with history. Default: ${DEFAULT-VALUE}.")
  int backfillSessions;

  @Option(names = "--backfill-events", defaultValue = "1000", description = "Events per session. Default: ${DEFAULT-VALUE}.")
  int backfillEvents;

  @Option(names = "--backfill-request-rate", defaultValue = "10000",
      description = "qoder.max-requests-per-second during the backfill (the default 50 would make the budget,"
          + " not the pipeline, the limit). Default: ${DEFAULT-VALUE}.")
  int backfillRequestRate;

  @Option(names = "--backfill-warmup-events", defaultValue = "40000",
      description = "Events of a throwaway backfill run first, so the measured one runs compiled code (0: none)."
          + " Default: ${DEFAULT-VALUE}.")
  long backfillWarmupEvents;

  @Option(names = "--backfill-timeout", defaultValue = "5m", converter = DurationConverter.class,
      description = "Give up on the backfill after this long. Default: ${DEFAULT-VALUE}.")
  Duration backfillTimeout;

  @Option(names = "--live-sessions", defaultValue = "1000", description = "Active sessions. Default: ${DEFAULT-VALUE}.")
  int liveSessions;

  @Option(names = "--live-rate", defaultValue = "1000", description = "New events per second, all sessions together. Default: ${DEFAULT-VALUE}.")
  double liveRate;

  @Option(names = "--live-warmup", defaultValue = "15s", converter = DurationConverter.class,
      description = "Time before the measurement window. Default: ${DEFAULT-VALUE}.")
  Duration liveWarmup;

  @Option(names = "--live-duration", defaultValue = "60s", converter = DurationConverter.class,
      description = "Measurement window. Default: ${DEFAULT-VALUE}.")
  Duration liveDuration;

  @Option(names = "--live-request-rate", defaultValue = "3000",
      description = "qoder.max-requests-per-second during the live phase: 1,000 sessions polled every second need"
          + " 1,000 requests/s; the default budget of 50 cannot keep them healthy. Default: ${DEFAULT-VALUE}.")
  int liveRequestRate;

  @Option(names = "--scale-sessions", defaultValue = "100000", description = "Tracked idle sessions. Default: ${DEFAULT-VALUE}.")
  int scaleSessions;

  @Option(names = "--scale-duration", defaultValue = "60s", converter = DurationConverter.class,
      description = "How long they are held. Default: ${DEFAULT-VALUE}.")
  Duration scaleDuration;

  @Option(names = "--scale-request-rate", defaultValue = "0",
      description = "qoder.max-requests-per-second during the scale phase; 0 keeps the connector's default.")
  int scaleRequestRate;

  @Option(names = "--scale-event-rate", defaultValue = "0",
      description = "Live events per second spread over the idle sessions (0: nothing new, the steady state). Default: ${DEFAULT-VALUE}.")
  double scaleEventRate;

  @Option(names = "--memory-idle-sessions", defaultValue = "100000",
      description = "memory-idle: restored sessions. Default: ${DEFAULT-VALUE}.")
  int memoryIdleSessions;

  @Option(names = "--memory-events", defaultValue = "600",
      description = "memory-idle and memory-run: events delivered per session before idling. Default: ${DEFAULT-VALUE}.")
  int memoryEvents;

  @Option(names = "--memory-run-sessions", defaultValue = "2000",
      description = "memory-run and memory-outage: sessions. Default: ${DEFAULT-VALUE}.")
  int memoryRunSessions;

  @Option(names = "--memory-outage", defaultValue = "60s", converter = DurationConverter.class,
      description = "memory-outage: how long the broker is down. Default: ${DEFAULT-VALUE}.")
  Duration memoryOutage;

  @Option(names = "--memory-request-rate", defaultValue = "5000",
      description = "qoder.max-requests-per-second of the memory phases (restoring and polling every session once"
          + " at the default 50 would take 2,000 s for 100,000). Default: ${DEFAULT-VALUE}.")
  int memoryRequestRate;

  @Option(names = "--profile", description = "Record JFR profiles of the backfill and of the live window (target/bench/*.jfr)"
      + " and summarise them: CPU and hot methods, allocations and waits per thread role.")
  boolean profile;

  @Option(names = "--out", paramLabel = "FILE", description = "JSON report; default target/bench/bench-<timestamp>.json.")
  Path out;

  @Option(names = "--seed", defaultValue = "42", description = "Simulator seed. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "A connector setting for every phase, e.g. --set sessions.poll-interval-min=500ms (repeatable; wins over the phase's own).")
  Map<String, String> set = new HashMap<>();

  @Option(names = "--verbose", description = "Keep the connector's INFO logs (one line per session status change).")
  boolean verbose;

  private final PrintStream console = System.out;
  /** The user's --set values over the defaults: what every phase's connector starts from. */
  private ConnectorConfig base;

  @Override
  public Integer call() throws Exception {
    Set<String> run = new LinkedHashSet<>();
    for (String p : phases) {
      String name = p.trim().toLowerCase();
      if (!List.of("raw", "backfill", "live", "scale", "memory-idle", "memory-run", "memory-outage").contains(name)) {
        System.err.println("unknown phase '" + p + "'; phases are raw, backfill, live, scale, memory-idle, memory-run,"
            + " memory-outage");
        return 2;
      }
      run.add(name);
    }
    BenchSupport.quietLogs(verbose);
    try {
      base = ConfigLoader.load(null, Map.of(), set);
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("startedAt", Instant.now().toString());
    report.put("machine", machine());
    Map<String, Object> results = new LinkedHashMap<>();
    report.put("phases", results);
    long benchStart = System.nanoTime();
    console.println("qoder-kafka bench: starting an in-process Kafka broker (KRaft, 127.0.0.1) ...");
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      int partitions = base.integer(Settings.TOPIC_PARTITIONS);
      QoderSimulator backfillSim = null;
      try {
        Map<String, Object> sizes = null;
        if (run.contains("raw") || run.contains("backfill")) {
          backfillSim = QoderSimulator.builder().seed(seed).sessions(backfillSessions).eventsPerSession(backfillEvents)
              .terminatedFraction(0).releasedFraction(0).files(0).agents(0).maxResourcesPerSession(0)
              // Room for every request of the backfill: the first one's time starts the clock.
              .requestLogCapacity((int) Math.min(5_000_000, (long) backfillSessions * backfillEvents / 50 + 10_000))
              .historyEnd(Instant.now().minusSeconds(3600)).build();
          sizes = recordSizes(backfillSim, 20);
          report.put("recordSize", sizes);
        }
        if (run.contains("raw")) {
          long n = rawRecords > 0 ? rawRecords : Math.max(300_000, 3L * backfillSessions * backfillEvents);
          int size = (int) Math.round((double) sizes.get("avgKeyValueHeadersBytes"));
          console.printf("%n== raw: Kafka's ProducerPerformance, %,d records of %d bytes, connector producer settings%n", n, size);
          results.put("raw", withLoad(() -> RawProducerBench.run(kafka, n, size, partitions,
              RawProducerBench.connectorProducerProps(base.size(Settings.MAX_IN_FLIGHT_BYTES)), console)));
        }
        if (run.contains("backfill")) {
          QoderSimulator sim = backfillSim;
          results.put("backfill", withLoad(() -> backfill(kafka, sim)));
        }
      } finally {
        if (backfillSim != null) {
          backfillSim.close();
        }
      }
      if (run.contains("live")) {
        results.put("live", withLoad(() -> live(kafka)));
      }
      if (run.contains("scale")) {
        results.put("scale", withLoad(() -> scale(kafka)));
      }
      BenchMemory memory = new BenchMemory(kafka, set, console, verbose, seed);
      if (run.contains("memory-idle")) {
        results.put("memoryIdle", withLoad(() -> memory.idle(memoryIdleSessions, memoryEvents, memoryRequestRate)));
      }
      if (run.contains("memory-run")) {
        results.put("memoryRun", withLoad(() -> memory.run(memoryRunSessions, memoryEvents, memoryRequestRate)));
      }
      if (run.contains("memory-outage")) {
        results.put("memoryOutage", withLoad(() -> memory.outage(memoryRunSessions, memoryEvents, memoryOutage,
            memoryRequestRate)));
      }
    }
    report.put("totalSeconds", BenchSupport.round((System.nanoTime() - benchStart) / 1e9, 1));
    List<Map<String, Object>> table = BenchTable.rows(results);
    report.put("summary", table);
    console.println();
    console.println(BenchTable.render(table));
    Path file = out != null ? out : Path.of("target", "bench",
        "bench-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now()) + ".json");
    if (file.toAbsolutePath().getParent() != null) {
      Files.createDirectories(file.toAbsolutePath().getParent());
    }
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), report);
    console.printf("%nJSON report: %s (total %.0f s)%n", file, (System.nanoTime() - benchStart) / 1e9);
    return 0;
  }

  // ---- backfill ------------------------------------------------------------------------------

  private Map<String, Object> backfill(EmbeddedKafka kafka, QoderSimulator sim) throws Exception {
    long total = sim.totalEvents();
    int pageSize = ConfigLoader.load(null, Map.of(), set).integer(Settings.PAGE_SIZE);
    console.printf("%n== backfill: %d sessions x %d events = %,d events already in the simulator%n",
        backfillSessions, backfillEvents, total);
    long t0 = System.nanoTime();
    long pageBytes = sim.freezeEventPages(pageSize);
    console.printf("   pages of %d events rendered once, %,d bytes kept in memory (%.1f s); the connector runs in"
        + " its own JVM%n", pageSize, pageBytes, (System.nanoTime() - t0) / 1e9);
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put(Settings.QODER_RATE.key(), Integer.toString(backfillRequestRate));
    Map<String, Object> r = new LinkedHashMap<>();
    try (BenchConnectorJvm.Child child = BenchConnectorJvm.Child.start(console, verbose)) {
      if (backfillWarmupEvents > 0) {
        r.put("warmupSeconds", BenchSupport.round(warmUp(child, kafka, settings, pageSize), 1));
      }
      sim.start();
      child.call("start", "settings", BenchSupport.connectorSettings("backfill", sim.baseUrl(), sim.token(), kafka,
          sim.sessionIds().get(0), settings, set));
      if (profile) {
        child.call("profile-start", "file", Path.of("target", "bench", "backfill.jfr").toAbsolutePath().toString());
      }
      // The configured first session started polling inside start(); the clock starts at its first request.
      child.call("mark", "name", "backfill");
      Map<Long, Map.Entry<String, Long>> threads0 = BenchSupport.threadCpu();
      long cpu0 = BenchSupport.processCpuNanos();
      child.call("track", "ids", sim.sessionIds());
      Map<String, Object> done = child.call("await", "delivered", total, "timeoutMs", backfillTimeout.toMillis());
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
      r.put("sessions", backfillSessions);
      r.put("eventsPerSession", backfillEvents);
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
      r.put("settings", Map.of(Settings.QODER_RATE.key(), backfillRequestRate));
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
   * A throwaway backfill of {@link #backfillWarmupEvents} through its own connector and topics in the
   * connector's JVM, so the measured one runs JIT-compiled code, as a long-running connector does.
   */
  private double warmUp(BenchConnectorJvm.Child child, EmbeddedKafka kafka, Map<String, String> settings,
      int pageSize) throws Exception {
    long t0 = System.nanoTime();
    int sessions = 20;
    int events = (int) Math.max(1, backfillWarmupEvents / sessions);
    console.printf("   warming up: %,d events through a throwaway connector ...%n", (long) sessions * events);
    try (QoderSimulator warm = QoderSimulator.builder().seed(seed + 100).sessions(sessions).eventsPerSession(events)
        .terminatedFraction(0).releasedFraction(0).files(0).agents(0).maxResourcesPerSession(0).requestLogCapacity(0)
        .historyEnd(Instant.now().minusSeconds(3600)).build()) {
      warm.freezeEventPages(pageSize);
      warm.start();
      child.call("start", "settings", BenchSupport.connectorSettings("backfill-warmup", warm.baseUrl(), warm.token(),
          kafka, warm.sessionIds().get(0), settings, set));
      child.call("track", "ids", warm.sessionIds());
      child.call("await", "delivered", warm.totalEvents(), "timeoutMs", 180_000);
      child.call("stop");
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  // ---- live tail -----------------------------------------------------------------------------

  private Map<String, Object> live(EmbeddedKafka kafka) throws Exception {
    Duration warmup = liveWarmup;
    Duration window = liveDuration;
    console.printf("%n== live: %d active sessions, %.0f new events/s; %s warm-up, %s measured%n",
        liveSessions, liveRate, DurationConverter.format(liveWarmup), DurationConverter.format(liveDuration));
    Map<String, Object> r = new LinkedHashMap<>();
    try (QoderSimulator sim = QoderSimulator.builder().seed(seed + 1).sessions(liveSessions).eventsPerSession(2)
        .terminatedFraction(0).releasedFraction(0).files(0).agents(0).maxResourcesPerSession(0)
        .requestLogCapacity(0).historyEnd(Instant.now()).liveMode(LiveMode.events(liveRate)).build().start()) {
      Map<String, String> settings = new LinkedHashMap<>();
      settings.put(Settings.QODER_RATE.key(), Integer.toString(liveRequestRate));
      try (Connector c = BenchSupport.connector("live", sim, kafka, sim.sessionIds().get(0), settings, set)) {
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
        r.put("sessions", liveSessions);
        r.put("eventRatePerSecond", liveRate);
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
        r.put("apiRequestsInWindowByEndpoint", byEndpoint(stats0, stats1));
        r.put("cpuCoresUsed", BenchSupport.round((cpu1 - cpu0) / 1e9 / seconds, 2));
        r.put("drainedAfterWindow", drained);
        r.put("pollIntervalMinMs", base.duration(Settings.POLL_MIN).toMillis());
        r.put("settings", Map.of(Settings.QODER_RATE.key(), liveRequestRate));
        console.printf("   latency p50 %.0f ms, p99 %.0f ms, max %.0f ms over %,d events; %.2f API requests per event,"
                + " %.2f cores busy%n", r.get("latencyP50Ms"), r.get("latencyP99Ms"), r.get("latencyMaxMs"), lat.length,
            r.get("apiRequestsPerDeliveredEvent"), r.get("cpuCoresUsed"));
      }
    }
    return r;
  }

  // ---- scale ---------------------------------------------------------------------------------

  private Map<String, Object> scale(EmbeddedKafka kafka) throws Exception {
    Duration hold = scaleDuration;
    console.printf("%n== scale: %,d tracked idle sessions held for %s%n", scaleSessions, DurationConverter.format(scaleDuration));
    Map<String, Object> r = new LinkedHashMap<>();
    long buildStart = System.nanoTime();
    try (QoderSimulator sim = QoderSimulator.builder().seed(seed + 2).sessions(scaleSessions).eventsPerSession(0)
        .terminatedFraction(0).releasedFraction(0).files(0).agents(0).maxResourcesPerSession(0)
        .requestLogCapacity(0).historyEnd(Instant.now().minusSeconds(3600))
        .liveMode(scaleEventRate > 0 ? LiveMode.events(scaleEventRate) : LiveMode.off()).build().start()) {
      console.printf("   simulator with %,d sessions built in %.1f s%n", scaleSessions, (System.nanoTime() - buildStart) / 1e9);
      Map<String, String> settings = new LinkedHashMap<>();
      if (scaleRequestRate > 0) {
        settings.put(Settings.QODER_RATE.key(), Integer.toString(scaleRequestRate));
      }
      try (Connector c = BenchSupport.connector("scale", sim, kafka, sim.sessionIds().get(0), settings, set)) {
        List<String> ids = sim.sessionIds();
        long heap0 = BenchSupport.heapAfterGc();
        Map<String, long[]> histogram0 = BenchSupport.classHistogram();
        int threads0 = BenchSupport.threads();
        // What the process costs with one session, to tell the sessions' CPU from the broker's and the JVM's.
        Thread.sleep(3_000); // let the collections and the histogram's work settle first
        long idleCpu0 = BenchSupport.processCpuNanos();
        long idleT0 = System.nanoTime();
        Thread.sleep(10_000);
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
        r.put("sessions", scaleSessions);
        r.put("holdSeconds", BenchSupport.round(holdSeconds, 1));
        r.put("trackSeconds", BenchSupport.round(trackSeconds, 2));
        r.put("pollers", polled);
        r.put("sessionsByStatus", byStatus);
        r.put("heapBaselineBytes", heap0);
        r.put("heapWithSessionsBytes", heap1);
        r.put("heapPerSessionBytes", BenchSupport.round((double) (heap1 - heap0) / scaleSessions, 1));
        r.put("heapPerSessionByClass", BenchSupport.histogramGrowth(histogram0, histogram1, scaleSessions, 25));
        r.put("requestBudgetPerSecond", Integer.parseInt(budget));
        r.put("apiRequests", stats.total());
        r.put("apiRequestsByEndpoint", byEndpoint(new RequestStats(0, Map.of(), Map.of(), Map.of()), stats));
        r.put("sessionsPolledAtLeastOnce", stats.bySession().size());
        r.put("apiRequestsPerSecondSteady", BenchSupport.round((stats.total() - req1) / steadySeconds, 1));
        r.put("apiErrors", stats.total() - stats.status(200));
        r.put("fullRoundSeconds", BenchSupport.round(scaleSessions / Math.max(1e-9, (stats.total() - req1) / steadySeconds), 0));
        r.put("cpuCoresUsedBeforeTracking", BenchSupport.round(idleCores, 3));
        r.put("cpuCoresUsedSteady", BenchSupport.round((cpu2 - cpu1) / 1e9 / steadySeconds, 3));
        r.put("cpuShareOfMachineSteady", BenchSupport.round((cpu2 - cpu1) / 1e9 / steadySeconds / BenchSupport.cores(), 4));
        r.put("cpuCoresUsedWholeHold", BenchSupport.round((cpu2 - cpu0) / 1e9 / holdSeconds, 3));
        r.put("threadsBefore", threads0);
        r.put("threadsAfter", threads1);
        r.put("liveEventRate", scaleEventRate);
        r.put("delivered", c.status().delivered());
        console.printf("   heap %.0f bytes per session, %.1f requests/s (budget %s), %.3f cores busy, threads %d -> %d%n",
            r.get("heapPerSessionBytes"), r.get("apiRequestsPerSecondSteady"), budget, r.get("cpuCoresUsedSteady"),
            threads0, threads1);
      }
    }
    return r;
  }

  // ---- helpers -------------------------------------------------------------------------------

  /** Runs a phase and notes the machine's load average around it: other processes skew every figure. */
  private Map<String, Object> withLoad(Callable<Map<String, Object>> phase) throws Exception {
    double before = BenchSupport.loadAverage();
    Map<String, Object> r = phase.call();
    r.put("systemLoadAverageBefore", BenchSupport.round(before, 2));
    r.put("systemLoadAverageAfter", BenchSupport.round(BenchSupport.loadAverage(), 2));
    if (Math.max(before, BenchSupport.loadAverage()) > BenchSupport.cores() + 0.5) {
      console.printf("   note: system load average %.1f on %d cores: other processes compete for the CPU;"
          + " figures are pessimistic%n", Math.max(before, BenchSupport.loadAverage()), BenchSupport.cores());
    }
    return r;
  }

  /**
   * The size of the records the connector makes from the simulator's events: mapped with the same
   * {@link EventMapper} and encoded with the same {@link AvroCodec} call and 5-byte wire-format
   * header as {@code EventPublisher}, plus the session-id key and the CloudEvents headers.
   */
  static Map<String, Object> recordSizes(QoderSimulator sim, int sampleSessions) {
    EventMapper mapper = new EventMapper();
    byte[] wireHeader = {0, 0, 0, 0, 1};
    long n = 0;
    long values = 0;
    long total = 0;
    List<String> ids = sim.sessionIds();
    for (String sid : ids.subList(0, Math.min(sampleSessions, ids.size()))) {
      for (ObjectNode json : sim.eventsJson(sid)) {
        SessionEvent e = SessionEvent.of(json);
        if (!(mapper.map(e) instanceof MappingResult.Mapped<com.qoder.kafka.avro.v1.SessionEvent> m)) {
          continue;
        }
        byte[] value = AvroCodec.encodeWithPrefix(m.record(), wireHeader);
        List<Header> headers = CloudEventsHeaders.of(e.id(), "com.qoder.session." + e.type(), "/sessions/" + sid,
            Timestamps.toInstant(Timestamps.parseEpochNanos(e.createdAt())), sid, CloudEventsHeaders.AVRO);
        long h = 0;
        for (Header x : headers) {
          h += x.key().getBytes(StandardCharsets.UTF_8).length + x.value().length;
        }
        n++;
        values += value.length;
        total += value.length + sid.getBytes(StandardCharsets.UTF_8).length + h;
      }
    }
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("sampledEvents", n);
    r.put("avgValueBytes", BenchSupport.round((double) values / Math.max(1, n), 1));
    r.put("avgKeyValueHeadersBytes", BenchSupport.round((double) total / Math.max(1, n), 1));
    r.put("note", "the raw producer sends records of avgKeyValueHeadersBytes (key, Avro value and CloudEvents"
        + " headers of the connector's records together), so both move the same bytes per record");
    return r;
  }

  private static Map<String, Long> byEndpoint(RequestStats before, RequestStats after) {
    Map<String, Long> out = new LinkedHashMap<>();
    after.byEndpoint().forEach((e, n) -> {
      long d = n - before.endpoint(e);
      if (d > 0) {
        out.put(e.name(), d);
      }
    });
    return out;
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

  private static double ms(double nanos) {
    return BenchSupport.round(nanos / 1e6, 1);
  }

  private static Map<String, Object> machine() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("availableProcessors", Runtime.getRuntime().availableProcessors());
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      m.put("physicalMemoryBytes", os.getTotalMemorySize());
    }
    m.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
    m.put("javaVersion", System.getProperty("java.version"));
    m.put("javaVm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
    List<String> args = new ArrayList<>(ManagementFactory.getRuntimeMXBean().getInputArguments());
    m.put("jvmArguments", args);
    return m;
  }
}

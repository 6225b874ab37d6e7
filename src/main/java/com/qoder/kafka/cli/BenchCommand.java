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
import com.qoder.kafka.sim.QoderSimulator;
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

  @Option(names = "--scale-baseline", defaultValue = "10s", converter = DurationConverter.class,
      description = "scale: how long the process is measured with one session before the sessions are tracked"
          + " (the CPU the sessions add is measured against it). Default: ${DEFAULT-VALUE}.")
  Duration scaleBaseline;

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
          BenchBackfill backfill = new BenchBackfill(kafka, set, base.integer(Settings.PAGE_SIZE), console, verbose,
              profile, seed);
          results.put("backfill", withLoad(() -> backfill.run(sim, backfillSessions, backfillEvents,
              backfillRequestRate, backfillWarmupEvents, backfillTimeout)));
        }
      } finally {
        if (backfillSim != null) {
          backfillSim.close();
        }
      }
      if (run.contains("live")) {
        BenchLive live = new BenchLive(kafka, set, base, console, profile, seed);
        results.put("live", withLoad(() -> live.run(liveSessions, liveRate, liveWarmup, liveDuration, liveRequestRate)));
      }
      if (run.contains("scale")) {
        BenchScale scale = new BenchScale(kafka, set, base, console, seed);
        results.put("scale", withLoad(() -> scale.run(scaleSessions, scaleDuration, scaleRequestRate, scaleEventRate, scaleBaseline)));
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
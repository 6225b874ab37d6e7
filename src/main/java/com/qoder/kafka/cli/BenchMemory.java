package com.qoder.kafka.cli;

import com.qoder.kafka.config.ConfigLoader;
import com.qoder.kafka.config.ConnectorConfig;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.EmbeddedKafka;
import com.qoder.kafka.kafka.TopicAdmin;
import com.qoder.kafka.kafka.TopicSpec;
import com.qoder.kafka.offsets.OffsetKey;
import com.qoder.kafka.offsets.OffsetRecord;
import com.qoder.kafka.offsets.OffsetStore;
import com.qoder.kafka.offsets.SessionOffsetRecords;
import com.qoder.kafka.sim.LiveMode;
import com.qoder.kafka.sim.QoderSimulator;
import com.qoder.kafka.source.SessionState;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The memory phases of {@code qoder-kafka bench} (issue 12's acceptance), each with the connector in
 * its own JVM ({@link BenchConnectorJvm}) so that the heap measured is the connector's alone:
 *
 * <ul>
 *   <li><b>memory-idle</b>: N sessions whose state is what {@code events} delivered events leave —
 *       offset records written by the connector's own codec (a real connector's record after
 *       delivering them, copied per session), restored through the normal partition assignment,
 *       polled once each, then idle; heap after full collections per session.
 *   <li><b>memory-run</b>: a real run of M sessions × {@code events} events delivered, then idle;
 *       the same figure, which should match memory-idle within 10 %.
 *   <li><b>memory-outage</b>: M active sessions with a backlog and the broker down for a while;
 *       heap after full collections at the end of the outage minus before it, against
 *       {@code kafka.max-in-flight-bytes}.
 * </ul>
 */
final class BenchMemory {

  private final EmbeddedKafka kafka;
  private final Map<String, String> userSettings;
  private final PrintStream console;
  private final boolean verbose;
  private final long seed;

  BenchMemory(EmbeddedKafka kafka, Map<String, String> userSettings, PrintStream console, boolean verbose, long seed) {
    this.kafka = kafka;
    this.userSettings = userSettings;
    this.console = console;
    this.verbose = verbose;
    this.seed = seed;
  }

  // ---- memory-idle ---------------------------------------------------------------------------

  Map<String, Object> idle(int sessions, int events, int requestRate) throws Exception {
    console.printf("%n== memory-idle: %,d restored sessions, each with the state %d delivered events leave%n",
        sessions, events);
    Map<String, Object> r = new LinkedHashMap<>();
    Map<String, String> settings = Map.of(Settings.QODER_RATE.key(), Integer.toString(requestRate));
    try (BenchConnectorJvm.Child child = BenchConnectorJvm.Child.start(console, verbose)) {
      // 1. The record a real connector writes after delivering `events` events of one session.
      OffsetRecord template;
      try (QoderSimulator one = simulator(seed + 10, 1, events, LiveMode.off()).start()) {
        Map<String, String> s = BenchSupport.connectorSettings("memory-template", one.baseUrl(), one.token(), kafka,
            one.sessionIds().get(0), settings, userSettings);
        child.call("start", "settings", s);
        child.call("await", "delivered", events, "timeoutMs", 120_000);
        child.call("stop");
        template = lastRecord(offsetsTopic(s), OffsetKey.events(one.sessionIds().get(0)));
      }
      int recordBytes = OffsetStore.valueBytes(template).length;
      console.printf("   template: the offset record after %d events, %,d bytes (cursor, %d recent ids, window)%n",
          events, recordBytes, template.recentIds().size());
      // 2. `sessions` sessions with one event each: the cursor of every record names it, so an
      // idle poll answers an empty page, as for a session whose 600 events were all delivered.
      long t0 = System.nanoTime();
      try (QoderSimulator sim = simulator(seed + 11, sessions, 1, LiveMode.off())) {
        sim.freezeEventPages(ConfigLoader.load(null, Map.of(), userSettings).integer(Settings.PAGE_SIZE));
        sim.start();
        List<String> ids = sim.sessionIds();
        // Baseline: the same connector, running, with one session.
        Map<String, String> base = BenchSupport.connectorSettings("memory-idle-base", sim.baseUrl(), sim.token(), kafka,
            ids.get(0), settings, userSettings);
        child.call("start", "settings", base);
        child.call("await-polled", "polled", 1);
        BenchSupport.await(() -> sim.requestStats().total() >= 1, Duration.ofSeconds(60));
        Map<String, Object> before = child.call("heap", "histogram", true);
        long heap0 = heapOf(before);
        child.call("stop");
        Map<String, String> s = BenchSupport.connectorSettings("memory-idle", sim.baseUrl(), sim.token(), kafka,
            ids.get(0), settings, userSettings);
        writeRecords(s, ids, sim, template);
        console.printf("   %,d offset records written by the connector's codec (%.1f s)%n", ids.size(),
            (System.nanoTime() - t0) / 1e9);
        sim.resetRequestLog();
        long t1 = System.nanoTime();
        child.call("start", "settings", s); // the group assigns the partitions; their sessions are restored
        child.call("await-polled", "polled", sessions, "timeoutMs", 600_000);
        boolean polledOnce = BenchSupport.await(() -> sim.requestStats().bySession().size() >= sessions,
            Duration.ofMinutes(10));
        double restoreSeconds = (System.nanoTime() - t1) / 1e9;
        sim.resetRequestLog(); // the simulator's per-session counters live in the bench's JVM, not the connector's
        Map<String, Object> after = child.call("heap", "histogram", true);
        long heap1 = heapOf(after);
        Map<String, Object> status = child.call("status");
        child.call("stop");
        r.put("sessions", sessions);
        r.put("eventsDeliveredPerSession", events);
        r.put("offsetRecordBytes", recordBytes);
        r.put("templateRecentIds", template.recentIds().size());
        r.put("pollers", status.get("polled"));
        r.put("sessionsByStatus", status.get("sessionsByStatus"));
        r.put("everySessionPolled", polledOnce);
        r.put("restoreAndFirstPollSeconds", BenchSupport.round(restoreSeconds, 1));
        r.put("heapBaselineBytes", heap0);
        r.put("heapWithSessionsBytes", heap1);
        r.put("heapPerSessionBytes", BenchSupport.round((double) (heap1 - heap0) / sessions, 1));
        r.put("liveObjectBytesPerSession", BenchSupport.round((double) ((liveBytes(histogram(after)) - pooledFree(after))
            - (liveBytes(histogram(before)) - pooledFree(before))) / sessions, 1));
        r.put("heapPerSessionByClass", BenchSupport.histogramGrowth(histogram(before), histogram(after), sessions, 20));
        r.put("settings", settings);
        console.printf("   heap %.0f bytes per idle restored session (%,d sessions polled once each in %.0f s); live"
            + " objects by the class histograms: %.0f bytes per session%n", r.get("heapPerSessionBytes"), sessions,
            restoreSeconds, r.get("liveObjectBytesPerSession"));
      }
    }
    return r;
  }

  // ---- memory-run ----------------------------------------------------------------------------

  Map<String, Object> run(int sessions, int events, int requestRate) throws Exception {
    console.printf("%n== memory-run: %,d sessions x %d events delivered for real, then idle%n", sessions, events);
    Map<String, Object> r = new LinkedHashMap<>();
    Map<String, String> settings = Map.of(Settings.QODER_RATE.key(), Integer.toString(requestRate));
    Duration minInterval = ConfigLoader.load(null, Map.of(), userSettings).duration(Settings.POLL_MIN);
    try (BenchConnectorJvm.Child child = BenchConnectorJvm.Child.start(console, verbose);
        QoderSimulator sim = simulator(seed + 12, sessions, events, LiveMode.off())) {
      sim.freezeEventPages(ConfigLoader.load(null, Map.of(), userSettings).integer(Settings.PAGE_SIZE));
      sim.start();
      List<String> ids = sim.sessionIds();
      Map<String, String> s = BenchSupport.connectorSettings("memory-run", sim.baseUrl(), sim.token(), kafka,
          ids.get(0), settings, userSettings);
      child.call("start", "settings", s);
      child.call("await", "delivered", events, "timeoutMs", 120_000);
      long t0 = System.nanoTime();
      // Two halves, each delivered and then idle: the heap the second half adds is what a session
      // costs. The first half fills what is fixed but grows with traffic — the producer's pool of
      // batch buffers (up to buffer.memory), Netty's pooled buffers — which a heap reading against
      // a connector that delivered one session would otherwise divide among the sessions.
      List<String> firstHalf = ids.subList(0, sessions / 2);
      List<String> secondHalf = ids.subList(sessions / 2, sessions);
      Map<String, Object> one = child.call("heap", "histogram", true);
      deliverThenIdle(child, sim, firstHalf, (long) firstHalf.size() * events, minInterval);
      Map<String, Object> half = child.call("heap", "histogram", true);
      Map<String, Object> done = deliverThenIdle(child, sim, secondHalf, (long) sessions * events, minInterval);
      double seconds = (System.nanoTime() - t0) / 1e9;
      Map<String, Object> all = child.call("heap", "histogram", true);
      Map<String, Object> status = child.call("status");
      child.call("stop");
      long heapOne = heapOf(one);
      long heapHalf = heapOf(half);
      long heapAll = heapOf(all);
      r.put("sessions", sessions);
      r.put("eventsPerSession", events);
      r.put("delivered", done.get("delivered"));
      r.put("completed", done.get("done"));
      r.put("deliverySeconds", BenchSupport.round(seconds, 1));
      r.put("pollers", status.get("polled"));
      r.put("sessionsByStatus", status.get("sessionsByStatus"));
      r.put("heapOneSessionBytes", heapOne);
      r.put("heapFirstHalfIdleBytes", heapHalf);
      r.put("heapAllIdleBytes", heapAll);
      // Without the producer's free batch buffers (its pool), whose number follows the run's peak of
      // batches in progress, not the sessions: both readings are taken without them.
      long poolHalf = pooledFree(half);
      long poolAll = pooledFree(all);
      r.put("producerPooledFreeBytes", List.of(pooledFree(one), poolHalf, poolAll));
      r.put("heapPerSessionWithPoolBytes", BenchSupport.round((double) (heapAll - heapHalf) / secondHalf.size(), 1));
      r.put("heapPerSessionBytes", BenchSupport.round((double) ((heapAll - poolAll) - (heapHalf - poolHalf))
          / secondHalf.size(), 1));
      // The same from the class histograms (live objects only: no partly used regions or other
      // collector state, which a heap reading divides among 1,000 sessions as noise).
      long liveHalf = liveBytes(histogram(half)) - poolHalf;
      long liveAll = liveBytes(histogram(all)) - poolAll;
      r.put("liveObjectBytesPerSession", BenchSupport.round((double) (liveAll - liveHalf) / secondHalf.size(), 1));
      r.put("heapPerSessionFirstHalfBytes", BenchSupport.round((double) (heapHalf - heapOne) / (firstHalf.size() - 1), 1));
      r.put("heapPerSessionByClass", BenchSupport.histogramGrowth(histogram(half), histogram(all), secondHalf.size(), 25));
      r.put("heapFirstHalfByClass", BenchSupport.histogramGrowth(histogram(one), histogram(half), firstHalf.size() - 1, 10));
      r.put("settings", settings);
      console.printf("   %,d events delivered in %.0f s; heap %.0f bytes per idle session (the second half's growth"
          + " without the producer's pooled free batch buffers, %,d then %,d bytes; with them %.0f; the first half's,"
          + " with the pools it fills: %.0f); live objects by the class histograms: %.0f bytes per session%n",
          ((Number) done.get("delivered")).longValue(), seconds, r.get("heapPerSessionBytes"), poolHalf, poolAll,
          r.get("heapPerSessionWithPoolBytes"), r.get("heapPerSessionFirstHalfBytes"),
          r.get("liveObjectBytesPerSession"));
    }
    return r;
  }

  /**
   * Tracks {@code ids}, waits until {@code total} events are delivered, then until every session is
   * idle the way a quiet session is: no new events for {@code 8 x sessions.poll-interval-min} (from
   * then on its poller keeps the small window), and one poll each after that.
   */
  private static Map<String, Object> deliverThenIdle(BenchConnectorJvm.Child child, QoderSimulator sim,
      List<String> ids, long total, Duration minInterval) throws Exception {
    child.call("track", "ids", ids);
    Map<String, Object> done = child.call("await", "delivered", total, "timeoutMs", 900_000);
    Thread.sleep(minInterval.multipliedBy(9).toMillis()); // quiet is defined by wall-clock time without events
    sim.resetRequestLog();
    BenchSupport.await(() -> sim.requestStats().bySession().keySet().containsAll(ids), Duration.ofMinutes(5));
    sim.resetRequestLog();
    return done;
  }

  private static long liveBytes(Map<String, long[]> histogram) {
    return histogram.values().stream().mapToLong(v -> v[1]).sum();
  }

  /** The producer's free pooled batch buffers in a {@code heap} answer; 0 when the bench could not read them. */
  private static long pooledFree(Map<String, Object> heapAnswer) {
    long b = ((Number) heapAnswer.getOrDefault("producerPooledFreeBytes", -1)).longValue();
    return Math.max(0, b);
  }

  private static long heapOf(Map<String, Object> heapAnswer) {
    return ((Number) heapAnswer.get("heapAfterGcBytes")).longValue();
  }

  // ---- memory-outage -------------------------------------------------------------------------

  Map<String, Object> outage(int sessions, int events, Duration outage, int requestRate) throws Exception {
    ConnectorConfig user = ConfigLoader.load(null, Map.of(), userSettings);
    long budget = user.size(Settings.MAX_IN_FLIGHT_BYTES);
    console.printf("%n== memory-outage: %,d active sessions, broker down for %s, kafka.max-in-flight-bytes %,d%n",
        sessions, DurationConverter.format(outage), budget);
    Map<String, Object> r = new LinkedHashMap<>();
    Map<String, String> settings = Map.of(Settings.QODER_RATE.key(), Integer.toString(requestRate));
    try (BenchConnectorJvm.Child child = BenchConnectorJvm.Child.start(console, verbose);
        QoderSimulator sim = simulator(seed + 13, sessions, events, LiveMode.off())) {
      sim.freezeEventPages(user.integer(Settings.PAGE_SIZE));
      sim.start();
      List<String> ids = sim.sessionIds();
      long total = (long) sessions * events;
      child.call("start", "settings", BenchSupport.connectorSettings("memory-outage", sim.baseUrl(), sim.token(), kafka,
          ids.get(0), settings, userSettings));
      child.call("await", "delivered", events, "timeoutMs", 120_000);
      child.call("track", "ids", ids);
      // Every session active and the pipeline busy: a tenth of the backlog delivered.
      child.call("await", "delivered", total / 10, "timeoutMs", 300_000);
      long heap0 = heap(child);
      long deliveredAtStop = ((Number) child.call("status").get("delivered")).longValue();
      kafka.stop();
      long t0 = System.nanoTime();
      Thread.sleep(outage.toMillis()); // the outage is wall-clock time by definition
      long heap1 = heap(child);
      double outageSeconds = (System.nanoTime() - t0) / 1e9;
      long requestsInOutage = sim.requestStats().total();
      kafka.restart();
      Map<String, Object> done = child.call("await", "delivered", total, "timeoutMs", 600_000);
      Map<String, Object> status = child.call("status");
      child.call("stop");
      long growth = heap1 - heap0;
      r.put("sessions", sessions);
      r.put("eventsPerSession", events);
      r.put("outageSeconds", BenchSupport.round(outageSeconds, 1));
      r.put("deliveredBeforeOutage", deliveredAtStop);
      r.put("maxInFlightBytesSetting", budget);
      r.put("heapBeforeOutageBytes", heap0);
      r.put("heapEndOfOutageBytes", heap1);
      r.put("heapGrowthBytes", growth);
      r.put("heapGrowthOverBudget", BenchSupport.round((double) growth / budget, 3));
      r.put("apiRequestsUntilEndOfOutage", requestsInOutage);
      r.put("deliveredAfterRecovery", done.get("delivered"));
      r.put("completedAfterRecovery", done.get("done"));
      r.put("sessionsByStatus", status.get("sessionsByStatus"));
      r.put("settings", settings);
      console.printf("   heap after GC grew %,d bytes over the outage (%.2f x kafka.max-in-flight-bytes); all %,d"
          + " events delivered after it: %s%n", growth, (double) growth / budget, total, done.get("done"));
    }
    return r;
  }

  // ---- helpers -------------------------------------------------------------------------------

  private static QoderSimulator simulator(long seed, int sessions, int events, LiveMode live) {
    return QoderSimulator.builder().seed(seed).sessions(sessions).eventsPerSession(events)
        .terminatedFraction(0).releasedFraction(0).files(0).agents(0).maxResourcesPerSession(0)
        .requestLogCapacity(0).historyEnd(Instant.now().minusSeconds(3600)).liveMode(live).build();
  }

  /** The class histogram a child's {@code heap} answer carries: class name to {instances, bytes}. */
  @SuppressWarnings("unchecked")
  private static Map<String, long[]> histogram(Map<String, Object> heapAnswer) {
    Map<String, long[]> out = new HashMap<>();
    ((Map<String, List<Number>>) heapAnswer.get("histogram")).forEach((k, v) ->
        out.put(k, new long[] {v.get(0).longValue(), v.get(1).longValue()}));
    return out;
  }

  private static long heap(BenchConnectorJvm.Child child) throws Exception {
    return ((Number) child.call("heap").get("heapAfterGcBytes")).longValue();
  }

  private static String offsetsTopic(Map<String, String> settings) {
    return ConfigLoader.load(null, Map.of(), settings).offsetsTopic();
  }

  /** The newest record under {@code key} in the offsets topic, decoded with the connector's codec. */
  private OffsetRecord lastRecord(String topic, OffsetKey key) {
    Map<String, Object> p = new HashMap<>();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = new ArrayList<>();
      c.partitionsFor(topic).forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      byte[] value = null;
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> rec : c.poll(Duration.ofMillis(200))) {
          if (rec.key() != null && new String(rec.key(), StandardCharsets.UTF_8).equals(key.asString())) {
            value = rec.value();
          }
        }
      }
      if (value == null) {
        throw new IllegalStateException("no offset record for " + key + " in " + topic);
      }
      return OffsetStore.readValue(key, value);
    }
  }

  /**
   * One record per session, the template's with the session's own key and cursor (its one event),
   * encoded as the connector encodes it, into an offsets topic created as the connector creates it.
   */
  private void writeRecords(Map<String, String> settings, List<String> ids, QoderSimulator sim, OffsetRecord template)
      throws Exception {
    ConnectorConfig config = ConfigLoader.load(null, Map.of(), settings);
    String topic = config.offsetsTopic();
    int partitions = config.integer(Settings.OFFSETS_PARTITIONS);
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(TopicSpec.OFFSETS_TOPIC_CONFIGS)))
          .all().get();
      TopicAdmin.awaitWritable(admin, topic, Duration.ofSeconds(60));
    }
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      SessionState.Snapshot t = SessionOffsetRecords.toSnapshot(template);
      for (String id : ids) {
        String cursor = sim.lastEventId(id);
        List<String> recent = new ArrayList<>(template.recentIds());
        if (!recent.isEmpty()) {
          recent.set(recent.size() - 1, cursor);
        }
        OffsetKey key = OffsetKey.events(id);
        // The template's progress with the session's own id and cursor, as that session's poller writes it.
        OffsetRecord rec = SessionOffsetRecords.toRecord(new SessionState.Snapshot(id, cursor, recent, t.window(),
            t.status(), t.delivered(), t.deadLettered(), t.duplicates(), t.newestCreatedAtNanos(),
            t.firstSeenAtMillis(), t.updatedAtMillis(), t.positionNanos(), t.tiesAtPosition()));
        producer.send(new ProducerRecord<>(topic, OffsetStore.partitionFor(key, partitions),
            key.asString().getBytes(StandardCharsets.UTF_8), OffsetStore.valueBytes(rec)));
      }
      producer.flush();
    }
  }
}

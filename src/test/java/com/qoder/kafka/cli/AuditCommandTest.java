package com.qoder.kafka.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.qoder.kafka.IntegrationTest;
import com.qoder.kafka.api.RequestRates;
import com.qoder.kafka.config.ConfigLoader;
import com.qoder.kafka.config.ConnectorConfig;
import com.qoder.kafka.kafka.EmbeddedKafka;
import com.qoder.kafka.kafka.KafkaTestSupport;
import com.qoder.kafka.offsets.OffsetSource;
import com.qoder.kafka.runtime.Connector;
import com.qoder.kafka.runtime.OffsetsAdmin;
import com.qoder.kafka.sim.EventSpec;
import com.qoder.kafka.sim.QoderSimulator;
import com.qoder.kafka.sim.RequestRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qoder-kafka audit} against a real broker, the simulator over HTTP and the real connector
 * run until it delivered everything: a healthy run reports zero everywhere (also while the
 * connector runs) within the audit's request budget; a gap — events never produced, in a copy of
 * the connector's topic that lacks them — is named id by id and closed by {@code --repair} with
 * the connector's own bytes; records deleted from a partition's start are {@code expired}, never
 * missing and never repaired.
 */
@IntegrationTest
class AuditCommandTest {

  private static final Duration DEADLINE = Duration.ofSeconds(60);
  /** Three pages of 100 per session: enough requests for the rate to be measured. */
  private static final int EVENTS = 250;

  private final String name = "audit-" + UUID.randomUUID().toString().substring(0, 8);
  private final String eventsTopic = name + ".events";
  private EmbeddedKafka kafka;
  private QoderSimulator sim;
  private List<String> sessions;
  private Map<String, String> settings;
  @TempDir Path dir;

  @BeforeEach
  void start() {
    kafka = KafkaTestSupport.sharedBroker();
    sim = QoderSimulator.builder().seed(16).sessions(3).eventsPerSession(EVENTS).files(4).terminatedFraction(0)
        .releasedFraction(0).build().start();
    sessions = List.copyOf(sim.sessionIds());
    settings = new LinkedHashMap<>();
    settings.put("connector.name", name);
    settings.put("qoder.base-url", sim.baseUrl());
    settings.put("qoder.token", sim.token());
    settings.put("sessions.ids", String.join(",", sessions));
    settings.put("sessions.poll-interval-min", "100ms");
    settings.put("sessions.poll-interval-max", "300ms");
    settings.put("kafka.bootstrap-servers", kafka.bootstrapServers());
    settings.put("kafka.topics.events", eventsTopic);
    settings.put("kafka.topics.errors", name + ".errors");
    settings.put("kafka.topics.dead-letter", name + ".dlq");
    settings.put("kafka.topics.files", name + ".files");
    settings.put("kafka.topics.sessions", name + ".sessions");
    settings.put("kafka.topics.resources", name + ".resources");
    settings.put("kafka.topic-partitions", "3");
    settings.put("kafka.offsets-partitions", "3");
    settings.put("schema-registry.url", "mock://" + name);
    settings.put("sources.resources.enabled", "false");
    settings.put("ops.port", "0");
    settings.put("connector.shutdown-timeout", "10s");
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  @Test
  void aHealthyRunReportsZeroEverywhereWhileTheConnectorRunsWithinTheAuditsBudget() throws Exception {
    settings.put("sources.files.enabled", "true");
    settings.put("sources.sessions.enabled", "true");
    settings.put("sources.files.poll-interval", "500ms");
    settings.put("sources.sessions.poll-interval", "500ms");
    // The audit's default budget is a fifth of the connector's: 2 requests a second.
    settings.put("qoder.max-requests-per-second", "10");
    try (Connector connector = Connector.start(config())) {
      awaitDelivered(EVENTS);
      KafkaTestSupport.await(DEADLINE, "the files topic holds every file",
          () -> KafkaTestSupport.consumeAll(kafka.bootstrapServers(), name + ".files", DEADLINE).size()
              >= sim.fileIds().size());
      sim.resetRequestLog();
      // Live traffic while the audit runs: what the connector has not stored yet is pending, never missing.
      sessions.forEach(s -> sim.appendEvents(s, 30));
      Path out = dir.resolve("healthy.json");
      Cli.Result audit = cli("audit", "--all", "--scope", "events,files,sessions", "--out", out.toString());

      assertThat(audit.exit()).as(audit.toString()).isZero();
      assertThat(audit.out()).startsWith("SESSION").contains("# 3 session(s), 2 list(s) audited at 2.0 request(s)/s;"
          + " no differences");
      JsonNode report = new ObjectMapper().readTree(out.toFile());
      assertThat(report.path("differences").asBoolean()).isFalse();
      assertThat(report.path("sessions")).hasSize(3).allSatisfy(s -> {
        assertThat(s.path("api_events").asLong()).isEqualTo(EVENTS + 30);
        assertThat(s.path("kafka_records").asLong()).isBetween((long) EVENTS, EVENTS + 30L);
        assertThat(s.path("kafka_records").asLong() + s.path("pending").asLong()).as(s.toString())
            .isEqualTo(EVENTS + 30);
        assertThat(s.path("unknown").asLong()).isZero();
        assertThat(s.path("missing")).isEmpty();
        assertThat(s.path("duplicates")).isEmpty();
        assertThat(s.path("order_violations").asLong()).isZero();
        assertThat(s.path("dead_lettered")).isEmpty();
        assertThat(s.path("expired")).isEmpty();
      });
      assertThat(report.path("lists")).hasSize(2).allSatisfy(l -> {
        assertThat(l.path("missing")).as(l.toString()).isEmpty();
        assertThat(l.path("api_items").asLong()).isPositive();
      });
      assertThat(connector.fatalError()).isEmpty();

      // (c) The audit's requests, told apart by its User-Agent: never more than 2 in any second.
      List<Long> arrivals = sim.requestLog().stream()
          .filter(r -> r.userAgent() != null && r.userAgent().contains("(audit)"))
          .map(r -> TimeUnit.SECONDS.toNanos(r.time().getEpochSecond()) + r.time().getNano()).sorted().toList();
      // 3 pages per session, 1 of files, at least 1 of sessions.
      assertThat(arrivals).hasSizeGreaterThanOrEqualTo(3 * 3 + 2);
      assertThat(RequestRates.maxPerSecond(arrivals)).as("audit requests in any one second").isLessThanOrEqualTo(2);

      // By organization: the sessions the API lists for each; together, every session, each once.
      List<String> byOrganization = new ArrayList<>();
      for (String org : sim.organizations()) {
        Path orgOut = dir.resolve("org.json");
        Cli.Result byOrg = cli("audit", "--organization", org, "--max-requests-per-second", "50", "--out",
            orgOut.toString());
        assertThat(byOrg.exit()).as(byOrg.toString()).isZero();
        assertThat(byOrg.out()).contains("audited at 50.0 request(s)/s; no differences");
        new ObjectMapper().readTree(orgOut.toFile()).path("sessions")
            .forEach(n -> byOrganization.add(n.path("session_id").asText()));
      }
      assertThat(byOrganization).containsExactlyInAnyOrderElementsOf(sessions);
    }

    // A file created while the connector is stopped: the files list reports it, by id.
    String late = sim.createFile("user_upload");
    Cli.Result files = cli("audit", "--scope", "files", "--max-requests-per-second", "50");
    assertThat(files.exit()).as(files.toString()).isEqualTo(AuditCommand.DIFFERENCES);
    assertThat(files.out()).contains("# files missing: " + late + "\n");
  }

  @Test
  void aGapIsNamedIdByIdAndRepairClosesItInATransaction() throws Exception {
    settings.put("connector.delivery", "exactly-once");
    settings.put("sources.files.enabled", "false");
    settings.put("sources.sessions.enabled", "false");
    // One event of s2 is larger than a record may be: the connector dead-letters it and leaves a marker.
    settings.put("kafka.max-record-bytes", "1MiB");
    String s2 = sessions.get(1);
    String large = sim.appendEvents(s2, 1, EventSpec.ofType("agent.message").withContentBytes(2_000_000)).get(0);
    try (Connector connector = Connector.start(config())) {
      awaitDelivered(EVENTS);
      KafkaTestSupport.await(DEADLINE, "s2's marker", () -> KafkaTestSupport.consumeAll(kafka.bootstrapServers(),
          eventsTopic, DEADLINE).stream().anyMatch(r -> large.equals(ceId(r))));
      assertThat(connector.fatalError()).isEmpty();
    }
    // A copy of the connector's topic without three events of one session: ids never produced there.
    String s1 = sessions.get(0);
    List<String> s1Ids = apiIds(s1);
    List<String> dropped = List.of(s1Ids.get(5), s1Ids.get(117), s1Ids.get(EVENTS - 1));
    String copy = name + ".events-copy";
    List<ConsumerRecord<byte[], byte[]>> original = KafkaTestSupport.consumeAll(kafka.bootstrapServers(), eventsTopic,
        DEADLINE);
    copyWithout(original, copy, r -> dropped.contains(ceId(r)));
    settings.put("kafka.topics.events", copy);

    Path before = dir.resolve("before.json");
    Cli.Result audit = cli("audit", "--all", "--out", before.toString());
    assertThat(audit.exit()).as(audit.toString()).isEqualTo(AuditCommand.DIFFERENCES);
    assertThat(audit.out()).contains("# " + s1 + " missing: " + String.join(" ", dropped) + "\n")
        .contains("1 with differences");
    JsonNode report = new ObjectMapper().readTree(before.toFile());
    for (JsonNode s : report.path("sessions")) {
      List<String> missing = texts(s.path("missing"));
      assertThat(missing).as(s.toString()).isEqualTo(s.path("session_id").asText().equals(s1) ? dropped : List.of());
      assertThat(s.path("duplicates")).isEmpty();
      assertThat(s.path("order_violations").asLong()).isZero();
      assertThat(s.path("expired")).isEmpty();
      assertThat(texts(s.path("dead_lettered"))).isEqualTo(s.path("session_id").asText().equals(s2) ? List.of(large)
          : List.of());
    }

    Cli.Result repair = cli("audit", "--session", s1, "--repair");
    assertThat(repair.exit()).as(repair.toString()).isEqualTo(AuditCommand.DIFFERENCES);
    assertThat(repair.out()).contains("# " + s1 + ": repaired 3 event(s); they arrive after the session's later"
        + " records, out of the original order (header qoder_kafka.repaired: audit)");
    // The repaired records are the connector's own bytes, each marked, committed (read_committed read).
    Map<String, byte[]> originalValues = original.stream().filter(r -> dropped.contains(ceId(r)))
        .collect(Collectors.toMap(AuditCommandTest::ceId, ConsumerRecord::value));
    List<ConsumerRecord<byte[], byte[]>> repaired = KafkaTestSupport.consumeAll(kafka.bootstrapServers(), copy,
        DEADLINE).stream().filter(r -> r.headers().lastHeader("qoder_kafka.repaired") != null).toList();
    assertThat(repaired).extracting(AuditCommandTest::ceId).containsExactlyElementsOf(dropped);
    assertThat(repaired).allSatisfy(r -> {
      assertThat(new String(r.headers().lastHeader("qoder_kafka.repaired").value(), StandardCharsets.UTF_8))
          .isEqualTo("audit");
      assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(s1);
      assertThat(r.value()).isEqualTo(originalValues.get(ceId(r)));
    });

    Path after = dir.resolve("after.json");
    Cli.Result again = cli("audit", "--all", "--out", after.toString());
    assertThat(again.exit()).as(again.toString()).isZero();
    JsonNode fixed = new ObjectMapper().readTree(after.toFile());
    assertThat(fixed.path("sessions")).hasSize(3).allSatisfy(s -> {
      assertThat(s.path("missing")).isEmpty();
      assertThat(s.path("order_violations").asLong()).isZero();
      assertThat(s.path("kafka_records").asLong()).isEqualTo(apiIds(s.path("session_id").asText()).size());
      assertThat(s.path("repaired_earlier").asLong()).isEqualTo(s.path("session_id").asText().equals(s1) ? 3 : 0);
    });
  }

  @Test
  void recordsDeletedFromAPartitionsStartAreExpiredNeverMissingNorRepaired() throws Exception {
    settings.put("sources.files.enabled", "false");
    settings.put("sources.sessions.enabled", "false");
    try (Connector connector = Connector.start(config())) {
      awaitDelivered(EVENTS);
    }
    String s1 = sessions.get(0);
    List<ConsumerRecord<byte[], byte[]>> records = KafkaTestSupport.consumeAll(kafka.bootstrapServers(), eventsTopic,
        DEADLINE);
    ConsumerRecord<byte[], byte[]> tenth = records.stream().filter(r -> s1.equals(key(r))).skip(10).findFirst()
        .orElseThrow();
    // Everything of the partition before s1's 11th record goes (as retention would delete it).
    try (Admin admin = KafkaTestSupport.admin(kafka.bootstrapServers())) {
      admin.deleteRecords(Map.of(new TopicPartition(eventsTopic, tenth.partition()),
          RecordsToDelete.beforeOffset(tenth.offset()))).all().get(30, TimeUnit.SECONDS);
    }
    Map<String, List<String>> expectedExpired = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      if (r.partition() == tenth.partition() && r.offset() < tenth.offset()) {
        expectedExpired.computeIfAbsent(key(r), k -> new ArrayList<>()).add(ceId(r));
      }
    }
    assertThat(expectedExpired.get(s1)).isEqualTo(apiIds(s1).subList(0, 10));

    Path out = dir.resolve("expired.json");
    Cli.Result audit = cli("audit", "--all", "--repair", "--out", out.toString());
    assertThat(audit.exit()).as("expired ids are no difference\n" + audit).isZero();
    assertThat(audit.out()).contains("# " + s1 + " expired (older than the partition's earliest retained record;"
        + " not repaired): " + String.join(" ", apiIds(s1).subList(0, 10)) + "\n").doesNotContain("repaired 1");
    JsonNode report = new ObjectMapper().readTree(out.toFile());
    for (JsonNode s : report.path("sessions")) {
      String id = s.path("session_id").asText();
      assertThat(texts(s.path("expired"))).as(id).isEqualTo(expectedExpired.getOrDefault(id, List.of()));
      assertThat(s.path("missing")).as(id).isEmpty();
      assertThat(s.path("repaired")).as(id).isEmpty();
      assertThat(s.path("kafka_records").asLong()).isEqualTo(EVENTS - expectedExpired.getOrDefault(id, List.of()).size());
    }

    // A session the API does not know is said so, not counted as a difference.
    String unknown = "sess_0123456789abcdef0123456789abcdef";
    Cli.Result wrong = cli("audit", "--session", unknown);
    assertThat(wrong.exit()).as(wrong.toString()).isZero();
    assertThat(wrong.out()).contains("# " + unknown + ": the API does not know this session (deleted, or a wrong id)");
  }

  @Test
  void badInputIsOneLineAndExitTwo() {
    Cli.Result none = cli("audit");
    assertThat(none.exit()).isEqualTo(2);
    assertThat(none.err()).contains("choose the sessions to audit: --session ID (repeatable), --organization ID or"
        + " --all").doesNotContain("Exception");
    Cli.Result both = cli("audit", "--all", "--session", sessions.get(0));
    assertThat(both.exit()).isEqualTo(2);
    assertThat(both.err()).contains("--session, --organization and --all are exclusive");
    Cli.Result rate = cli("audit", "--all", "--max-requests-per-second", "0");
    assertThat(rate.exit()).isEqualTo(2);
    assertThat(rate.err()).contains("--max-requests-per-second must be > 0");
    Cli.Result scope = cli("audit", "--all", "--scope", "offsets");
    assertThat(scope.exit()).isEqualTo(2);
    assertThat(scope.err()).contains("--scope");
    settings.put("sources.files.enabled", "false");
    Cli.Result off = cli("audit", "--scope", "files");
    assertThat(off.exit()).as(off.toString()).isEqualTo(2);
    assertThat(off.err()).contains("--scope files: sources.files.enabled is false in this configuration");
    Cli.Result noTopic = cli("audit", "--session", sessions.get(0), "--timeout", "5s");
    assertThat(noTopic.exit()).as(noTopic.toString()).isEqualTo(1);
    assertThat(noTopic.err()).contains("events topic '" + eventsTopic + "' does not exist").doesNotContain("\tat ");
  }

  // ------------------------------------------------------------------ helpers

  private ConnectorConfig config() {
    return ConfigLoader.load(null, Map.of(), settings);
  }

  private Cli.Result cli(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    settings.forEach((k, v) -> {
      all.add("--set");
      all.add(k + "=" + v);
    });
    return Cli.run(Map.of(), all.toArray(String[]::new));
  }

  /** Waits until the offsets topic says each session delivered {@code events}. */
  private void awaitDelivered(int events) {
    try (OffsetsAdmin admin = OffsetsAdmin.open(config())) {
      KafkaTestSupport.await(DEADLINE, "every session's stored position at " + events, () -> {
        Map<String, Long> delivered = admin.list().stream().filter(r -> r.key().source() == OffsetSource.EVENTS)
            .collect(Collectors.toMap(r -> r.key().sessionId(), r -> r.counters().delivered()));
        return sessions.stream().allMatch(s -> delivered.getOrDefault(s, -1L) >= events);
      });
    }
  }

  private List<String> apiIds(String sessionId) {
    return sim.eventsJson(sessionId).stream().map(e -> e.get("id").asText()).toList();
  }

  private void copyWithout(List<ConsumerRecord<byte[], byte[]>> records, String topic,
      java.util.function.Predicate<ConsumerRecord<byte[], byte[]>> drop) throws Exception {
    KafkaTestSupport.createTopic(kafka.bootstrapServers(), topic, 3, Map.of());
    // One request in flight per partition keeps the original order without idempotence: an idempotent
    // producer's first batch to a just-created topic can fail on stale metadata and then be refused
    // as out of sequence behind the batches that followed it (seen in CI: 120 s, then expired).
    Map<String, Object> p = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false",
        ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
        new ByteArraySerializer())) {
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (producer.partitionsFor(topic).stream().anyMatch(i -> i.leader() == null || i.leader().isEmpty())) {
        assertThat(System.nanoTime()).as("leaders of the new topic %s within 30 s", topic).isLessThan(until);
        Thread.sleep(50); // polling interval while the new topic's leaders are elected
      }
      List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
      for (ConsumerRecord<byte[], byte[]> r : records) {
        if (!drop.test(r)) {
          acks.add(producer.send(new ProducerRecord<>(topic, r.partition(), r.key(), r.value(), r.headers())));
        }
      }
      producer.flush();
      for (var ack : acks) {
        ack.get(30, TimeUnit.SECONDS);
      }
    }
  }

  private static List<String> texts(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
  }

  private static String key(ConsumerRecord<byte[], byte[]> r) {
    return new String(r.key(), StandardCharsets.UTF_8);
  }

  private static String ceId(ConsumerRecord<byte[], byte[]> r) {
    Header h = r.headers().lastHeader("ce_id");
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}

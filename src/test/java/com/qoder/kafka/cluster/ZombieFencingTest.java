package com.qoder.kafka.cluster;

import static org.assertj.core.api.Assertions.assertThat;


import com.qoder.kafka.IntegrationTest;
import com.qoder.kafka.avro.AvroCodec;
import com.qoder.kafka.avro.Schemas;
import com.qoder.kafka.avro.v1.SessionLifecycleRecord;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.KafkaTestSupport;
import com.qoder.kafka.registry.ConfluentWireFormat;
import com.qoder.kafka.kafka.EmbeddedKafka;
import com.qoder.kafka.sim.GroundTruth;
import com.qoder.kafka.sim.LiveMode;
import com.qoder.kafka.sim.QoderSimulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A paused instance (SIGSTOP) loses its partitions; the survivor fences its producer as it takes
 * them over (its open transaction is aborted at once). When it wakes up (SIGCONT), long before its
 * transaction could time out, it can no longer commit: nothing it produced becomes visible to read_committed, and every event is still there
 * exactly once (its sessions were redone by the instance that took them over).
 *
 * <p>The change sources run too (exactly-once covers them): the instance is paused with session
 * lifecycle records in its open transaction, and those records are fenced with it — every session
 * has exactly one committed CREATED, the first of its records, though the zombie had produced one.
 */
@Tag("slow")
@IntegrationTest
class ZombieFencingTest {

  private static final Logger log = LoggerFactory.getLogger(ZombieFencingTest.class);
  private static final int SESSIONS = 40;

  @Test
  void aPausedInstanceThatLostItsPartitionsCannotCommit() throws Exception {
    EmbeddedKafka kafka = ClusterTestSupport.broker();
    String name = ClusterTestSupport.uniqueName("zombie");
    String groupId = "qoder-kafka." + name;
    Path logs = Files.createTempDirectory("qoder-zombie-");
    List<ConnectorProcess> procs = new ArrayList<>();
    try (QoderSimulator sim = QoderSimulator.builder().seed(31).sessions(SESSIONS).eventsPerSession(3)
        .organizations("org_default").terminatedFraction(0).releasedFraction(0)
        .liveMode(LiveMode.events(120).withNewSessionsPerSecond(4)).build().start();
        Admin admin = ClusterTestSupport.admin(kafka)) {
      Map<String, String> settings = ClusterTestSupport.settings(sim, kafka, name, true);
      // The zombie wakes long before its transaction could time out: only the survivor's fencing or the
      // group's refusal of its commit (KIP-447) can stop it. Transactions stay open for a second, so it
      // is usually caught with pages in one, which the survivor then fences as it takes over.
      settings.put(Settings.TRANSACTION_TIMEOUT.key(), "20s");
      settings.put(Settings.COMMIT_INTERVAL.key(), "1s");
      // Lifecycle records of the sessions that keep appearing, in every transaction of their owner.
      String sessionsTopic = name + ".sessions";
      settings.put(Settings.TOPIC_SESSIONS.key(), sessionsTopic);
      settings.put(Settings.TOPIC_FILES.key(), name + ".files");
      settings.put(Settings.TOPIC_RESOURCES.key(), name + ".resources");
      settings.put(Settings.SESSIONS_INTERVAL.key(), "300ms");
      ConnectorProcess zombie = ConnectorProcess.start("z1", settings, sim.token(), logs);
      ConnectorProcess survivor = ConnectorProcess.start("z2", settings, sim.token(), logs);
      procs.add(zombie);
      procs.add(survivor);
      ClusterTestSupport.awaitEvery(Duration.ofMillis(200), Duration.ofSeconds(120), () -> "both members own partitions",
          () -> {
            Map<String, Set<Integer>> a = ClusterTestSupport.assignment(admin, groupId, groupId);
            return a.size() == 2 && a.values().stream().noneMatch(Set::isEmpty)
                && ClusterTestSupport.memberCount(admin, groupId) == 2;
          });
      // Let both produce for a while, so the paused one is caught with pages in its open transaction.
      long seen = sim.requestStats().total();
      ClusterTestSupport.await(Duration.ofSeconds(30), "both instances poll", () -> sim.requestStats().total() > seen + 200);

      // Pause it while the broker shows its transaction open on its offsets partitions (checked again
      // once it is frozen): the survivor then finds that transaction in its way and must fence it.
      String zombieTxnId = ClusterOptions.transactionalId(name, "z1");
      String offsetsTopic = "qoder-kafka." + name + ".offsets";
      int survivorLogBefore = survivor.log().length();
      Instant pausedAt = null;
      for (int attempt = 1; pausedAt == null; attempt++) {
        ClusterTestSupport.awaitEvery(Duration.ofMillis(20), Duration.ofSeconds(30),
            () -> "z1 has a transaction open on " + offsetsTopic + " and " + sessionsTopic,
            () -> holds(admin, zombieTxnId, offsetsTopic, sessionsTopic));
        zombie.suspend();
        if (holds(admin, zombieTxnId, offsetsTopic, sessionsTopic)) {
          pausedAt = Instant.now();
        } else {
          zombie.resume(); // it committed just before the SIGSTOP: try again
          assertThat(attempt).as("attempts to pause z1 with a transaction open").isLessThan(20);
        }
      }
      log.info("SIGSTOP {} (pid {}) with its transaction open on {} and {}", zombie.instanceId(), zombie.pid(),
          offsetsTopic, sessionsTopic);
      ClusterTestSupport.awaitEvery(Duration.ofMillis(200), Duration.ofSeconds(60),
          () -> "z2 alone owns all partitions: " + ClusterTestSupport.assignment(admin, groupId, groupId),
          () -> {
            Map<String, Set<Integer>> a = ClusterTestSupport.assignment(admin, groupId, groupId);
            return a.size() == 1 && a.getOrDefault("z2", Set.of()).size() == 12;
          });
      String fencedLine = "fenced the transactional producer(s) [" + zombieTxnId + "]";
      ClusterTestSupport.await(Duration.ofSeconds(30), "z2 fenced " + zombieTxnId + " as it took over",
          () -> survivor.log().substring(survivorLogBefore).contains(fencedLine));
      ClusterTestSupport.await(Duration.ofSeconds(30), "z2 restored the partitions it took over", () -> {
        String after = survivor.log().substring(survivorLogBefore);
        return after.indexOf("assigned partitions", after.indexOf(fencedLine)) >= 0;
      });
      zombie.resume();
      log.info("SIGCONT {} after {} ms", zombie.instanceId(), Duration.between(pausedAt, Instant.now()).toMillis());
      // Awake, its next transactional request finds its producer fenced: it stops (exit code 1).
      ClusterTestSupport.awaitEvery(Duration.ofMillis(200), Duration.ofSeconds(60),
          () -> "the woken instance stopped:\n" + KillRestartTest.tail(zombie.log(), 30), () -> !zombie.isAlive());
      long more = sim.requestStats().total();
      ClusterTestSupport.await(Duration.ofSeconds(30), "polling goes on", () -> sim.requestStats().total() > more + 100);

      sim.liveMode(LiveMode.off());
      Map<String, GroundTruth> truth = sim.groundTruth();
      EventsTopicReader.Result committed;
      try (EventsTopicReader reader = new EventsTopicReader(kafka.bootstrapServers(), name + ".events", true)) {
        committed = reader.readUntilComplete(truth, Duration.ofSeconds(90));
      }
      EventsTopicReader.Result everything;
      try (EventsTopicReader reader = new EventsTopicReader(kafka.bootstrapServers(), name + ".events", false)) {
        everything = reader.readUntilComplete(truth, Duration.ofSeconds(30));
      }
      String zombieLog = zombie.log();
      String survivorLog = survivor.log().substring(survivorLogBefore);
      log.info("read_committed: {}; read_uncommitted: {} records ({} never committed); woken instance {}", committed,
          everything.records(), everything.records() - committed.records(),
          zombie.isAlive() ? "rejoined" : "stopped with exit code " + zombie.exitCode());
      log.info("woken instance's log after SIGCONT:\n{}", KillRestartTest.tail(zombieLog, 40));
      // The lifecycle records: z2 reports every session (it owns them all now), each exactly once.
      Map<String, List<String>> stories = new java.util.LinkedHashMap<>();
      ClusterTestSupport.awaitEvery(Duration.ofMillis(500), Duration.ofSeconds(60),
          () -> "a committed CREATED of each of the " + sim.sessionIds().size() + " sessions; " + stories.size(),
          () -> {
            stories.clear();
            stories.putAll(lifecycle(kafka, sessionsTopic, true));
            return stories.keySet().containsAll(sim.sessionIds());
          });
      Map<String, List<String>> uncommitted = lifecycle(kafka, sessionsTopic, false);
      long createdCommitted = stories.values().stream().flatMap(List::stream).filter("CREATED"::equals).count();
      long createdAll = uncommitted.values().stream().flatMap(List::stream).filter("CREATED"::equals).count();
      log.info("lifecycle: {} sessions, {} committed CREATED, {} CREATED in the log including aborted ones",
          stories.size(), createdCommitted, createdAll);
      assertThat(stories.values()).as("sessions with other than exactly one committed CREATED, first")
          .allSatisfy(st -> {
            assertThat(st.get(0)).isEqualTo("CREATED");
            assertThat(st.stream().filter("CREATED"::equals).count()).isEqualTo(1);
          });
      // Whether the paused instance's open transaction held CREATED records depends on where the pause
      // lands (CI once saw none); the invariant above holds either way, so this is reported, not asserted.
      log.info("CREATED records of the fenced transaction (aborted, never committed): {}", createdAll - createdCommitted);
      assertThat(committed.lost()).as("lost: %s", committed).isZero();
      assertThat(committed.duplicates()).as("duplicates under read_committed: %s", committed).isZero();
      assertThat(survivorLog).as("fencing works on this broker: no fallback to the transaction timeout")
          .doesNotContain("cannot fence the previous owner");
      assertThat(zombie.isAlive()).as("the woken instance stopped: its producer is fenced").isFalse();
      assertThat(zombieLog).as("the woken instance found its producer fenced").contains("fenced");
    } finally {
      for (ConnectorProcess p : procs) {
        if (p.isAlive()) {
          p.resume();
        }
        p.terminate();
      }
      for (ConnectorProcess p : procs) {
        p.close();
      }
    }
  }

  /** Whether the broker shows the transaction of {@code transactionalId} open on every one of {@code topics}. */
  private static boolean holds(Admin admin, String transactionalId, String... topics) {
    try {
      TransactionDescription d = admin.describeTransactions(List.of(transactionalId)).description(transactionalId)
          .get(5, TimeUnit.SECONDS);
      return d.state() == TransactionState.ONGOING && java.util.Arrays.stream(topics)
          .allMatch(t -> d.topicPartitions().stream().anyMatch(tp -> tp.topic().equals(t)));
    } catch (Exception e) {
      return false; // not known yet
    }
  }

  /** Session id → its lifecycle transitions in the topic, in order, read committed or not. */
  private static Map<String, List<String>> lifecycle(EmbeddedKafka kafka, String topic, boolean readCommitted) {
    Map<String, Object> c = new java.util.HashMap<>(KafkaTestSupport.consumerConfig(kafka.bootstrapServers()));
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
    Map<String, List<String>> out = new java.util.LinkedHashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
      List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts);
      long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < until) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          byte[] v = r.value();
          SessionLifecycleRecord rec = AvroCodec.decode(v, ConfluentWireFormat.HEADER_SIZE,
              v.length - ConfluentWireFormat.HEADER_SIZE, Schemas.sessionLifecycle(), SessionLifecycleRecord.class);
          out.computeIfAbsent(new String(r.key(), java.nio.charset.StandardCharsets.UTF_8), k -> new ArrayList<>())
              .add(rec.getTransition());
        }
      }
    }
    return out;
  }
}

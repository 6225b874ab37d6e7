package com.qoder.kafka.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.config.Settings;
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
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A paused instance (SIGSTOP) loses its partitions; the survivor fences its producer as it takes
 * them over (its open transaction is aborted at once). When it wakes up (SIGCONT) it can no longer
 * commit: nothing it produced becomes visible to read_committed, and every event is still there
 * exactly once (its sessions were redone by the instance that took them over).
 */
@Tag("slow")
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
        .liveMode(LiveMode.events(120)).build().start();
        Admin admin = ClusterTestSupport.admin(kafka)) {
      Map<String, String> settings = ClusterTestSupport.settings(sim, kafka, name, true);
      settings.put(Settings.TRANSACTION_TIMEOUT.key(), "6s");
      // Transactions stay open long enough that the paused instance is practically always caught with
      // pages in one, which the survivor then fences when it takes the partitions over.
      settings.put(Settings.COMMIT_INTERVAL.key(), "500ms");
      Duration txnTimeout = Duration.ofSeconds(6);
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

      Instant pausedAt = Instant.now();
      zombie.suspend();
      log.info("SIGSTOP {} (pid {})", zombie.instanceId(), zombie.pid());
      ClusterTestSupport.awaitEvery(Duration.ofMillis(200), Duration.ofSeconds(60),
          () -> "z2 alone owns all partitions: " + ClusterTestSupport.assignment(admin, groupId, groupId),
          () -> {
            Map<String, Set<Integer>> a = ClusterTestSupport.assignment(admin, groupId, groupId);
            return a.size() == 1 && a.getOrDefault("z2", Set.of()).size() == 12;
          });
      // The coordinator aborts the paused instance's open transaction once the transaction timeout passed.
      Instant wake = pausedAt.plus(txnTimeout).plusSeconds(3);
      ClusterTestSupport.await(Duration.ofSeconds(60), "the transaction timeout passed",
          () -> Instant.now().isAfter(wake));
      zombie.resume();
      log.info("SIGCONT {} after {} ms", zombie.instanceId(), Duration.between(pausedAt, Instant.now()).toMillis());
      // Awake, it learns it lost its partitions: it stops (fenced producer) or rejoins as a new member.
      ClusterTestSupport.awaitEvery(Duration.ofMillis(200), Duration.ofSeconds(60),
          () -> "the woken instance stopped or rejoined: " + ClusterTestSupport.assignment(admin, groupId, groupId),
          () -> !zombie.isAlive() || (ClusterTestSupport.memberCount(admin, groupId) == 2
              && !ClusterTestSupport.assignment(admin, groupId, groupId).getOrDefault("z1", Set.of()).isEmpty()));
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
      String survivorLog = survivor.log();
      boolean fenced = survivorLog.lines().anyMatch(l -> l.contains("fenced the transactional producer(s) [")
          && l.contains(ClusterOptions.transactionalId(name, "z1")));
      log.info("the survivor {} the paused instance's producer when it took its partitions over",
          fenced ? "fenced" : "found no open transaction of (nothing to fence)");
      log.info("read_committed: {}; read_uncommitted: {} records ({} never committed); woken instance {}", committed,
          everything.records(), everything.records() - committed.records(),
          zombie.isAlive() ? "rejoined" : "stopped with exit code " + zombie.exitCode());
      log.info("woken instance's log after SIGCONT:\n{}", KillRestartTest.tail(zombieLog, 40));
      assertThat(committed.lost()).as("lost: %s", committed).isZero();
      assertThat(committed.duplicates()).as("duplicates under read_committed: %s", committed).isZero();
      assertThat(survivorLog).as("fencing works on this broker: no fallback to the transaction timeout")
          .doesNotContain("cannot fence the previous owner");
      assertThat(zombieLog).as("the woken instance noticed it lost its partitions")
          .containsAnyOf("lost (", "aborted", "fenced", "cannot continue");
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
}

package com.qoder.kafka.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.EmbeddedKafka;
import com.qoder.kafka.kafka.OffsetStore;
import com.qoder.kafka.sim.Endpoint;
import com.qoder.kafka.sim.GroundTruth;
import com.qoder.kafka.sim.LiveMode;
import com.qoder.kafka.sim.QoderSimulator;
import com.qoder.kafka.sim.RequestRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGKILL one of three connector JVMs mid-stream, see its sessions move to the survivors, restart it,
 * repeat. Exactly-once: a read_committed reader sees every event exactly once across all cycles.
 * At-least-once: nothing is lost; the duplicates are counted and reported.
 */
@Tag("slow")
class KillRestartTest {

  private static final Logger log = LoggerFactory.getLogger(KillRestartTest.class);
  private static final int SESSIONS = 60;
  private static final int PARTITIONS = 12;

  @Test
  void exactlyOnceSurvivesFiveKillRestartCycles() throws Exception {
    run(true, 5);
  }

  @Test
  void atLeastOnceLosesNothingAcrossKills() throws Exception {
    run(false, 2);
  }

  private void run(boolean exactlyOnce, int cycles) throws Exception {
    EmbeddedKafka kafka = ClusterTestSupport.broker();
    String name = ClusterTestSupport.uniqueName(exactlyOnce ? "kill-eos" : "kill-alo");
    String groupId = "qoder-kafka." + name;
    Path logs = Files.createTempDirectory("qoder-kill-");
    List<ConnectorProcess> procs = new ArrayList<>();
    try (QoderSimulator sim = QoderSimulator.builder().seed(exactlyOnce ? 21 : 22).sessions(SESSIONS)
        .eventsPerSession(3).organizations("org_default").terminatedFraction(0).releasedFraction(0)
        .requestLogCapacity(2_000_000).liveMode(LiveMode.events(60)).build().start();
        Admin admin = ClusterTestSupport.admin(kafka)) {
      Map<String, String> settings = ClusterTestSupport.settings(sim, kafka, name, exactlyOnce);
      settings.put(Settings.TRANSACTION_TIMEOUT.key(), "6s");
      Duration sessionTimeout = Duration.ofSeconds(4);
      Duration pollMax = Duration.ofSeconds(1);
      Duration txnTimeout = Duration.ofSeconds(6);
      for (String id : List.of("k1", "k2", "k3")) {
        procs.add(ConnectorProcess.start(id, settings, sim.token(), logs));
      }
      awaitThreeMembers(admin, groupId, procs);

      List<Long> takeoverMillis = new ArrayList<>();
      for (int cycle = 0; cycle < cycles; cycle++) {
        ConnectorProcess victim = procs.get(cycle % procs.size());
        Map<String, Set<Integer>> before = ClusterTestSupport.assignment(admin, groupId, groupId);
        Set<Integer> victimPartitions = before.getOrDefault(victim.instanceId(), Set.of());
        List<String> victimSessions = sim.sessionIds().stream()
            .filter(s -> victimPartitions.contains(OffsetStore.partitionForSession(s, PARTITIONS))).toList();
        Instant killedAt = Instant.now();
        victim.kill();
        log.info("cycle {}: killed {} (partitions {}, {} sessions)", cycle + 1, victim.instanceId(), victimPartitions,
            victimSessions.size());
        Map<String, Instant> firstSurvivorPoll = new HashMap<>();
        ClusterTestSupport.awaitEvery(Duration.ofMillis(250), Duration.ofSeconds(90),
            () -> "survivors poll the " + victimSessions.size() + " sessions of " + victim.instanceId() + "; "
                + firstSurvivorPoll.size() + " so far",
            () -> {
              for (RequestRecord r : sim.requestLog()) {
                String who = ClusterTestSupport.instanceOf(r);
                if (r.endpoint() == Endpoint.EVENTS && r.time().isAfter(killedAt) && who != null
                    && !who.equals(victim.instanceId()) && victimSessions.contains(r.sessionId())) {
                  firstSurvivorPoll.merge(r.sessionId(), r.time(), (a, b) -> a.isBefore(b) ? a : b);
                }
              }
              return firstSurvivorPoll.keySet().containsAll(victimSessions);
            });
        long takeover = firstSurvivorPoll.values().stream()
            .mapToLong(t -> Duration.between(killedAt, t).toMillis()).max().orElse(0);
        takeoverMillis.add(takeover);
        log.info("cycle {}: sessions of {} polled again by the survivors after {} ms", cycle + 1,
            victim.instanceId(), takeover);
        victim.start();
        awaitThreeMembers(admin, groupId, procs);
      }

      sim.liveMode(LiveMode.off());
      Map<String, GroundTruth> truth = sim.groundTruth();
      try (EventsTopicReader reader = new EventsTopicReader(kafka.bootstrapServers(), name + ".events", exactlyOnce)) {
        EventsTopicReader.Result r = reader.readUntilComplete(truth, Duration.ofSeconds(90));
        log.info("{} after {} kill/restart cycles: {}; takeover times {} ms", exactlyOnce ? "exactly-once"
            : "at-least-once", cycles, r, takeoverMillis);
        assertThat(r.lost()).as("lost events: %s", r).isZero();
        if (exactlyOnce) {
          assertThat(r.duplicates()).as("duplicates under read_committed: %s", r).isZero();
        }
      }
      // Failure detection is the session timeout; exactly-once also waits for the dead instance's open
      // transaction to be aborted (transaction timeout + the broker's 1 s abort check); then a poll
      // interval. The margin absorbs the rebalance, the restore and a loaded CI machine.
      Duration bound = sessionTimeout.plus(pollMax).plus(exactlyOnce ? txnTimeout.plusSeconds(1) : Duration.ZERO)
          .plusSeconds(15);
      assertThat(takeoverMillis).as("takeover times, bound %s", bound).allMatch(ms -> ms <= bound.toMillis());
    } finally {
      for (ConnectorProcess p : procs) {
        p.close();
      }
      for (ConnectorProcess p : procs) {
        if (p.log().contains("ERROR")) {
          log.info("log of {}:\n{}", p.instanceId(), tail(p.log(), 80));
        }
      }
    }
  }

  private static void awaitThreeMembers(Admin admin, String groupId, List<ConnectorProcess> procs) {
    ClusterTestSupport.awaitEvery(Duration.ofMillis(200), Duration.ofSeconds(120),
        () -> "three live members share the " + PARTITIONS + " partitions: "
            + ClusterTestSupport.assignment(admin, groupId, groupId),
        () -> {
          for (ConnectorProcess p : procs) {
            if (!p.isAlive()) {
              throw new AssertionError(p.instanceId() + " exited with " + p.exitCode() + ":\n" + tail(p.log(), 60));
            }
          }
          Map<String, Set<Integer>> a = ClusterTestSupport.assignment(admin, groupId, groupId);
          Set<Integer> all = new TreeSet<>();
          a.values().forEach(all::addAll);
          return a.size() == 3 && all.size() == PARTITIONS && a.values().stream().noneMatch(Set::isEmpty)
              && procs.stream().allMatch(p -> a.containsKey(p.instanceId()))
              && ClusterTestSupport.memberCount(admin, groupId) == 3;
        });
  }

  static String tail(String text, int lines) {
    String[] all = text.split("\n");
    return String.join("\n", java.util.Arrays.copyOfRange(all, Math.max(0, all.length - lines), all.length));
  }
}

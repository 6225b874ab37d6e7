package com.qoder.kafka.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.IntegrationTest;
import com.qoder.kafka.kafka.EmbeddedKafka;
import com.qoder.kafka.runtime.Connector;
import com.qoder.kafka.sim.Endpoint;
import com.qoder.kafka.sim.LiveMode;
import com.qoder.kafka.sim.QoderSimulator;
import com.qoder.kafka.sim.RequestRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Three instances in one JVM (each with its own clients) share 600 live sessions through the
 * consumer group: at any time every session is polled by exactly one instance, told apart by the
 * instance id each one sends in its User-Agent and the simulator records per request.
 */
@IntegrationTest
class SharedSessionsTest {

  private static final Logger log = LoggerFactory.getLogger(SharedSessionsTest.class);
  private static final int SESSIONS = 600;

  @Test
  void everySessionIsPolledByExactlyOneInstanceAtATime() throws Exception {
    EmbeddedKafka kafka = ClusterTestSupport.broker();
    String name = ClusterTestSupport.uniqueName("shared");
    try (QoderSimulator sim = QoderSimulator.builder().seed(11).sessions(SESSIONS).eventsPerSession(4)
        .organizations("org_default").terminatedFraction(0).releasedFraction(0)
        .requestLogCapacity(3_000_000).liveMode(LiveMode.events(150)).build().start();
        Admin admin = ClusterTestSupport.admin(kafka)) {
      Map<String, String> settings = ClusterTestSupport.settings(sim, kafka, name, false);
      List<Connector> instances = new ArrayList<>();
      try {
        Instant runStart = Instant.now();
        instances.add(Connector.start(ClusterTestSupport.config(settings, sim, "i1")));
        ClusterTestSupport.await(Duration.ofSeconds(60), "i1 polls all sessions",
            () -> instances.get(0).sessions().polled() == SESSIONS);
        instances.add(Connector.start(ClusterTestSupport.config(settings, sim, "i2")));
        instances.add(Connector.start(ClusterTestSupport.config(settings, sim, "i3")));
        String groupId = "qoder-kafka." + name;
        ClusterTestSupport.await(Duration.ofSeconds(60), "three instances split the partitions and sessions", () -> {
          Map<String, Set<Integer>> a = ClusterTestSupport.assignment(admin, groupId, groupId);
          Set<Integer> all = new TreeSet<>();
          a.values().forEach(all::addAll);
          int polled = instances.stream().mapToInt(c -> c.sessions().polled()).sum();
          return a.size() == 3 && a.values().stream().noneMatch(Set::isEmpty) && all.size() == 12
              && polled == SESSIONS && instances.stream().allMatch(c -> ownedMatchesGroup(c, a));
        });
        Map<String, Set<Integer>> owned = ClusterTestSupport.assignment(admin, groupId, groupId);
        log.info("steady: {}", owned);

        // Steady window: every request for a session comes from the instance owning its partition.
        Instant steadyFrom = Instant.now();
        long before = sim.requestStats().total();
        ClusterTestSupport.await(Duration.ofSeconds(30), "requests in the steady window",
            () -> sim.requestStats().total() - before > 2 * SESSIONS);
        Instant steadyTo = Instant.now();

        Map<String, Set<String>> steadyPollers = new HashMap<>();
        Map<String, List<String>> timeline = new HashMap<>();
        for (RequestRecord r : sim.requestLog()) {
          if (r.endpoint() != Endpoint.EVENTS || r.sessionId() == null || r.time().isBefore(runStart)) {
            continue;
          }
          String instance = ClusterTestSupport.instanceOf(r);
          assertThat(instance).as("User-Agent of %s", r).isNotNull();
          List<String> t = timeline.computeIfAbsent(r.sessionId(), k -> new ArrayList<>());
          if (t.isEmpty() || !t.get(t.size() - 1).equals(instance)) {
            t.add(instance);
          }
          if (!r.time().isBefore(steadyFrom) && r.time().isBefore(steadyTo)) {
            steadyPollers.computeIfAbsent(r.sessionId(), k -> new HashSet<>()).add(instance);
          }
        }
        assertThat(steadyPollers.size()).as("sessions polled in the steady window").isGreaterThan(SESSIONS / 2);
        Map<String, Set<String>> shared = new LinkedHashMap<>();
        Map<String, String> misplaced = new LinkedHashMap<>();
        steadyPollers.forEach((session, who) -> {
          if (who.size() > 1) {
            shared.put(session, who);
          }
          String owner = ownerOf(session, owned);
          if (!who.equals(Set.of(owner))) {
            misplaced.put(session, who + " but owner " + owner);
          }
        });
        assertThat(shared).as("sessions polled by more than one instance in the steady window").isEmpty();
        assertThat(misplaced).as("sessions polled by an instance that does not own them").isEmpty();

        // Whole run, joins included: a session moves at most once per join and never returns.
        Map<String, List<String>> wandering = new LinkedHashMap<>();
        timeline.forEach((session, t) -> {
          if (t.size() > 3 || new HashSet<>(t).size() != t.size()) {
            wandering.put(session, t);
          }
        });
        assertThat(wandering).as("sessions that went back to an earlier instance").isEmpty();
        long moved = timeline.values().stream().filter(t -> t.size() > 1).count();
        log.info("{} of {} sessions moved while instances joined; none polled by two instances at once", moved,
            timeline.size());
        assertThat(moved).as("sessions that moved to the instances that joined").isGreaterThan(SESSIONS / 3);
      } finally {
        for (Connector c : instances) {
          c.close();
        }
      }
    }
  }

  private static boolean ownedMatchesGroup(Connector c, Map<String, Set<Integer>> a) {
    Set<Integer> group = a.get(c.member().instanceId());
    return group != null && new TreeSet<>(c.member().ownedPartitions()).equals(group);
  }

  private static String ownerOf(String session, Map<String, Set<Integer>> owned) {
    int p = com.qoder.kafka.offsets.OffsetStore.partitionForSession(session, 12);
    return owned.entrySet().stream().filter(e -> e.getValue().contains(p)).map(Map.Entry::getKey).findFirst()
        .orElse("nobody");
  }
}

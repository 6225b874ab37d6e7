package com.qoder.kafka.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.IntegrationTest;
import com.qoder.kafka.kafka.EmbeddedKafka;
import com.qoder.kafka.runtime.Connector;
import com.qoder.kafka.sim.GroundTruth;
import com.qoder.kafka.sim.LiveMode;
import com.qoder.kafka.sim.QoderSimulator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exactly-once through a scale-out and back: one instance, then three, then one again, while the
 * simulator keeps appending events. A read_committed reader sees every event exactly once.
 */
@IntegrationTest
class ScaleOutTest {

  private static final Logger log = LoggerFactory.getLogger(ScaleOutTest.class);
  private static final int SESSIONS = 150;

  @Test
  void oneToThreeAndBackToOneDeliversEveryEventExactlyOnce() throws Exception {
    EmbeddedKafka kafka = ClusterTestSupport.broker();
    String name = ClusterTestSupport.uniqueName("scale");
    String groupId = "qoder-kafka." + name;
    try (QoderSimulator sim = QoderSimulator.builder().seed(5).sessions(SESSIONS).eventsPerSession(6)
        .organizations("org_default").terminatedFraction(0).releasedFraction(0)
        .liveMode(LiveMode.events(120)).build().start();
        Admin admin = ClusterTestSupport.admin(kafka)) {
      Map<String, String> settings = ClusterTestSupport.settings(sim, kafka, name, true);
      List<Connector> all = new ArrayList<>();
      try {
        Connector first = Connector.start(ClusterTestSupport.config(settings, sim, "s1"));
        all.add(first);
        ClusterTestSupport.await(Duration.ofSeconds(60), "s1 polls every session",
            () -> first.sessions().polled() == SESSIONS);
        Connector second = Connector.start(ClusterTestSupport.config(settings, sim, "s2"));
        all.add(second);
        Connector third = Connector.start(ClusterTestSupport.config(settings, sim, "s3"));
        all.add(third);
        ClusterTestSupport.await(Duration.ofSeconds(60), "three instances share the sessions", () -> {
          Map<String, Set<Integer>> a = ClusterTestSupport.assignment(admin, groupId, groupId);
          return a.size() == 3 && a.values().stream().noneMatch(Set::isEmpty)
              && all.stream().mapToInt(c -> c.sessions().polled()).sum() == SESSIONS
              && all.stream().allMatch(c -> c.sessions().polled() > 0);
        });
        long delivered = totalDelivered(all);
        ClusterTestSupport.await(Duration.ofSeconds(30), "three instances deliver",
            () -> totalDelivered(all) > delivered + 300);

        second.close();
        third.close();
        ClusterTestSupport.await(Duration.ofSeconds(60), "s1 owns everything again", () -> {
          Map<String, Set<Integer>> a = ClusterTestSupport.assignment(admin, groupId, groupId);
          return a.size() == 1 && new TreeSet<>(first.member().ownedPartitions()).size() == 12
              && first.sessions().polled() == SESSIONS;
        });
        long afterScaleIn = first.status().delivered();
        ClusterTestSupport.await(Duration.ofSeconds(30), "s1 delivers alone",
            () -> first.status().delivered() > afterScaleIn + 200);

        sim.liveMode(LiveMode.off());
        Map<String, GroundTruth> truth = sim.groundTruth();
        try (EventsTopicReader reader = new EventsTopicReader(kafka.bootstrapServers(), name + ".events", true)) {
          EventsTopicReader.Result r = reader.readUntilComplete(truth, Duration.ofSeconds(90));
          log.info("scale 1→3→1, exactly-once: {}; transactions aborted: {}", r,
              all.stream().mapToLong(c -> c.member().transactionsAborted()).sum());
          assertThat(r.expected()).isGreaterThan(SESSIONS * 6L);
          assertThat(r.lost()).as("lost events: %s", r).isZero();
          assertThat(r.duplicates()).as("duplicates under read_committed: %s", r).isZero();
        }
      } finally {
        for (Connector c : all) {
          c.close();
        }
      }
    }
  }

  private static long totalDelivered(List<Connector> cs) {
    return cs.stream().mapToLong(c -> c.status().delivered()).sum();
  }
}

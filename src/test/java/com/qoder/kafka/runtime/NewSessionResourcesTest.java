package com.qoder.kafka.runtime;

import static com.qoder.kafka.runtime.SourcesTestKit.key;
import static com.qoder.kafka.runtime.SourcesTestKit.resource;
import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.IntegrationTest;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.KafkaTestSupport;
import com.qoder.kafka.sim.QoderSimulator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A session the connector starts to follow — restored at its first assignment or discovered later —
 * has its resources read at once, not at the next {@code sources.resources.poll-interval}: with the
 * default 60 s interval a new user would otherwise see an empty resources topic for a minute.
 */
@IntegrationTest
class NewSessionResourcesTest {

  /** Far below the 60 s interval, far above a walk of a handful of resources. */
  private static final Duration WITHIN = Duration.ofSeconds(10);

  private SourcesTestKit kit;

  @AfterEach
  void tearDown() {
    if (kit != null) {
      kit.close();
    }
  }

  @Test
  void resourcesOfSessionsFollowedAfterStartArriveWithinSecondsWhileTheIntervalIsSixtySeconds() {
    QoderSimulator sim = QoderSimulator.builder().seed(31).sessions(2).eventsPerSession(2).files(0)
        .maxResourcesPerSession(1).terminatedFraction(0).releasedFraction(0).build().start();
    for (String s : sim.sessionIds()) {
      sim.createResource(s);
    }
    kit = new SourcesTestKit(sim, Map.of(Settings.RESOURCES_INTERVAL.key(), "60s",
        Settings.SOURCE_FILES.key(), "false", Settings.SOURCE_SESSIONS.key(), "false"));
    kit.start(); // returns once the group assigned this instance its partitions: sessions are followed
    long t0 = System.nanoTime();
    SourcesTestKit.TopicReader resources = kit.reader("resources"); // the connector creates the topic

    // Sessions known at start: followed once the group assigned their partitions, after the
    // resources loop's first (empty) round.
    awaitResourcesOf(resources, sim.sessionIds(), sim, t0, "sessions present at start");

    // A session that appears while running, found by discovery (every 300 ms here).
    String late = sim.createSession(null, 2);
    sim.createResource(late);
    long t1 = System.nanoTime();
    awaitResourcesOf(resources, List.of(late), sim, t1, "a session created while running");
    assertThat(kit.resourceWalks(sim.sessionIds().get(0)))
        .as("sessions already read are not walked again before the interval").isEqualTo(1);
  }

  private static void awaitResourcesOf(SourcesTestKit.TopicReader reader, List<String> sessions, QoderSimulator sim,
      long since, String what) {
    int expected = sessions.stream().mapToInt(s -> sim.resourceIds(s).size()).sum();
    Set<String> wanted = Set.copyOf(sessions);
    KafkaTestSupport.await(WITHIN.plusSeconds(70), () -> "resources of " + what, () -> {
      List<ConsumerRecord<byte[], byte[]>> got = reader.readToEnd();
      return got.stream().filter(r -> wanted.contains(key(r))).count() >= expected;
    });
    Duration took = Duration.ofNanos(System.nanoTime() - since);
    Set<String> ids = reader.readToEnd().stream().filter(r -> wanted.contains(key(r)))
        .map(r -> resource(r).getResourceId().toString()).collect(Collectors.toSet());
    assertThat(ids).containsExactlyInAnyOrderElementsOf(
        sessions.stream().flatMap(s -> sim.resourceIds(s).stream()).toList());
    System.out.printf("resources of %s arrived after %d ms (poll interval 60 s)%n", what, took.toMillis());
    assertThat(took).as("resources of %s arrived after %d ms; the poll interval is 60 s", what, took.toMillis())
        .isLessThan(WITHIN);
  }
}

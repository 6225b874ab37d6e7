package com.qoder.kafka.runtime;

import static com.qoder.kafka.runtime.SourcesTestKit.key;
import static com.qoder.kafka.runtime.SourcesTestKit.lifecycle;
import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.IntegrationTest;
import com.qoder.kafka.avro.v1.SessionLifecycleRecord;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.KafkaTestSupport;
import com.qoder.kafka.sim.Endpoint;
import com.qoder.kafka.sim.EventSpec;
import com.qoder.kafka.sim.GroundTruth;
import com.qoder.kafka.sim.LiveMode;
import com.qoder.kafka.sim.QoderSimulator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The sessions topic of a live simulator run, end to end: every session's story is complete and
 * in order (CREATED first, RELEASED or TERMINATED or GONE last), its IDLE and ERRORED records
 * match the session.status_idle and session.error events in the events topic one for one, and a
 * restart repeats nothing.
 */
@IntegrationTest
class LifecycleSourceTest {

  private SourcesTestKit kit;

  @AfterEach
  void tearDown() {
    if (kit != null) {
      kit.close();
    }
  }

  @Test
  void theSessionsTopicTellsTheFullStoryOfEachSessionInOrder() {
    QoderSimulator sim = QoderSimulator.builder().seed(31).sessions(8).eventsPerSession(12).files(0)
        .maxResourcesPerSession(0).terminatedFraction(0.25).releasedFraction(0.25).historyEnd(Instant.now())
        .build().start();
    // Quiet sessions are polled slowly (up to 3 s) while the list is scanned every 100 ms, so a
    // release is seen long before the poller reads the session's last events.
    kit = new SourcesTestKit(sim, Map.of(Settings.SOURCE_RESOURCES.key(), "false",
        Settings.SOURCE_FILES.key(), "false", Settings.POLL_MAX.key(), "3s", Settings.SESSIONS_INTERVAL.key(), "100ms"));
    kit.start();
    SourcesTestKit.TopicReader sessions = kit.reader("sessions");
    SourcesTestKit.TopicReader events = kit.reader("events");
    sim.liveMode(LiveMode.events(60).withNewSessionsPerSecond(3).withReleasesPerSecond(1.5)
        .withTerminationsPerSecond(1.5));

    // Let the simulator create, release and terminate sessions while the connector runs.
    KafkaTestSupport.await(SourcesTestKit.DEADLINE, "live sessions created, released and terminated", () -> {
      Map<String, GroundTruth> t = sim.groundTruth();
      return t.size() >= 14 && t.values().stream().filter(GroundTruth::released).count() >= 5
          && t.values().stream().filter(GroundTruth::terminated).count() >= 5;
    });
    sim.liveMode(LiveMode.off());
    // One more session, followed and reported, then deleted: the API answers 404 for it (GONE).
    String doomed = sim.createSession(null, 3);
    sessions.awaitUntil("CREATED of the session to delete", records -> stories(records).containsKey(doomed));
    KafkaTestSupport.await(SourcesTestKit.DEADLINE, "the session to delete is polled",
        () -> kit.connector.sessions().isPolled(doomed));
    sim.deleteSession(doomed);
    // A session released right after new events: RELEASED waits until its poller drained them, so
    // the release stays the last word, after the IDLE of the events it had left.
    String held = sim.createSession(null, 0);
    sim.appendEvents(held, 1, EventSpec.ofType("session.status_idle"));
    sessions.awaitUntil("IDLE of the session to release",
        records -> stories(records).getOrDefault(held, List.of()).contains("IDLE"));
    long polls = kit.count(r -> r.endpoint() == Endpoint.EVENTS && held.equals(r.sessionId()));
    KafkaTestSupport.await(SourcesTestKit.DEADLINE, "the session to release is quiet (interval ≥ 800 ms)",
        () -> kit.count(r -> r.endpoint() == Endpoint.EVENTS && held.equals(r.sessionId())) >= polls + 4);
    sim.appendEvents(held, 1, EventSpec.ofType("session.error"));
    sim.appendEvents(held, 1, EventSpec.ofType("session.status_idle"));
    sim.releaseSession(held);
    Map<String, GroundTruth> truth = sim.groundTruth();

    sessions.awaitUntil("the story of every session", records -> {
      Map<String, List<String>> stories = stories(records);
      Map<String, List<String>> types = eventTypes(events.readToEnd());
      for (GroundTruth g : truth.values()) {
        List<String> story = stories.getOrDefault(g.sessionId(), List.of());
        List<String> evs = types.getOrDefault(g.sessionId(), List.of());
        boolean complete = story.contains("CREATED")
            && (!g.released() || story.contains("RELEASED"))
            && (!evs.contains("terminated") || story.contains("TERMINATED"))
            && (!g.sessionId().equals(doomed) || story.contains("GONE"))
            && count(story, "IDLE") == count(evs, "session.status_idle")
            && count(story, "ERRORED") == count(evs, "session.error");
        if (!complete) {
          return false;
        }
      }
      return true;
    });

    List<ConsumerRecord<byte[], byte[]>> all = sessions.readToEnd();
    Map<String, List<String>> stories = stories(all);
    assertThat(stories.keySet()).containsExactlyInAnyOrderElementsOf(truth.keySet());
    for (Map.Entry<String, List<String>> e : stories.entrySet()) {
      assertStoryInOrder(e.getKey(), e.getValue());
    }
    assertThat(stories.get(doomed)).last().isEqualTo("GONE");
    assertThat(stories.get(held)).containsExactly("CREATED", "IDLE", "ERRORED", "IDLE", "RELEASED");
    // CREATED carries the list entry of document 004, from both organizations.
    Set<String> organizations = new HashSet<>();
    for (ConsumerRecord<byte[], byte[]> r : all) {
      SessionLifecycleRecord v = lifecycle(r);
      assertThat(v.getSessionId()).isEqualTo(key(r));
      if (v.getTransition().equals("CREATED")) {
        assertThat(v.getUser()).isNotNull();
        assertThat(v.getDevice()).isNotNull();
        assertThat(v.getDevice().getPlatform()).isNotNull();
        assertThat(v.getCreatedAt()).isNotNull();
        organizations.add(v.getOrganization());
      }
      if (v.getTransition().equals("RELEASED")) {
        assertThat(v.getReleasedAt()).isNotNull();
      }
    }
    assertThat(organizations).containsExactlyInAnyOrderElementsOf(sim.organizations());

    // A restart repeats no transition: a few scans of the list later the topic is unchanged.
    int size = all.size();
    kit.stop();
    kit.start();
    long scans = kit.sessionListRequests();
    KafkaTestSupport.await(SourcesTestKit.DEADLINE, "3 scans of both organizations",
        () -> kit.sessionListRequests() >= scans + 3L * sim.organizations().size() * 2);
    assertThat(sessions.readToEnd()).hasSize(size);
  }

  private static void assertStoryInOrder(String sessionId, List<String> story) {
    assertThat(story).as("story of %s", sessionId).first().isEqualTo("CREATED");
    assertThat(count(story, "CREATED")).as("CREATED of %s", sessionId).isEqualTo(1);
    assertThat(count(story, "RELEASED")).as("RELEASED of %s", sessionId).isLessThanOrEqualTo(1);
    assertThat(count(story, "TERMINATED")).as("TERMINATED of %s", sessionId).isLessThanOrEqualTo(1);
    assertThat(count(story, "GONE")).as("GONE of %s", sessionId).isLessThanOrEqualTo(1);
    for (String end : List.of("RELEASED", "GONE")) {
      int i = story.indexOf(end);
      if (i >= 0) {
        assertThat(story.subList(i + 1, story.size())).as("after %s of %s: %s", end, sessionId, story).isEmpty();
      }
    }
    int t = story.indexOf("TERMINATED");
    if (t >= 0) {
      assertThat(story.subList(t + 1, story.size())).as("after TERMINATED of %s: %s", sessionId, story)
          .allMatch(x -> x.equals("RELEASED") || x.equals("GONE"));
    }
  }

  private static Map<String, List<String>> stories(List<ConsumerRecord<byte[], byte[]>> records) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      out.computeIfAbsent(key(r), k -> new ArrayList<>()).add(lifecycle(r).getTransition());
    }
    return out;
  }

  private static Map<String, List<String>> eventTypes(List<ConsumerRecord<byte[], byte[]>> records) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      out.computeIfAbsent(key(r), k -> new ArrayList<>()).add(SourcesTestKit.event(r).getType());
    }
    return out;
  }

  private static long count(List<String> list, String value) {
    return list.stream().filter(value::equals).count();
  }
}

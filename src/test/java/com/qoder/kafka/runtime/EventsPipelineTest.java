package com.qoder.kafka.runtime;

import static com.qoder.kafka.kafka.KafkaTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.qoder.kafka.Await;
import com.qoder.kafka.IntegrationTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.qoder.kafka.avro.EventJson;
import com.qoder.kafka.checker.DeliveryChecker;
import com.qoder.kafka.checker.DeliveryReport;
import com.qoder.kafka.checker.Expected;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.KafkaClientProperties;
import com.qoder.kafka.kafka.KafkaTestSupport;
import com.qoder.kafka.kafka.TopicAdmin;
import com.qoder.kafka.registry.SchemaRegistry;
import com.qoder.kafka.sim.Endpoint;
import com.qoder.kafka.sim.EventSpec;
import com.qoder.kafka.sim.Faults;
import com.qoder.kafka.sim.LiveMode;
import com.qoder.kafka.sim.QoderSimulator;
import com.qoder.kafka.sim.RequestRecord;
import com.qoder.kafka.source.SessionState;
import com.qoder.kafka.source.SessionStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 3, acceptance (b), (e), (f), (g), (j), and the session life cycles around them (released
 * before first sight or while the connector was down, a deleted cursor event): the real connector
 * against the simulator over HTTP and the shared in-process broker, checked by
 * {@link DeliveryChecker}. Each test has its own simulator, topics, registry scope and connector name.
 */
@IntegrationTest
class EventsPipelineTest {

  private static final Logger log = LoggerFactory.getLogger(EventsPipelineTest.class);
  private static final Duration DELIVERY = Duration.ofSeconds(60);

  private static String bootstrap() {
    return KafkaTestSupport.sharedBroker().bootstrapServers();
  }

  private static QoderSimulator.Builder sim(long seed, int sessions, int events) {
    return QoderSimulator.builder().seed(seed).sessions(sessions).eventsPerSession(events).releasedFraction(0)
        .terminatedFraction(0).files(0).agents(0).maxResourcesPerSession(0).historyEnd(Instant.now());
  }

  // ---- (b) live tail ------------------------------------------------------------------------

  @Test
  void liveEventsNewSessionsAndEndedSessions() {
    try (QoderSimulator sim = sim(21, 6, 30).build().start()) {
      PipelineFixture f = PipelineFixture.of("live", bootstrap(), sim);
      try (Connector connector = f.start(); SchemaRegistry registry = f.registry();
          DeliveryChecker checker = f.checker(registry)) {
        assertClean(checker.awaitDelivered(DELIVERY, () -> Expected.all(sim.groundTruth())));
        List<String> ids = sim.sessionIds();

        // Live generation while running, then appends, a new session, a release, a termination.
        long before = sim.totalEvents();
        sim.liveMode(LiveMode.events(300));
        await(Duration.ofSeconds(20), "300 live events generated", () -> sim.totalEvents() >= before + 300);
        sim.liveMode(LiveMode.off());
        sim.appendEvents(ids.get(0), 25);
        String created = sim.createSession(null, 40);
        sim.appendEvents(ids.get(1), 7);
        sim.releaseSession(ids.get(1)); // its last 7 events are drained before it stops
        sim.terminateSession(ids.get(2));

        DeliveryReport report = checker.awaitDelivered(DELIVERY, () -> Expected.all(sim.groundTruth()));
        assertClean(report);
        assertThat(report.requiredEvents()).isEqualTo(sim.totalEvents());
        assertThat(connector.sessions().state(created)).as("the new session was discovered").isNotNull();
        assertThat(checker.eventIds(created)).hasSize(40);

        await(Duration.ofSeconds(20), "released and terminated sessions reach their final status", () ->
            status(connector, ids.get(1)) == SessionStatus.RELEASED
                && status(connector, ids.get(2)) == SessionStatus.TERMINATED);
        long endedAt = lastSequence(sim);
        // The other (quiet) sessions keep being polled; three more polls of one of them are the
        // clock that lets the ended sessions show whether they are still polled.
        String quiet = ids.get(3);
        await(Duration.ofSeconds(20), "three more polls of an active session",
            () -> eventRequestsAfter(sim, quiet, endedAt) >= 3);
        assertThat(eventRequestsAfter(sim, ids.get(1), endedAt)).as("polls of the released session").isLessThanOrEqualTo(1);
        assertThat(eventRequestsAfter(sim, ids.get(2), endedAt)).as("polls of the terminated session").isLessThanOrEqualTo(1);
        log.info("live tail: {}", report);
      } finally {
        f.dropRegistry();
      }
    }
  }

  @Test
  void sessionsReleasedBeforeTheConnectorFirstSawThemAreDrainedOnce() {
    // Released and terminated sessions are part of the history a backfill must deliver.
    try (QoderSimulator sim = sim(23, 30, 60).releasedFraction(0.3).terminatedFraction(0.2).build().start()) {
      long released = sim.groundTruth().values().stream().filter(t -> t.released()).count();
      assertThat(released).isPositive();
      PipelineFixture f = PipelineFixture.of("released", bootstrap(), sim);
      try (Connector connector = f.start(); SchemaRegistry registry = f.registry();
          DeliveryChecker checker = f.checker(registry)) {
        DeliveryReport report = checker.awaitDelivered(DELIVERY, () -> Expected.all(sim.groundTruth()));
        assertClean(report);
        await(Duration.ofSeconds(20), "released sessions end as RELEASED", () -> sim.groundTruth().values().stream()
            .filter(t -> t.released() && !t.terminated())
            .allMatch(t -> status(connector, t.sessionId()) == SessionStatus.RELEASED));
        long endedAt = lastSequence(sim);
        String active = sim.groundTruth().values().stream().filter(t -> !t.released() && !t.terminated())
            .findFirst().orElseThrow().sessionId();
        await(Duration.ofSeconds(20), "three more polls of an active session",
            () -> eventRequestsAfter(sim, active, endedAt) >= 3);
        for (var t : sim.groundTruth().values()) {
          if (t.released() || t.terminated()) {
            assertThat(eventRequestsAfter(sim, t.sessionId(), endedAt)).as("polls of ended %s", t.sessionId()).isZero();
          }
        }
      } finally {
        f.dropRegistry();
      }
    }
  }

  @Test
  void aSessionReleasedWhileTheConnectorWasDownIsDrainedAfterTheRestart() {
    try (QoderSimulator sim = sim(27, 3, 40).build().start()) {
      String s = sim.sessionIds().get(0);
      PipelineFixture f = PipelineFixture.of("released-down", bootstrap(), sim);
      Connector first = f.start();
      try (SchemaRegistry registry = f.registry(); DeliveryChecker checker = f.checker(registry)) {
        try (first) {
          assertClean(checker.awaitDelivered(DELIVERY, () -> Expected.all(sim.groundTruth())));
          await(Duration.ofSeconds(10), "cursor at the last event", () -> lastOf(sim, s).equals(first.sessions()
              .state(s).cursor()));
        }
        sim.appendEvents(s, 9); // while the connector is down: the session gets events, then is released
        sim.releaseSession(s);
        try (Connector second = f.start()) {
          DeliveryReport report = checker.awaitDelivered(DELIVERY, () -> Expected.all(sim.groundTruth()));
          assertClean(report);
          assertThat(checker.eventIds(s)).hasSize(49);
          await(Duration.ofSeconds(20), "the released session ends as RELEASED",
              () -> status(second, s) == SessionStatus.RELEASED);
        }
      } finally {
        first.close();
        f.dropRegistry();
      }
    }
  }

  @Test
  void aDeletedCursorEventIsRecoveredWithoutLossOrDuplicates() {
    // Session a loses its cursor event (an earlier delivered id is still a valid cursor); session b
    // loses its last six, more than the fall-back cursors kept, so it is re-read from its first
    // event — longer than the de-dup window, so the window alone cannot recognise the old events.
    try (QoderSimulator sim = sim(29, 2, 150).build().start()) {
      String a = sim.sessionIds().get(0);
      String b = sim.sessionIds().get(1);
      PipelineFixture f = PipelineFixture.of("cursor", bootstrap(), sim).set(Settings.DEDUP_WINDOW.key(), "64");
      try (Connector connector = f.start(); SchemaRegistry registry = f.registry();
          DeliveryChecker checker = f.checker(registry)) {
        assertClean(checker.awaitDelivered(DELIVERY, () -> Expected.all(sim.groundTruth())));
        await(Duration.ofSeconds(10), "cursors at the last events", () -> lastOf(sim, a).equals(connector.sessions()
            .state(a).cursor()) && lastOf(sim, b).equals(connector.sessions().state(b).cursor()));
        sim.deleteEvent(a, lastOf(sim, a));
        List<String> ofB = sim.groundTruth(b).eventIds();
        for (String id : ofB.subList(ofB.size() - 6, ofB.size())) {
          sim.deleteEvent(b, id);
        }
        sim.appendEvents(a, 10);
        sim.appendEvents(b, 10);
        DeliveryReport report = checker.awaitDelivered(DELIVERY, () -> Expected.all(sim.groundTruth()));
        log.info("deleted cursors: {}", report);
        assertClean(report);
        assertThat(report.eventRecords()).isEqualTo(2 * 160);
      } finally {
        f.dropRegistry();
      }
    }
  }

  // ---- (e) API faults -----------------------------------------------------------------------

  @Test
  void noLossNoDuplicatesUnder429And5xxAndConnectionResets() {
    try (QoderSimulator sim = sim(31, 30, 200).faults(x -> x.rateLimit(Faults.Trigger.chance(0.1), 0)
        .serverError(Faults.Trigger.chance(0.1)).connectionReset(Faults.Trigger.chance(0.1))).build().start()) {
      PipelineFixture f = PipelineFixture.of("faults", bootstrap(), sim).set(Settings.PAGE_SIZE.key(), "25");
      try (Connector connector = f.start(); SchemaRegistry registry = f.registry();
          DeliveryChecker checker = f.checker(registry)) {
        DeliveryReport first = checker.awaitDelivered(DELIVERY, () -> Expected.all(sim.groundTruth()));
        assertClean(first);
        // New events while the faults continue: the tail is exercised too.
        for (String id : sim.sessionIds().subList(0, 10)) {
          sim.appendEvents(id, 30);
        }
        DeliveryReport report = checker.awaitDelivered(DELIVERY, () -> Expected.all(sim.groundTruth()));
        assertClean(report);
        assertThat(report.requiredEvents()).isEqualTo(30 * 200 + 10 * 30);
        Map<String, Long> faults = new HashMap<>();
        for (RequestRecord r : sim.requestLog()) {
          if (r.fault() != null) {
            faults.merge(r.fault(), 1L, Long::sum);
          }
        }
        long resets = sim.requestLog().stream().filter(r -> r.status() == 0).count();
        long tooMany = sim.requestLog().stream().filter(r -> r.status() == 429).count();
        long serverErrors = sim.requestLog().stream().filter(r -> r.status() >= 500).count();
        log.info("faults injected: {} 429, {} 5xx, {} resets (by fault {}) over {} requests", tooMany, serverErrors,
            resets, faults, sim.requestLog().size());
        assertThat(tooMany).isPositive();
        assertThat(serverErrors).isPositive();
        assertThat(resets).isPositive();
        assertThat(connector.fatalError()).isEmpty();
      } finally {
        f.dropRegistry();
      }
    }
  }

  // ---- (f) lossless mapping -----------------------------------------------------------------

  @Test
  void unknownEventTypesAndFieldsReadBackAsTheOriginalJson() {
    try (QoderSimulator sim = sim(41, 1, 15).build().start()) {
      String s = sim.sessionIds().get(0);
      ObjectNode extra = JsonNodeFactory.instance.objectNode();
      extra.put("mood", "curious");
      extra.putObject("telemetry").put("depth", 3).putArray("path").add("a").add(2).add(true);
      String unknownType = sim.appendEvents(s, 1, EventSpec.ofType("agent.telepathy").withExtraFields(extra)).get(0);
      ObjectNode field = JsonNodeFactory.instance.objectNode();
      field.putObject("brand_new_field").put("since", "v2").putNull("nothing");
      List<String> unknownField = sim.appendEvents(s, 3, EventSpec.next().withExtraFields(field));
      sim.appendEvents(s, 5);

      PipelineFixture f = PipelineFixture.of("lossless", bootstrap(), sim);
      try (Connector connector = f.start(); SchemaRegistry registry = f.registry();
          DeliveryChecker checker = DeliveryChecker.builder(f.bootstrap).eventsTopic(f.eventsTopic())
              .errorsTopic(f.errorsTopic()).deadLetterTopic(f.deadLetterTopic()).registryUrl(f.registryUrl())
              .retainValues(true).build()) {
        assertClean(checker.awaitDelivered(DELIVERY, () -> Expected.all(sim.groundTruth())));
        List<ObjectNode> served = sim.eventsJson(s);
        assertThat(served).hasSize(15 + 1 + 3 + 5);
        for (ObjectNode original : served) {
          String id = original.get("id").asText();
          ObjectNode back = EventJson.toJson(checker.decoded(id).orElseThrow());
          assertThat(instants(back)).as("event %s read back from Kafka", id).isEqualTo(instants(original));
        }
        ObjectNode telepathy = EventJson.toJson(checker.decoded(unknownType).orElseThrow());
        assertThat(telepathy.get("type").asText()).isEqualTo("agent.telepathy");
        assertThat(telepathy.at("/telemetry/path/2").asBoolean()).isTrue();
        for (String id : unknownField) {
          assertThat(EventJson.toJson(checker.decoded(id).orElseThrow()).at("/brand_new_field/since").asText())
              .isEqualTo("v2");
        }
      } finally {
        f.dropRegistry();
      }
    }
  }

  // ---- (g) large events, and events too large for Kafka --------------------------------------

  /**
   * Issue 12, defect 9: a 2 MB {@code agent.message} is a normal event. It must arrive in the events
   * topic, in its place, and decode to what the API served; before the fix it went to the dead-letter
   * topic as gzip JSON and the events topic had a silent gap.
   */
  @Test
  void aTwoMegabyteEventArrivesInTheEventsTopicInOrderAndDecodes() {
    try (QoderSimulator sim = sim(51, 2, 10).build().start()) {
      String s = sim.sessionIds().get(0);
      String large = sim.appendEvents(s, 1, EventSpec.ofType("agent.message").withContentBytes(2_000_000)).get(0);
      List<String> after = sim.appendEvents(s, 6);

      PipelineFixture f = PipelineFixture.of("large", bootstrap(), sim);
      try (Connector connector = f.start(); SchemaRegistry registry = f.registry();
          DeliveryChecker checker = DeliveryChecker.builder(f.bootstrap).eventsTopic(f.eventsTopic())
              .errorsTopic(f.errorsTopic()).deadLetterTopic(f.deadLetterTopic()).registryUrl(f.registryUrl())
              .retainValues(true).build()) {
        DeliveryReport report = checker.awaitDelivered(DELIVERY, () -> Expected.all(sim.groundTruth()));
        assertClean(report);
        assertThat(report.deadLettered()).as("events dead-lettered (the 2 MB one went there before the fix)")
            .isZero();
        List<String> served = sim.eventsJson(s).stream().map(e -> e.get("id").asText()).toList();
        assertThat(checker.eventIds(s)).as("the session's events topic history, in API order").isEqualTo(served);
        ObjectNode servedLarge = sim.eventsJson(s).stream().filter(e -> e.get("id").asText().equals(large))
            .findFirst().orElseThrow();
        ObjectNode back = EventJson.toJson(checker.decoded(large).orElseThrow());
        assertThat(back.at("/content/0/text").asText()).hasSize(2_000_000);
        assertThat(instants(back)).isEqualTo(instants(servedLarge));
        SessionState st = connector.sessions().state(s);
        assertThat(st.deadLettered()).isZero();
        assertThat(st.cursor()).isEqualTo(after.get(after.size() - 1));
      } finally {
        f.dropRegistry();
      }
    }
  }

  /**
   * Beyond {@code kafka.max-record-bytes} (8 MiB by default) an event goes to the dead-letter topic,
   * and a marker ({@code qoder_kafka.dead_lettered}) takes its place in the events topic, pointing at
   * the dead letter: an event-sourced consumer sees where the event was and where to find it.
   */
  @Test
  void aTwentyMegabyteEventLeavesAnInOrderMarkerAndADeadLetter() throws Exception {
    try (QoderSimulator sim = sim(52, 2, 10).build().start()) {
      String s = sim.sessionIds().get(0);
      String huge = sim.appendEvents(s, 1, EventSpec.ofType("agent.message").withContentBytes(20_000_000)).get(0);
      List<String> after = sim.appendEvents(s, 6);

      PipelineFixture f = PipelineFixture.of("oversized", bootstrap(), sim);
      try (Connector connector = f.start(); SchemaRegistry registry = f.registry();
          DeliveryChecker checker = DeliveryChecker.builder(f.bootstrap).eventsTopic(f.eventsTopic())
              .errorsTopic(f.errorsTopic()).deadLetterTopic(f.deadLetterTopic()).registryUrl(f.registryUrl())
              .retainValues(true).build()) {
        DeliveryReport report = checker.awaitDelivered(DELIVERY, () -> Expected.all(sim.groundTruth()));
        assertClean(report);
        assertThat(report.deadLettered()).isEqualTo(1);
        assertThat(report.deadLetterReasons()).containsOnlyKeys(huge);
        DeliveryChecker.DeadLetter letter = checker.deadLetters().get(s).get(0);
        assertThat(letter.reason()).isEqualTo("RECORD_TOO_LARGE");
        assertThat(letter.headers()).containsEntry("dlq.event-id", huge).containsEntry("dlq.session-id", s)
            .containsEntry("dlq.original-topic", f.eventsTopic()).containsKey("dlq.message");
        assertThat(Integer.parseInt(letter.headers().get("dlq.original-size"))).isGreaterThan(20_000_000);
        // The event itself survives in the dead letter (compressed, not truncated).
        assertThat(letter.headers()).containsEntry("dlq.truncated", "false");
        ObjectNode servedHuge = sim.eventsJson(s).stream().filter(e -> e.get("id").asText().equals(huge))
            .findFirst().orElseThrow();
        assertThat(readTree(letter.json())).isEqualTo(servedHuge);

        // In the events topic: every event in API order, the marker in the huge one's place.
        List<String> served = sim.eventsJson(s).stream().map(e -> e.get("id").asText()).toList();
        assertThat(checker.eventIds(s)).isEqualTo(served);
        com.qoder.kafka.avro.v1.SessionEvent marker = checker.decoded(huge).orElseThrow();
        assertThat(marker.getType()).isEqualTo("qoder_kafka.dead_lettered");
        assertThat(marker.getSessionId()).isEqualTo(s);
        JsonNode payload = readTree(((com.qoder.kafka.avro.v1.UnknownEvent) marker.getPayload()).getRawJson())
            .get("dead_letter");
        assertThat(payload.get("event_id").asText()).isEqualTo(huge);
        assertThat(payload.get("event_type").asText()).isEqualTo("agent.message");
        assertThat(payload.get("reason").asText()).isEqualTo("RECORD_TOO_LARGE");
        assertThat(payload.get("topic").asText()).isEqualTo(f.deadLetterTopic());
        assertThat(payload.get("partition").asInt()).isEqualTo(letter.partition());
        assertThat(payload.get("offset").asLong()).isEqualTo(letter.offset());
        SessionState st = connector.sessions().state(s);
        assertThat(st.deadLettered()).isEqualTo(1);
        assertThat(st.cursor()).isEqualTo(after.get(after.size() - 1));
      } finally {
        f.dropRegistry();
      }
    }
  }

  /**
   * A topic's max.message.bytes lowered while the connector runs: the broker refuses a 2 MB record
   * that passed the size check. The event is dead-lettered with a marker (after the rest of its page,
   * the one case where a marker is late); the sink learns the topic's limit, so the next large event
   * of the topic leaves its marker exactly in its place.
   */
  @Test
  void aTopicLimitLoweredWhileRunningIsLearnedFromTheBrokersRefusal() throws Exception {
    try (QoderSimulator sim = sim(53, 1, 10).build().start()) {
      String s = sim.sessionIds().get(0);
      // Uncompressed: the simulator's padding would compress far below any limit the broker checks.
      PipelineFixture f = PipelineFixture.of("lowered", bootstrap(), sim).set(Settings.COMPRESSION.key(), "none");
      try (Connector connector = f.start(); SchemaRegistry registry = f.registry();
          DeliveryChecker checker = DeliveryChecker.builder(f.bootstrap).eventsTopic(f.eventsTopic())
              .errorsTopic(f.errorsTopic()).deadLetterTopic(f.deadLetterTopic()).registryUrl(f.registryUrl())
              .retainValues(true).build()) {
        assertClean(checker.awaitDelivered(DELIVERY, () -> Expected.all(sim.groundTruth())));
        try (var admin = KafkaTestSupport.admin(f.bootstrap)) {
          var resource = new org.apache.kafka.common.config.ConfigResource(
              org.apache.kafka.common.config.ConfigResource.Type.TOPIC, f.eventsTopic());
          admin.incrementalAlterConfigs(Map.of(resource, List.of(new org.apache.kafka.clients.admin.AlterConfigOp(
              new org.apache.kafka.clients.admin.ConfigEntry("max.message.bytes", "1048588"),
              org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)))).all().get();
        }
        String first = sim.appendEvents(s, 1, EventSpec.ofType("agent.message").withContentBytes(2_000_000)).get(0);
        sim.appendEvents(s, 3);
        DeliveryReport[] last = {checker.awaitDelivered(DELIVERY, () -> Expected.all(sim.groundTruth()))};
        // The refused event's marker follows the rest of its page: it can arrive after the events
        // the delivery check waited for (CI once compared just before it).
        Await.until(DELIVERY, Duration.ofMillis(200), () -> "the refused event's marker: " + last[0],
            () -> (last[0] = checker.check(Expected.all(sim.groundTruth()))).silentGaps() == 0);
        DeliveryReport report = last[0];
        assertThat(report.missing()).as("%s", report).isZero();
        assertThat(report.silentGaps() + report.badMarkers() + report.duplicated()).as("%s", report).isZero();
        assertThat(report.outOfOrder()).as("at most the refused event's marker comes late: %s", report)
            .isLessThanOrEqualTo(1);
        assertThat(checker.decoded(first).orElseThrow().getType()).isEqualTo(DeliveryChecker.MARKER_TYPE);
        assertThat(connector.sink().maxRecordBytes(f.eventsTopic())).as("learned from the refusal")
            .isLessThan(2_001_000);

        String second = sim.appendEvents(s, 1, EventSpec.ofType("agent.message").withContentBytes(2_000_000)).get(0);
        List<String> after = sim.appendEvents(s, 3);
        DeliveryReport again = checker.awaitDelivered(DELIVERY, () -> Expected.all(sim.groundTruth()));
        assertThat(again.missing() + again.silentGaps() + again.badMarkers() + again.duplicated()).as("%s", again)
            .isZero();
        assertThat(again.outOfOrder()).as("nothing more out of order: %s", again).isEqualTo(report.outOfOrder());
        List<String> ids = checker.eventIds(s);
        List<String> tail = new java.util.ArrayList<>(List.of(second));
        tail.addAll(after);
        assertThat(ids.subList(ids.size() - 4, ids.size())).as("the second marker in its place").isEqualTo(tail);
        assertThat(checker.decoded(second).orElseThrow().getType()).isEqualTo(DeliveryChecker.MARKER_TYPE);
        assertThat(again.deadLettered()).isEqualTo(2);
        assertThat(connector.fatalError()).isEmpty();
      } finally {
        f.dropRegistry();
      }
    }
  }

  // ---- (j) offsets --------------------------------------------------------------------------

  @Test
  void aRestartedConnectorResumesFromTheCompactedOffsetsTopic() throws Exception {
    try (QoderSimulator sim = sim(61, 8, 120).build().start()) {
      PipelineFixture f = PipelineFixture.of("resume", bootstrap(), sim);
      Map<String, String> cursors = new HashMap<>();
      Connector first = f.start(); // registers the schema the checker expects
      try (SchemaRegistry registry = f.registry(); DeliveryChecker checker = f.checker(registry)) {
        try (first) {
          assertClean(checker.awaitDelivered(DELIVERY, () -> Expected.all(sim.groundTruth())));
          await(Duration.ofSeconds(10), "every cursor at the session's last event", () ->
              sim.sessionIds().stream().allMatch(id -> lastOf(sim, id).equals(first.sessions().state(id).cursor())));
        }
        try (TopicAdmin admin = TopicAdmin.create(f.bootstrap, KafkaClientProperties.of(Map.of()))) {
          assertThat(admin.cleanupPolicy(f.offsetsTopic())).isEqualTo("compact");
        }
        for (String id : sim.sessionIds()) {
          cursors.put(id, lastOf(sim, id));
          sim.appendEvents(id, 12);
        }
        sim.resetRequestLog();
        try (Connector second = f.start()) {
          for (String id : sim.sessionIds()) {
            assertThat(second.sessions().state(id)).as("restored state of %s", id).isNotNull();
          }
          DeliveryReport report = checker.awaitDelivered(DELIVERY, () -> Expected.all(sim.groundTruth()));
          assertClean(report);
          assertThat(report.eventRecords()).isEqualTo(8 * 120 + 8 * 12);
          // Each session's first request after the restart continued from its stored cursor.
          for (String id : sim.sessionIds()) {
            RequestRecord firstPoll = sim.requestLog().stream()
                .filter(r -> r.endpoint() == Endpoint.EVENTS && id.equals(r.sessionId())).findFirst().orElseThrow();
            assertThat(firstPoll.query()).as("first poll of %s after restart", id)
                .contains("after_id=" + cursors.get(id));
          }
        }
      } finally {
        first.close();
        f.dropRegistry();
      }
    }
  }

  @Test
  void aNonCompactedTopicWithTheOffsetsTopicsNameStopsTheStart() {
    try (QoderSimulator sim = sim(71, 1, 5).build().start()) {
      PipelineFixture f = PipelineFixture.of("notcompact", bootstrap(), sim);
      KafkaTestSupport.createTopic(f.bootstrap, f.offsetsTopic(), 3, Map.of("cleanup.policy", "delete"));
      try {
        assertThatThrownBy(f::start)
            .hasMessageContaining(f.offsetsTopic())
            .hasMessageContaining("cleanup.policy=delete")
            .hasMessageContaining("compact");
        // Nothing was produced: the start failed before any poller ran.
        assertThat(sim.requestStats().total()).isZero();
      } finally {
        f.dropRegistry();
      }
    }
  }

  @Test
  void startPositionLatestDeliversOnlyEventsCreatedAfterTheSessionWasFirstSeen() {
    try (QoderSimulator sim = sim(81, 0, 0).build().start()) {
      String withHistory = sim.createSession(null, 50);
      PipelineFixture f = PipelineFixture.of("latest", bootstrap(), sim)
          .set(Settings.START_POSITION.key(), "latest");
      try (Connector connector = f.start(); SchemaRegistry registry = f.registry();
          DeliveryChecker checker = f.checker(registry)) {
        await(Duration.ofSeconds(20), "the session was seen and its history read", () -> {
          SessionState st = connector.sessions().state(withHistory);
          return st != null && lastOf(sim, withHistory).equals(st.cursor());
        });
        Set<String> fresh = new HashSet<>(sim.appendEvents(withHistory, 10));
        String later = sim.createSession(null, 0); // never seen before either: empty history
        Set<String> laterEvents = new HashSet<>();
        await(Duration.ofSeconds(20), "the new session is followed", () -> connector.sessions().state(later) != null);
        laterEvents.addAll(sim.appendEvents(later, 8));
        DeliveryReport report = checker.awaitDelivered(DELIVERY, () -> List.of(
            Expected.of(sim.groundTruth(withHistory), fresh::contains),
            Expected.of(sim.groundTruth(later), laterEvents::contains)));
        assertClean(report);
        assertThat(report.eventRecords()).isEqualTo(18);
        assertThat(report.unexpected()).as("history before the first sight").isZero();
      } finally {
        f.dropRegistry();
      }
    }
  }

  // ---- helpers ------------------------------------------------------------------------------

  static void assertClean(DeliveryReport report) {
    assertThat(report.isClean()).as("%s", report).isTrue();
  }

  private static SessionStatus status(Connector c, String id) {
    SessionState s = c.sessions().state(id);
    return s == null ? null : s.status();
  }

  private static String lastOf(QoderSimulator sim, String id) {
    List<String> ids = sim.groundTruth(id).eventIds();
    return ids.get(ids.size() - 1);
  }

  private static long lastSequence(QoderSimulator sim) {
    List<RequestRecord> log = sim.requestLog();
    return log.isEmpty() ? 0 : log.get(log.size() - 1).sequence();
  }

  private static long eventRequestsAfter(QoderSimulator sim, String sessionId, long sequence) {
    return sim.requestLog().stream().filter(r -> r.sequence() > sequence && r.endpoint() == Endpoint.EVENTS
        && sessionId.equals(r.sessionId())).count();
  }

  private static final Pattern TIMESTAMP = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?(Z|[+-]\\d\\d:\\d\\d)");

  /** A copy with every RFC 3339 timestamp rewritten as its instant (precision kept, format normalised). */
  static JsonNode instants(JsonNode node) {
    if (node.isTextual() && TIMESTAMP.matcher(node.asText()).matches()) {
      try {
        return TextNode.valueOf(java.time.OffsetDateTime.parse(node.asText()).toInstant().toString());
      } catch (DateTimeParseException e) {
        return node;
      }
    }
    if (node.isObject()) {
      ObjectNode copy = JsonNodeFactory.instance.objectNode();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        copy.set(e.getKey(), instants(e.getValue()));
      }
      return copy;
    }
    if (node.isArray()) {
      ArrayNode copy = JsonNodeFactory.instance.arrayNode();
      node.forEach(n -> copy.add(instants(n)));
      return copy;
    }
    return node;
  }

  private static JsonNode readTree(String json) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
    } catch (java.io.IOException e) {
      throw new AssertionError("dead letter is not JSON", e);
    }
  }
}

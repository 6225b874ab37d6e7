package com.qoder.kafka.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.IntegrationTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.qoder.kafka.avro.Schemas;
import com.qoder.kafka.avro.v1.SessionEvent;
import com.qoder.kafka.avro.v1.UnknownEvent;
import com.qoder.kafka.checker.DeliveryChecker;
import com.qoder.kafka.checker.DeliveryReport;
import com.qoder.kafka.checker.Expected;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.KafkaTestSupport;
import com.qoder.kafka.runtime.Connector;
import com.qoder.kafka.sim.EventSpec;
import com.qoder.kafka.sim.QoderSimulator;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 12, defect 9: large legitimate events stay in the ordered stream. Three sessions get, in the
 * middle of their history, a 2 MB {@code agent.message}, a 2 MB {@code session.error} (also routed
 * to the alerts topic) and a 20 MB {@code agent.message} (above the default 8 MiB
 * {@code kafka.max-record-bytes}). The 2 MB events must be in their topics in API order and decode;
 * the 20 MB one must leave a dead letter and, in its place in the events topic, a marker pointing at
 * it. In both delivery modes: in exactly-once mode the dead letter and its marker are in the page's
 * transaction.
 */
@IntegrationTest
class LargeEventsTest {

  private static final Duration DELIVERY_DEADLINE = Duration.ofSeconds(120);
  private static final int LARGE = 2_000_000;
  private static final int HUGE = 20_000_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String bootstrap = KafkaTestSupport.sharedBroker().bootstrapServers();

  enum Mode {
    AT_LEAST_ONCE("LARGE_EVENTS", "at-least-once"),
    EXACTLY_ONCE("LARGE_EVENTS_EXACTLY_ONCE", "exactly-once");

    final String row;
    final String delivery;

    Mode(String row, String delivery) {
      this.row = row;
      this.delivery = delivery;
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void twoMegabyteEventsArriveInOrderAndTwentyMegabytesLeaveAMarkerAndADeadLetter(Mode mode) throws Exception {
    try (QoderSimulator sim = Fixtures.simulator(121 + mode.ordinal(), 3, 20).releasedFraction(0)
        .terminatedFraction(0).build().start()) {
      List<String> sessions = sim.sessionIds();
      String message = sessions.get(0);
      String error = sessions.get(1);
      String oversized = sessions.get(2);
      String large = sim.appendEvents(message, 1, EventSpec.ofType("agent.message").withContentBytes(LARGE)).get(0);
      String largeError = sim.appendEvents(error, 1, EventSpec.ofType("session.error").withContentBytes(LARGE))
          .get(0);
      String huge = sim.appendEvents(oversized, 1, EventSpec.ofType("agent.message").withContentBytes(HUGE)).get(0);
      for (String s : sessions) {
        sim.appendEvents(s, 5); // the stream goes on after the large event
      }

      Pipeline p = Pipeline.of("large-" + mode.name().toLowerCase().replace('_', '-'), bootstrap, sim,
          "mock://large-events").set(Settings.DELIVERY.key(), mode.delivery);
      try (Connector connector = Connector.start(p.config());
          DeliveryChecker checker = DeliveryChecker.builder(bootstrap).eventsTopic(p.eventsTopic())
              .errorsTopic(p.errorsTopic()).deadLetterTopic(p.deadLetterTopic()).fixedSchema(Schemas.sessionEvent())
              .retainValues(true).build()) {
        DeliveryReport report = checker.awaitDelivered(DELIVERY_DEADLINE, () -> Expected.all(sim.groundTruth()));
        assertThat(connector.fatalError()).isEmpty();

        // Every session's events topic history is the API's, in order, the marker in the huge one's place.
        for (String s : sessions) {
          assertThat(checker.eventIds(s)).as("events topic of %s", s)
              .isEqualTo(sim.eventsJson(s).stream().map(e -> e.get("id").asText()).toList());
        }
        assertThat(text(checker.decoded(large).orElseThrow(), "/content/0/text")).hasSize(LARGE);
        assertThat(checker.decoded(largeError).orElseThrow().getType()).isEqualTo("session.error");
        assertThat(report.errorRecords()).as("the 2 MB session.error also in the alerts topic").isEqualTo(
            sim.groundTruth().values().stream().flatMap(t -> sim.eventsJson(t.sessionId()).stream())
                .filter(e -> e.get("type").asText().equals("session.error")).count());

        SessionEvent marker = checker.decoded(huge).orElseThrow();
        assertThat(marker.getType()).isEqualTo("qoder_kafka.dead_lettered");
        JsonNode pointer = JSON.readTree(((UnknownEvent) marker.getPayload()).getRawJson()).get("dead_letter");
        DeliveryChecker.DeadLetter letter = checker.deadLetters().get(oversized).get(0);
        assertThat(pointer.get("offset").asLong()).isEqualTo(letter.offset());
        assertThat(letter.reason()).isEqualTo("RECORD_TOO_LARGE");
        assertThat(letter.json().length()).as("the dead letter keeps the whole event").isGreaterThan(HUGE);
        assertThat(report.deadLettered()).isEqualTo(1);
        assertThat(report.markerRecords()).isEqualTo(1);

        String happened = "2 MB agent.message and 2 MB session.error in order in the events (and alerts) topic, "
            + "decoded; 20 MB agent.message: dead letter + in-order marker (" + mode.delivery + ")";
        MatrixRow.report(mode.row, happened, report.requiredEvents(), report.missing(), report.duplicated(),
            MatrixRow.Figures.requests(sim.requestLog()).withHeapAfterGc());
        assertThat(report.isClean()).as("%s", report).isTrue();
      }
    }
  }

  private static String text(SessionEvent e, String pointer) {
    return com.qoder.kafka.avro.EventJson.toJson(e).at(pointer).asText();
  }
}

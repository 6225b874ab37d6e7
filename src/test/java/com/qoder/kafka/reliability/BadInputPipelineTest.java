package com.qoder.kafka.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.IntegrationTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.qoder.kafka.api.Timestamps;
import com.qoder.kafka.avro.EventJson;
import com.qoder.kafka.avro.RejectReason;
import com.qoder.kafka.avro.Schemas;
import com.qoder.kafka.avro.v1.SessionEvent;
import com.qoder.kafka.avro.v1.UnknownEvent;
import com.qoder.kafka.checker.DeliveryChecker;
import com.qoder.kafka.checker.DeliveryReport;
import com.qoder.kafka.checker.Expected;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.KafkaTestSupport;
import com.qoder.kafka.kafka.RecordRejectedException;
import com.qoder.kafka.runtime.Connector;
import com.qoder.kafka.sim.EventSpec;
import com.qoder.kafka.sim.QoderSimulator;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Bad input through the whole pipeline: the simulator serves randomly malformed events (unknown
 * fields, wrong JSON types for documented fields, control characters, huge strings, deep nesting,
 * broken timestamps, unknown types) over HTTP among normal ones. Every event must either reach the
 * events topic as a record whose JSON round-trips to what the API served, or reach the dead-letter
 * topic with a typed reason and the original JSON; no session may stop.
 *
 * <p>The mapper's own property tests (avro/MappingPropertiesTest) cover the JSON → Avro mapping in
 * depth; this covers what lies around it: the HTTP page parser, routing, dead letters, the
 * poller's handling of a page with rejected events, and the offsets that follow.
 */
@IntegrationTest
class BadInputPipelineTest {

  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int SESSIONS = 4;
  private static final int BAD_EVENTS_PER_SESSION = 40;

  private final String bootstrap = KafkaTestSupport.sharedBroker().bootstrapServers();

  @Test
  void everyMalformedEventIsDeliveredRoundTrippingOrDeadLetteredWithAReason() throws Exception {
    long seed = Long.getLong("reliability.seed", System.currentTimeMillis());
    System.out.println("bad input seed " + seed + " (rerun with -Dreliability.seed=" + seed + ")");
    Random random = new Random(seed);
    try (QoderSimulator sim = Fixtures.simulator(seed, SESSIONS, 20).terminatedFraction(0).releasedFraction(0)
        .build().start()) {
      Pipeline p = Pipeline.of("bad-input", bootstrap, sim, "mock://bad-input").set(Settings.PAGE_SIZE.key(), "25");
      Map<String, String> mutationOf = new HashMap<>();
      try (Connector connector = Connector.start(p.config());
          DeliveryChecker checker = DeliveryChecker.builder(bootstrap).eventsTopic(p.eventsTopic())
              .errorsTopic(p.errorsTopic()).deadLetterTopic(p.deadLetterTopic()).fixedSchema(Schemas.sessionEvent())
              .retainValues(true).build()) {
        for (int round = 0; round < BAD_EVENTS_PER_SESSION; round++) {
          for (String session : sim.sessionIds()) {
            Mutation m = Mutation.random(random);
            for (String id : sim.appendEvents(session, 1, m.spec(random))) {
              mutationOf.put(id, m.name());
            }
            if (random.nextInt(3) == 0) {
              sim.appendEvents(session, 1 + random.nextInt(3)); // normal events in between
            }
          }
        }
        // After the bad input every session must still move: normal events at the end.
        Set<String> lastNormal = new HashSet<>();
        for (String session : sim.sessionIds()) {
          lastNormal.addAll(sim.appendEvents(session, 5));
        }
        DeliveryReport report = checker.awaitDelivered(Duration.ofSeconds(90), () -> Expected.all(sim.groundTruth()));
        Fixtures.assertCleanApartFromDuplicates(report);
        assertThat(report.duplicated()).as("%s", report).isZero();

        Map<String, Integer> outcomes = new TreeMap<>();
        Map<String, ObjectNode> served = new HashMap<>();
        for (String session : sim.sessionIds()) {
          sim.eventsJson(session).forEach(e -> served.put(e.get("id").asText(), e));
        }
        Map<String, DeliveryChecker.DeadLetter> dead = new HashMap<>();
        checker.deadLetters().values().forEach(list -> list.forEach(d -> dead.put(d.eventId(), d)));
        Set<String> reasons = new HashSet<>();
        for (RejectReason r : RejectReason.values()) {
          reasons.add(r.name());
        }
        for (RecordRejectedException.Reason r : RecordRejectedException.Reason.values()) {
          reasons.add(r.name());
        }
        for (Map.Entry<String, String> e : mutationOf.entrySet()) {
          String id = e.getKey();
          ObjectNode original = served.get(id);
          assertThat(original).as("served event %s", id).isNotNull();
          var decoded = checker.decoded(id);
          if (decoded.isPresent() && !DeliveryChecker.MARKER_TYPE.equals(decoded.get().getType())) {
            assertRoundTrips(e.getValue(), original, decoded.get());
            outcomes.merge(e.getValue() + " -> delivered", 1, Integer::sum);
          } else {
            DeliveryChecker.DeadLetter d = dead.get(id);
            assertThat(d).as("event %s (%s) neither delivered nor dead-lettered", id, e.getValue()).isNotNull();
            assertThat(decoded).as("the marker in the place of dead-lettered event %s (%s)", id, e.getValue())
                .isPresent();
            assertThat(reasons).as("dead-letter reason of %s (%s)", id, e.getValue()).contains(d.reason());
            if (!"true".equals(d.headers().get("dlq.truncated"))) {
              assertThat(JSON.readTree(d.json())).as("dead letter of %s keeps the event", id).isEqualTo(original);
            }
            outcomes.merge(e.getValue() + " -> dead letter " + d.reason(), 1, Integer::sum);
          }
        }
        for (String id : lastNormal) {
          assertThat(checker.decoded(id)).as("normal event %s after the bad input", id).isPresent();
        }
        assertThat(connector.fatalError()).isEmpty();
        for (String session : sim.sessionIds()) {
          assertThat(connector.sessions().state(session).status().isFinal()).as("session %s stopped", session).isFalse();
        }
        outcomes.forEach((k, v) -> System.out.println("bad input: " + k + " x" + v));
        long deadLettered = outcomes.entrySet().stream().filter(x -> x.getKey().contains("dead letter"))
            .mapToLong(Map.Entry::getValue).sum();
        MatrixRow.report("BAD_INPUT", mutationOf.size() + " malformed events (" + Mutation.values().length
            + " kinds) among normal ones: " + (mutationOf.size() - deadLettered) + " delivered round-tripping, "
            + deadLettered + " dead-lettered with a reason; no session stopped", report.requiredEvents(),
            report.missing(), report.duplicated());
      }
    }
  }

  /** map → Avro → Kafka → decode → JSON gives the served event back (timestamps as the same instants). */
  private static void assertRoundTrips(String mutation, ObjectNode original, SessionEvent decoded) {
    ObjectNode expected = original.deepCopy();
    if (!(decoded.getPayload() instanceof UnknownEvent)) {
      for (String name : List.of("created_at", "processed_at")) {
        JsonNode v = expected.get(name);
        if (v != null && v.isTextual()) {
          try {
            expected.put(name, Timestamps.format(Timestamps.parseEpochNanos(v.asText())));
          } catch (IllegalArgumentException notATimestamp) {
            // kept as served: an unparsable optional timestamp stays in extra_json verbatim
          }
        }
      }
    }
    assertThat(EventJson.toJson(decoded)).as("round trip of a %s event", mutation).isEqualTo(expected);
  }

  /** The kinds of malformed events; each makes one event. */
  enum Mutation {
    UNKNOWN_FIELDS {
      @Override EventSpec spec(Random r) {
        ObjectNode f = F.objectNode();
        for (int i = 0; i < 1 + r.nextInt(4); i++) {
          f.set("x_unknown_" + r.nextInt(1000), randomValue(r, 3));
        }
        return EventSpec.next().withExtraFields(f);
      }
    },
    WRONG_TYPES {
      @Override EventSpec spec(Random r) {
        String[] fields = {"content", "turn_id", "schema_version", "stop_reason", "usage", "error", "model",
            "processed_at"};
        ObjectNode f = F.objectNode();
        f.set(fields[r.nextInt(fields.length)], randomValue(r, 2));
        return EventSpec.next().withExtraFields(f);
      }
    },
    CONTROL_CHARACTERS {
      @Override EventSpec spec(Random r) {
        StringBuilder sb = new StringBuilder();
        String[] odd = {"\u0000", "\u0007", "\u001b[31m", "\r\n", "\t", "\u2028", "\u2029", "\ufeff", "\u200b",
            "\ud83d\ude00", "\\", "\"", "</script>", "'; DROP TABLE events; --"};
        for (int i = 0; i < 5 + r.nextInt(10); i++) {
          sb.append(odd[r.nextInt(odd.length)]).append((char) ('a' + r.nextInt(26)));
        }
        ObjectNode f = F.objectNode();
        f.put(r.nextBoolean() ? "content" : "x_note", sb.toString());
        return EventSpec.next().withExtraFields(f);
      }
    },
    HUGE_STRING {
      @Override EventSpec spec(Random r) {
        ObjectNode f = F.objectNode();
        f.put("x_blob", "x".repeat(50_000 + r.nextInt(250_000)));
        return EventSpec.next().withExtraFields(f);
      }
    },
    TOO_LARGE_FOR_KAFKA {
      @Override EventSpec spec(Random r) {
        return EventSpec.ofType("agent.message").withContentBytes(1_100_000 + r.nextInt(400_000));
      }
    },
    DEEP_NESTING {
      @Override EventSpec spec(Random r) {
        int[] depths = {10, 100, 500, 900};
        JsonNode v = F.textNode("bottom");
        for (int i = depths[r.nextInt(depths.length)]; i > 0; i--) {
          v = r.nextBoolean() ? F.arrayNode().add(v) : F.objectNode().set("n", v);
        }
        ObjectNode f = F.objectNode();
        f.set("x_deep", v);
        return EventSpec.next().withExtraFields(f);
      }
    },
    BROKEN_TIMESTAMP {
      @Override EventSpec spec(Random r) {
        JsonNode[] bad = {F.textNode("yesterday"), F.textNode("2026-13-45T99:99:99Z"), F.numberNode(1716000000),
            F.textNode("1500-01-01T00:00:00Z"), F.nullNode(), F.textNode(""), F.textNode("2026-05-18T03:00:00")};
        ObjectNode f = F.objectNode();
        f.set(r.nextInt(3) == 0 ? "processed_at" : "created_at", bad[r.nextInt(bad.length)]);
        return EventSpec.next().withExtraFields(f);
      }
    },
    BAD_TYPE_OR_SESSION_FIELD {
      @Override EventSpec spec(Random r) {
        ObjectNode f = F.objectNode();
        JsonNode[] bad = {F.numberNode(7), F.nullNode(), F.objectNode().put("t", "x"), F.arrayNode().add("a")};
        f.set(r.nextBoolean() ? "type" : "session_id", bad[r.nextInt(bad.length)]);
        return EventSpec.next().withExtraFields(f);
      }
    },
    UNKNOWN_TYPE {
      @Override EventSpec spec(Random r) {
        ObjectNode f = F.objectNode();
        f.set("payload", randomValue(r, 3));
        return EventSpec.ofType("x.custom." + r.nextInt(50)).withExtraFields(f);
      }
    };

    abstract EventSpec spec(Random r);

    static Mutation random(Random r) {
      return values()[r.nextInt(values().length)];
    }
  }

  static JsonNode randomValue(Random r, int depth) {
    int kind = r.nextInt(depth <= 0 ? 6 : 8);
    switch (kind) {
      case 0: return F.nullNode();
      case 1: return F.booleanNode(r.nextBoolean());
      case 2: return F.numberNode(r.nextLong());
      case 3: return F.numberNode(r.nextDouble() * 1e6);
      case 4: return F.textNode("s" + r.nextInt());
      case 5: return F.numberNode(new java.math.BigInteger(80, r));
      case 6: {
        ArrayNode a = F.arrayNode();
        for (int i = 0; i < r.nextInt(4); i++) {
          a.add(randomValue(r, depth - 1));
        }
        return a;
      }
      default: {
        ObjectNode o = F.objectNode();
        for (int i = 0; i < r.nextInt(4); i++) {
          o.set("k" + r.nextInt(100), randomValue(r, depth - 1));
        }
        return o;
      }
    }
  }
}

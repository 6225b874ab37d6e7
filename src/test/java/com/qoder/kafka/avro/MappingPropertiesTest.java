package com.qoder.kafka.avro;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.qoder.kafka.avro.v1.FileRecord;
import com.qoder.kafka.avro.v1.SessionEvent;
import com.qoder.kafka.avro.v1.SessionLifecycleRecord;
import com.qoder.kafka.avro.v1.SessionResourceRecord;
import com.qoder.kafka.avro.v1.UnknownEvent;
import java.time.Instant;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

/**
 * Lossless or rejected, never an exception: for random events (documented and unknown types,
 * members right, wrong, null or missing, random extra members, control characters, lone
 * surrogates, deep nesting, megabyte strings) the mapper either produces a record whose Avro
 * binary round trip gives the original JSON back, or a typed rejection for exactly the events
 * that cannot be keyed, routed or ordered.
 */
class MappingPropertiesTest {

  private static final EventMapper EVENTS = new EventMapper();
  private static final ItemMapper ITEMS = new ItemMapper();
  private static final Instant OBSERVED = Instant.parse("2026-05-18T03:40:48.888851795Z");

  @Provide
  Arbitrary<ObjectNode> events() {
    return Arbitraries.randomValue(random -> new JsonGen(random).event());
  }

  @Provide
  Arbitrary<ObjectNode> anyObjects() {
    return Arbitraries.randomValue(random -> JsonGen.reparsed(new JsonGen(random).object(4, random.nextInt(12))));
  }

  @Property(tries = 300)
  void everyEventMapsLosslesslyOrIsRejectedForAReason(@ForAll("events") ObjectNode event) {
    ObjectNode before = event.deepCopy();

    MappingResult<SessionEvent> result = EVENTS.map(event);

    assertThat(event).as("the input is not modified").isEqualTo(before);
    RejectReason expected = expectedRejection(event);
    if (expected == null) {
      assertThat(result).isInstanceOf(MappingResult.Mapped.class);
      SessionEvent record = RoundTrips.assertEventRoundTrips(event);
      boolean documented = EventMapper.DOCUMENTED_TYPES.contains(event.get("type").textValue());
      assertThat(record.getPayload() instanceof UnknownEvent).isEqualTo(!documented);
      Statistics.label("outcome").collect(!documented ? "unknown type"
          : record.getExtraJson() == null ? "typed, no extra" : "typed with extra");
    } else {
      Statistics.label("outcome").collect("rejected");
      assertThat(result).isInstanceOfSatisfying(MappingResult.Rejected.class, r -> {
        assertThat(r.reason()).isEqualTo(expected);
        assertThat(r.original()).isSameAs(event);
        assertThat(Json.isWellFormed(r.message())).isTrue();
        assertThat(RoundTrips.parse(new String(r.originalJsonBytes(), java.nio.charset.StandardCharsets.UTF_8)))
            .isEqualTo(event);
      });
    }
    // The generator must exercise every outcome, or the property proves little.
    Statistics.label("outcome").coverage(coverage -> {
      coverage.check("unknown type").percentage(p -> p > 5);
      coverage.check("typed, no extra").percentage(p -> p > 2);
      coverage.check("typed with extra").percentage(p -> p > 10);
      coverage.check("rejected").percentage(p -> p > 5);
    });
  }

  @Property(tries = 200)
  void arbitraryObjectsNeverBreakTheMapper(@ForAll("anyObjects") ObjectNode object) {
    MappingResult<SessionEvent> result = EVENTS.map(object);

    if (result instanceof MappingResult.Rejected<SessionEvent> r) {
      assertThat(r.reason()).isNotEqualTo(RejectReason.UNEXPECTED);
    } else {
      RoundTrips.assertEventRoundTrips(object);
    }
  }

  @Property(tries = 200)
  void arbitraryMembersOfAValidEnvelopeAlwaysRoundTrip(@ForAll("anyObjects") ObjectNode members,
      @ForAll("documentedOrNot") String type) {
    ObjectNode event = members.deepCopy();
    event.put("id", "evt_1").put("type", type).put("session_id", "sess_1")
        .put("created_at", "2026-05-18T03:40:48.888851795Z");

    RoundTrips.assertEventRoundTrips(event);
  }

  @Provide
  Arbitrary<String> documentedOrNot() {
    return Arbitraries.oneOf(Arbitraries.of(EventMapper.DOCUMENTED_TYPES),
        Arbitraries.strings().ofMaxLength(20).filter(Json::isWellFormed));
  }

  @Property(tries = 12)
  void deeplyNestedMembersRoundTripUpToTheLimitAndAreRejectedBeyondIt(
      @ForAll @IntRange(min = 1, max = 1100) int arrays, @ForAll("documentedOrNot") String type) {
    ObjectNode event = RoundTrips.parse("{\"id\": \"evt_1\", \"session_id\": \"sess_1\", "
        + "\"created_at\": \"2026-05-18T03:40:48Z\"}");
    event.put("type", type);
    ArrayNode node = event.putArray("deep");
    for (int i = 1; i < arrays; i++) {
      node = node.addArray();
    }
    int depth = 1 + arrays; // the event object, then the arrays

    MappingResult<SessionEvent> result = EVENTS.map(event);

    if (depth <= Json.MAX_NESTING_DEPTH) {
      RoundTrips.assertEventRoundTrips(event);
    } else {
      assertThat(result).isInstanceOfSatisfying(MappingResult.Rejected.class,
          r -> assertThat(r.reason()).isEqualTo(RejectReason.TOO_DEEP));
    }
  }

  @Property(tries = 200)
  void resourcesFilesAndSessionsMapLosslesslyOrAreRejected(@ForAll("anyObjects") ObjectNode item,
      @ForAll("ids") JsonNode id) {
    ObjectNode resource = item.deepCopy();
    ObjectNode file = item.deepCopy();
    ObjectNode session = item.deepCopy();
    if (id != null) {
      resource.set("id", id);
      file.set("file_id", id);
      session.set("id", id);
    }
    boolean valid = id != null && id.isTextual() && Json.isWellFormed(id.textValue());

    MappingResult<SessionResourceRecord> r = ITEMS.mapResource(resource, "sess_1", "UPDATED", OBSERVED);
    MappingResult<FileRecord> f = ITEMS.mapFile(file, "DELETED", OBSERVED);
    MappingResult<SessionLifecycleRecord> s = ITEMS.mapSession(session, "IDLE", OBSERVED);

    if (!valid) {
      for (MappingResult<?> result : java.util.List.of(r, f, s)) {
        assertThat(result).isInstanceOfSatisfying(MappingResult.Rejected.class,
            rejected -> assertThat(rejected.reason()).isIn(Set.of(RejectReason.MISSING_FIELD,
                RejectReason.INVALID_FIELD, RejectReason.UNENCODABLE_STRING)));
      }
      return;
    }
    assertThat(ItemJson.toJson(RoundTrips.throughAvro(RoundTrips.record(r))))
        .isEqualTo(RoundTrips.instantsNormalized(resource, "created_at", "updated_at"));
    assertThat(ItemJson.toJson(RoundTrips.throughAvro(RoundTrips.record(f))))
        .isEqualTo(RoundTrips.instantsNormalized(file, "created_at", "updated_at"));
    assertThat(ItemJson.toJson(RoundTrips.throughAvro(RoundTrips.record(s))))
        .isEqualTo(RoundTrips.instantsNormalized(session, "createdAt", "releasedAt"));
  }

  @Provide
  Arbitrary<JsonNode> ids() {
    return Arbitraries.randomValue(random -> {
      JsonGen gen = new JsonGen(random);
      return switch (random.nextInt(6)) {
        case 0 -> null;
        case 1 -> gen.value(2);
        case 2 -> com.fasterxml.jackson.databind.node.TextNode.valueOf(gen.string());
        default -> com.fasterxml.jackson.databind.node.TextNode.valueOf("id_" + gen.plainString());
      };
    });
  }

  /** The oracle: what document 002 and the envelope schema require, independent of the mapper. */
  private static RejectReason expectedRejection(ObjectNode event) {
    for (String name : new String[] {"id", "type", "session_id"}) {
      JsonNode value = event.get(name);
      if (value == null || value.isNull()) {
        return RejectReason.MISSING_FIELD;
      }
      if (!value.isTextual()) {
        return RejectReason.INVALID_FIELD;
      }
      if (!Json.isWellFormed(value.textValue())) {
        return RejectReason.UNENCODABLE_STRING;
      }
    }
    JsonNode createdAt = event.get("created_at");
    if (createdAt == null || createdAt.isNull()) {
      return RejectReason.MISSING_FIELD;
    }
    try {
      com.qoder.kafka.api.Timestamps.parseEpochNanos(createdAt.asText());
      return createdAt.isTextual() ? null : RejectReason.INVALID_TIMESTAMP;
    } catch (IllegalArgumentException e) {
      return RejectReason.INVALID_TIMESTAMP;
    }
  }
}

package com.qoder.kafka.avro;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.qoder.kafka.api.Timestamps;
import com.qoder.kafka.avro.v1.SessionEvent;
import com.qoder.kafka.avro.v1.UnknownEvent;
import org.apache.avro.specific.SpecificRecord;

/** Test helpers: parse JSON as the API client does, and run records through Avro binary. */
final class RoundTrips {

  /** A plain mapper, as the API client parses pages. */
  static final ObjectMapper API_JSON = new ObjectMapper();

  static final EventMapper EVENTS = new EventMapper();

  private RoundTrips() {}

  static ObjectNode parse(String json) {
    try {
      return (ObjectNode) API_JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** Maps an event that must be accepted. */
  static SessionEvent mapped(ObjectNode event) {
    MappingResult<SessionEvent> result = EVENTS.map(event);
    assertThat(result).as("mapping of %s", event).isInstanceOf(MappingResult.Mapped.class);
    return ((MappingResult.Mapped<SessionEvent>) result).record();
  }

  /** The record of a result that must be mapped. */
  static <T> T record(MappingResult<T> result) {
    assertThat(result).isInstanceOf(MappingResult.Mapped.class);
    return ((MappingResult.Mapped<T>) result).record();
  }

  /** Encodes to Avro binary and decodes with the same schema as writer and reader. */
  @SuppressWarnings("unchecked")
  static <T extends SpecificRecord> T throughAvro(T record) {
    byte[] bytes = AvroCodec.encode(record);
    return (T) AvroCodec.decode(bytes, record.getSchema(), record.getClass());
  }

  /** Event JSON after map → Avro binary → decode → toJson. */
  static ObjectNode eventRoundTrip(ObjectNode event) {
    return EventJson.toJson(throughAvro(mapped(event)));
  }

  /**
   * A copy of {@code json} whose RFC 3339 members among {@code names} are written as
   * Timestamps.format writes them, so two trees compare timestamps as instants.
   */
  static ObjectNode instantsNormalized(ObjectNode json, String... names) {
    ObjectNode copy = json.deepCopy();
    for (String name : names) {
      JsonNode value = copy.get(name);
      Long nanos = Members.epochNanos(value);
      if (nanos != null) {
        copy.put(name, Timestamps.format(nanos));
      }
    }
    return copy;
  }

  /**
   * Asserts map → Avro binary → toJson gives the event back: typed timestamps as instants, an
   * unknown event byte for byte.
   */
  static SessionEvent assertEventRoundTrips(ObjectNode event) {
    SessionEvent record = throughAvro(mapped(event));
    ObjectNode expected = record.getPayload() instanceof UnknownEvent
        ? event : instantsNormalized(event, "created_at", "processed_at");
    assertThat(EventJson.toJson(record)).isEqualTo(expected);
    return record;
  }
}

package com.qoder.kafka.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.qoder.kafka.api.SessionEvent;
import com.qoder.kafka.avro.AvroCodec;
import com.qoder.kafka.avro.Schemas;
import com.qoder.kafka.avro.v1.UnknownEvent;
import com.qoder.kafka.registry.ConfluentWireFormat;
import java.time.Instant;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The record that takes a dead-lettered event's place: what it says, and that it always encodes. */
class DeadLetterMarkerTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final RecordMetadata WHERE = new RecordMetadata(new TopicPartition("qoder.dead-letter", 4), 17, 0,
      0L, 0, 0);

  @Test
  void pointsAtTheDeadLetterAndKeepsTheEventsPlaceAndTime() throws Exception {
    ObjectNode json = JSON.createObjectNode().put("id", "evt_1").put("type", "agent.message")
        .put("session_id", "sess_1").put("turn_id", "turn_9").put("created_at", "2026-12-03T10:00:00.123456789Z");
    DeadLetters.Letter letter = new DeadLetters.Letter("evt_1", "agent.message", "RECORD_TOO_LARGE", "too big",
        20_000_123, "gzip", false);

    var marker = DeadLetterMarker.of("sess_1", SessionEvent.of(json), letter, WHERE);

    assertThat(marker.getEventId()).isEqualTo("evt_1");
    assertThat(marker.getType()).isEqualTo("qoder_kafka.dead_lettered");
    assertThat(marker.getTurnId()).isEqualTo("turn_9");
    assertThat(marker.getCreatedAt()).isEqualTo(Instant.parse("2026-12-03T10:00:00.123456789Z"));
    JsonNode raw = JSON.readTree(((UnknownEvent) marker.getPayload()).getRawJson());
    assertThat(raw.get("type").asText()).isEqualTo("qoder_kafka.dead_lettered");
    assertThat(raw.get("dead_letter")).isEqualTo(JSON.readTree("""
        {"event_id":"evt_1","event_type":"agent.message","reason":"RECORD_TOO_LARGE","message":"too big",
         "original_size":20000123,"topic":"qoder.dead-letter","partition":4,"offset":17,
         "content_encoding":"gzip","truncated":false}"""));
    byte[] bytes = AvroCodec.encodeWithPrefix(marker, ConfluentWireFormat.frame(1, new byte[0]));
    var f = ConfluentWireFormat.parse(bytes);
    assertThat(AvroCodec.decode(bytes, f.bodyOffset(), f.bodyLength(), Schemas.sessionEvent(),
        com.qoder.kafka.avro.v1.SessionEvent.class)).isEqualTo(marker);
  }

  /** An event rejected for a bad timestamp or a lone surrogate still gets a marker that encodes. */
  @Test
  void anUnmappableEventStillGetsAnEncodableMarker() {
    ObjectNode json = JSON.createObjectNode().put("id", "evt_\uD800x").put("type", "agent.message")
        .put("session_id", "sess_1").put("created_at", "yesterday");
    DeadLetters.Letter letter = new DeadLetters.Letter("evt_\uD800x", "agent.message", "INVALID_TIMESTAMP", "bad",
        90, "identity", false);
    Instant before = Instant.now();

    var marker = DeadLetterMarker.of("sess_1", SessionEvent.of(json), letter, WHERE);

    assertThat(marker.getEventId()).isEqualTo("evt_\uFFFDx");
    assertThat(marker.getCreatedAt()).as("the marker's own time").isAfterOrEqualTo(before);
    assertThat(((UnknownEvent) marker.getPayload()).getRawJson()).contains("\"event_id\":\"evt_\\ud800x\"");
    assertThat(AvroCodec.encodeWithPrefix(marker, ConfluentWireFormat.frame(1, new byte[0]))).isNotEmpty();
    assertThat(DeadLetterMarker.encodable("a\uD83D\uDE00b")).isEqualTo("a\uD83D\uDE00b");
  }
}

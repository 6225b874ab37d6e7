package com.qoder.kafka.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.qoder.kafka.api.SessionEvent;
import com.qoder.kafka.api.Timestamps;
import com.qoder.kafka.avro.v1.UnknownEvent;
import java.time.Instant;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * The record that takes a dead-lettered event's place in the events topic (and in every other topic
 * the event is routed to), so a consumer of the ordered stream sees where an event is missing and
 * where to find it — never a silent gap. No schema change: it is a {@code SessionEvent} of the
 * reserved type {@value #TYPE} whose {@code UnknownEvent} payload holds, as JSON,
 *
 * <pre>{@code
 * {"id": <the event's id>, "type": "qoder_kafka.dead_lettered", "session_id": ..., "created_at": ...,
 *  "turn_id": ... (when the event has one),
 *  "dead_letter": {"event_id": ..., "event_type": ... (null when the event has none), "reason": ...,
 *                  "message": ..., "original_size": <bytes of the event's JSON>,
 *                  "topic": ..., "partition": ..., "offset": ...,
 *                  "content_encoding": "identity" | "gzip", "truncated": false}}
 * }</pre>
 *
 * <p>The envelope's {@code event_id} is the event's id (so {@code ce_id} and de-duplication by id
 * work as for the event itself), {@code created_at} the event's when it is a valid timestamp,
 * otherwise the time the marker was written. The marker is built only once the dead letter is
 * acknowledged: it points at the dead letter's topic, partition and offset. In exactly-once mode both
 * are in the page's transaction, so a {@code read_committed} consumer sees both or neither.
 *
 * <p>Stateless and thread-safe.
 */
final class DeadLetterMarker {

  /** The reserved event type of a marker; the API's types never start with {@code qoder_kafka.}. */
  static final String TYPE = "qoder_kafka.dead_lettered";

  private static final ObjectMapper JSON = new ObjectMapper();

  private DeadLetterMarker() {}

  /**
   * The marker for {@code event}, whose dead letter {@code letter} was acknowledged at {@code where}.
   */
  static com.qoder.kafka.avro.v1.SessionEvent of(String sessionId, SessionEvent event, DeadLetters.Letter letter,
      RecordMetadata where) {
    Instant createdAt = createdAt(event);
    ObjectNode json = JSON.createObjectNode();
    json.put("id", event.id());
    json.put("type", TYPE);
    json.put("session_id", sessionId);
    json.put("created_at", createdAt.toString());
    JsonNode turn = event.json().get("turn_id");
    String turnId = turn != null && turn.isTextual() ? turn.asText() : null;
    if (turnId != null) {
      json.put("turn_id", turnId);
    }
    ObjectNode d = json.putObject("dead_letter");
    d.put("event_id", event.id());
    d.put("event_type", event.type());
    d.put("reason", letter.reason());
    d.put("message", letter.message());
    d.put("original_size", letter.originalSize());
    d.put("topic", where.topic());
    d.put("partition", where.partition());
    d.put("offset", where.offset());
    d.put("content_encoding", letter.contentEncoding());
    d.put("truncated", letter.truncated());
    String raw;
    try {
      raw = escapeLoneSurrogates(JSON.writeValueAsString(json));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a flat object of strings and numbers always serializes", e);
    }
    // raw_json keeps the exact id (Jackson escapes what UTF-8 cannot carry); the envelope's strings
    // must be encodable, and an event rejected as UNENCODABLE_STRING has a lone surrogate in them.
    return new com.qoder.kafka.avro.v1.SessionEvent(encodable(event.id()), sessionId, encodable(turnId), TYPE, null,
        createdAt, null, new UnknownEvent(raw), null);
  }

  /**
   * JSON text with each lone UTF-16 surrogate written as a JSON unicode escape (as the mapper writes
   * raw_json): UTF-8, and so Avro, cannot carry it, and it can only stand inside a JSON string.
   */
  static String escapeLoneSurrogates(String json) {
    StringBuilder out = null;
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < json.length() && Character.isLowSurrogate(json.charAt(i + 1))) {
        if (out != null) {
          out.append(c).append(json.charAt(i + 1));
        }
        i++;
      } else if (Character.isSurrogate(c)) {
        if (out == null) {
          out = new StringBuilder(json.length() + 16).append(json, 0, i);
        }
        out.append(String.format("\\u%04x", (int) c));
      } else if (out != null) {
        out.append(c);
      }
    }
    return out == null ? json : out.toString();
  }

  /** {@code s} with every lone UTF-16 surrogate replaced by U+FFFD (null stays null). */
  static String encodable(String s) {
    if (s == null) {
      return null;
    }
    StringBuilder out = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean pair = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
      if (pair) {
        if (out != null) {
          out.append(c).append(s.charAt(i + 1));
        }
        i++;
      } else if (Character.isSurrogate(c)) {
        if (out == null) {
          out = new StringBuilder(s.length()).append(s, 0, i);
        }
        out.append('\uFFFD');
      } else if (out != null) {
        out.append(c);
      }
    }
    return out == null ? s : out.toString();
  }

  /** The event's {@code created_at} when it is a valid timestamp, else now (the event may be unmappable for that). */
  static Instant createdAt(SessionEvent event) {
    try {
      String text = event.createdAt();
      return text == null ? Instant.now() : Timestamps.toInstant(Timestamps.parseEpochNanos(text));
    } catch (RuntimeException e) {
      return Instant.now();
    }
  }
}

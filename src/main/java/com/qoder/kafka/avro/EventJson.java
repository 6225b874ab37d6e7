package com.qoder.kafka.avro;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.qoder.kafka.avro.v1.AgentMessage;
import com.qoder.kafka.avro.v1.ContentBlock;
import com.qoder.kafka.avro.v1.ErrorDetails;
import com.qoder.kafka.avro.v1.ErrorInfo;
import com.qoder.kafka.avro.v1.RetryStatus;
import com.qoder.kafka.avro.v1.SessionError;
import com.qoder.kafka.avro.v1.SessionEvent;
import com.qoder.kafka.avro.v1.SessionStatusIdle;
import com.qoder.kafka.avro.v1.StopReason;
import com.qoder.kafka.avro.v1.TokenUsage;
import com.qoder.kafka.avro.v1.UnknownEvent;
import com.qoder.kafka.avro.v1.UserMessage;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;

/**
 * Rebuilds the API's event JSON from a {@link SessionEvent} record: the inverse of
 * {@link EventMapper}.
 *
 * <p>For every event the mapper accepted, {@code toJson(mapped record)} equals the original event
 * ({@link JsonNode#equals}), with two allowances: timestamps the typed fields hold are written as
 * {@code Timestamps.format} writes them (UTC, 0/3/6/9 fraction digits), so compare them as instants;
 * and object members come in a fixed order (typed fields first, in the schema's order, then the
 * {@code extra_json} members). An {@link UnknownEvent} gives back its {@code raw_json} unchanged.
 * The same holds after an Avro binary round trip, also through older or newer schema versions.
 *
 * <p>Consumers can use it to hand the original event to code written against the API.
 * Thread-safe; each call returns a new tree.
 */
public final class EventJson {

  private EventJson() {}

  /**
   * The event JSON the record was mapped from.
   *
   * @throws IllegalArgumentException when an {@code extra_json} or {@code raw_json} of the record
   *     is not a JSON object (the record was not made by {@link EventMapper})
   */
  public static ObjectNode toJson(SessionEvent record) {
    Objects.requireNonNull(record, "record");
    Object payload = record.getPayload();
    if (payload instanceof UnknownEvent unknown) {
      return Json.readObject(unknown.getRawJson(),
          "raw_json of event '" + record.getEventId() + "'");
    }
    ObjectNode event = Json.NODES.objectNode();
    event.put("id", record.getEventId());
    event.put("type", record.getType());
    writePayload(event, payload, record.getEventId());
    event.put("session_id", record.getSessionId());
    putIfSet(event, "turn_id", record.getTurnId());
    putIfSet(event, "schema_version", record.getSchemaVersion());
    event.put("created_at", Members.formatTimestamp(record.getCreatedAt()));
    putIfSet(event, "processed_at", record.getProcessedAt());
    return merge(event, record.getExtraJson(), "extra_json of event '" + record.getEventId() + "'");
  }

  private static void writePayload(ObjectNode event, Object payload, String eventId) {
    String where = "event '" + eventId + "'";
    if (payload instanceof UserMessage message) {
      putIfSet(event, "content", message.getContent());
    } else if (payload instanceof AgentMessage message && message.getContent() != null) {
      ArrayNode content = event.putArray("content");
      for (ContentBlock block : message.getContent()) {
        ObjectNode b = content.addObject();
        b.put("type", block.getType());
        putIfSet(b, "text", block.getText());
        merge(b, block.getExtraJson(), "extra_json of a content block of " + where);
      }
    } else if (payload instanceof SessionStatusIdle idle) {
      putIfSet(event, "status", idle.getStatus());
      TokenUsage usage = idle.getUsage();
      if (usage != null) {
        ObjectNode u = event.putObject("usage");
        putIfSet(u, "input_tokens", usage.getInputTokens());
        putIfSet(u, "output_tokens", usage.getOutputTokens());
        putIfSet(u, "cache_read_input_tokens", usage.getCacheReadInputTokens());
        putIfSet(u, "cache_creation_input_tokens", usage.getCacheCreationInputTokens());
        merge(u, usage.getExtraJson(), "extra_json of the usage of " + where);
      }
      StopReason stop = idle.getStopReason();
      if (stop != null) {
        ObjectNode s = event.putObject("stop_reason");
        s.put("type", stop.getType());
        merge(s, stop.getExtraJson(), "extra_json of the stop_reason of " + where);
      }
    } else if (payload instanceof SessionError error) {
      ErrorInfo info = error.getError();
      if (info != null) {
        ObjectNode e = event.putObject("error");
        putIfSet(e, "message", info.getMessage());
        putIfSet(e, "type", info.getType());
        merge(e, info.getExtraJson(), "extra_json of the error of " + where);
      }
      ErrorDetails details = error.getDetails();
      if (details != null) {
        ObjectNode d = event.putObject("details");
        putIfSet(d, "message", details.getMessage());
        putIfSet(d, "name", details.getName());
        merge(d, details.getExtraJson(), "extra_json of the details of " + where);
      }
      RetryStatus retry = error.getRetryStatus();
      if (retry != null) {
        ObjectNode r = event.putObject("retry_status");
        r.put("type", retry.getType());
        merge(r, retry.getExtraJson(), "extra_json of the retry_status of " + where);
      }
    }
    // The other documented types have no typed fields; their members are all in extra_json.
  }

  static void putIfSet(ObjectNode object, String name, String value) {
    if (value != null) {
      object.put(name, value);
    }
  }

  /** Writes an integer as the node a JSON parser makes of it: int when it fits, else long. */
  static void putIfSet(ObjectNode object, String name, Long value) {
    if (value == null) {
      return;
    }
    long v = value;
    if (v == (int) v) {
      object.put(name, (int) v);
    } else {
      object.put(name, v);
    }
  }

  static void putIfSet(ObjectNode object, String name, Instant value) {
    if (value != null) {
      object.put(name, Members.formatTimestamp(value));
    }
  }

  /** Adds the members of an {@code extra_json} object; they win over typed fields of the same name. */
  static ObjectNode merge(ObjectNode target, String extraJson, String what) {
    if (extraJson == null) {
      return target;
    }
    ObjectNode extra = Json.readObject(extraJson, what);
    for (Iterator<Map.Entry<String, JsonNode>> it = extra.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> member = it.next();
      target.set(member.getKey(), member.getValue());
    }
    return target;
  }
}

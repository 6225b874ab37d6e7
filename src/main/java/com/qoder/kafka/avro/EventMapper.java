package com.qoder.kafka.avro;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.qoder.kafka.avro.Required.Rejection;
import com.qoder.kafka.avro.v1.AgentMessage;
import com.qoder.kafka.avro.v1.AgentThinking;
import com.qoder.kafka.avro.v1.ContentBlock;
import com.qoder.kafka.avro.v1.ErrorDetails;
import com.qoder.kafka.avro.v1.ErrorInfo;
import com.qoder.kafka.avro.v1.RetryStatus;
import com.qoder.kafka.avro.v1.SessionError;
import com.qoder.kafka.avro.v1.SessionEvent;
import com.qoder.kafka.avro.v1.SessionStatusIdle;
import com.qoder.kafka.avro.v1.SessionStatusRescheduled;
import com.qoder.kafka.avro.v1.SpanModelRequestEnd;
import com.qoder.kafka.avro.v1.SpanModelRequestStart;
import com.qoder.kafka.avro.v1.StopReason;
import com.qoder.kafka.avro.v1.Terminated;
import com.qoder.kafka.avro.v1.TokenUsage;
import com.qoder.kafka.avro.v1.UnknownEvent;
import com.qoder.kafka.avro.v1.UserMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Maps a session event of the API (document 002) to its Avro record
 * {@link com.qoder.kafka.avro.v1.SessionEvent}, losslessly.
 *
 * <ul>
 *   <li>A documented type (see {@link #DOCUMENTED_TYPES}) gets its typed payload record, always.
 *       Each typed field takes its member only when the value has exactly the documented shape;
 *       everything else (unknown members, a numeric {@code content}, explicit nulls, strings with
 *       lone surrogates) stays in the {@code extra_json} of the object it belongs to.
 *   <li>Any other type gets an {@link UnknownEvent} payload holding the complete event JSON.
 *   <li>An event without a string {@code id}, {@code type} or {@code session_id}, or without an RFC
 *       3339 {@code created_at}, cannot be keyed, routed or ordered and is {@linkplain
 *       MappingResult.Rejected rejected} with a {@link RejectReason}.
 * </ul>
 *
 * <p>{@link EventJson#toJson} inverts the mapping: it rebuilds the event JSON, equal to the original
 * (object member order aside; timestamps as the same instants, formatted as {@code
 * Timestamps.format} does).
 *
 * <p>Thread-safe and stateless: share one instance. {@link #map} never throws for bad data; the
 * only exceptions are {@link NullPointerException} for a null argument.
 */
public final class EventMapper {

  /** The event types document 002 describes; each has its own payload record. */
  public static final Set<String> DOCUMENTED_TYPES = Set.of(
      "user.message", "agent.message", "agent.thinking", "session.status_rescheduled",
      "session.status_idle", "session.error", "span.model_request_start", "span.model_request_end",
      "terminated");

  public EventMapper() {}

  /** Maps an event as the API client delivers it. */
  public MappingResult<SessionEvent> map(com.qoder.kafka.api.SessionEvent event) {
    return map(Objects.requireNonNull(event, "event").json());
  }

  /** Maps one event object of a page's {@code data} array. The object is not modified. */
  public MappingResult<SessionEvent> map(ObjectNode event) {
    Objects.requireNonNull(event, "event");
    try {
      return new MappingResult.Mapped<>(toRecord(event));
    } catch (Rejection r) {
      return new MappingResult.Rejected<>(r.reason, r.getMessage(), event);
    } catch (JsonProcessingException e) {
      return new MappingResult.Rejected<>(RejectReason.TOO_DEEP, describe(event)
          + " cannot be kept as JSON: " + e.getOriginalMessage(), event);
    } catch (RuntimeException | StackOverflowError e) {
      // A defect here must not stop the pipeline; the event goes to the dead letters with the cause.
      return new MappingResult.Rejected<>(RejectReason.UNEXPECTED, describe(event)
          + " could not be mapped: " + e, event);
    }
  }

  private static SessionEvent toRecord(ObjectNode event) throws Rejection, JsonProcessingException {
    Members members = new Members(event);
    String id = Required.string(members, "id", "event");
    // The checks of Required, with the message (naming the event) built only for a rejection.
    String type = members.string("type");
    if (type == null) {
      Required.string(members, "type", Required.describe("event", id)); // throws: type is not a string
    }
    String sessionId = members.string("session_id");
    if (sessionId == null) {
      Required.string(members, "session_id", Required.describe("event", id));
    }
    Instant createdAt = members.timestamp("created_at");
    if (createdAt == null) {
      Required.timestamp(members, "created_at", Required.describe("event", id));
    }

    String turnId = members.string("turn_id");
    String schemaVersion = members.string("schema_version");
    Instant processedAt = members.timestamp("processed_at");
    Object payload = payload(type, members);
    String extraJson;
    if (payload == null) {
      // Undocumented type: the whole event, envelope members included, is the payload.
      payload = new UnknownEvent(Json.write(event));
      extraJson = null;
    } else {
      extraJson = members.extraJson();
    }
    // The all-arguments constructor: the builder would validate and copy each field again.
    return new SessionEvent(id, sessionId, turnId, type, schemaVersion, createdAt, processedAt,
        payload, extraJson);
  }

  /** The typed payload of a documented type, taking its members; null for any other type. */
  private static Object payload(String type, Members members) throws JsonProcessingException {
    return switch (type) {
      case "user.message" -> new UserMessage(members.string("content"));
      case "agent.message" -> new AgentMessage(contentBlocks(members));
      case "agent.thinking" -> new AgentThinking();
      case "session.status_rescheduled" -> new SessionStatusRescheduled();
      case "session.status_idle" -> new SessionStatusIdle(members.string("status"),
          usage(members), stopReason(members));
      case "session.error" -> new SessionError(errorInfo(members), errorDetails(members),
          retryStatus(members));
      case "span.model_request_start" -> new SpanModelRequestStart();
      case "span.model_request_end" -> new SpanModelRequestEnd();
      case "terminated" -> new Terminated();
      default -> null;
    };
  }

  /** {@code content} when it is an array of objects that each have a string {@code type}. */
  private static List<ContentBlock> contentBlocks(Members members) throws JsonProcessingException {
    JsonNode content = members.get("content");
    if (content == null || !content.isArray()) {
      return null;
    }
    List<ContentBlock> blocks = new ArrayList<>(content.size());
    for (JsonNode element : content) {
      if (!(element instanceof ObjectNode object)) {
        return null;
      }
      Members block = new Members(object);
      String blockType = block.string("type");
      if (blockType == null) {
        return null;
      }
      String text = block.string("text");
      blocks.add(new ContentBlock(blockType, text, block.extraJson()));
    }
    members.take("content");
    return blocks;
  }

  private static TokenUsage usage(Members members) throws JsonProcessingException {
    ObjectNode object = members.objectValue("usage");
    if (object == null) {
      return null;
    }
    members.take("usage");
    Members usage = new Members(object);
    return new TokenUsage(usage.integer("input_tokens"), usage.integer("output_tokens"),
        usage.integer("cache_read_input_tokens"), usage.integer("cache_creation_input_tokens"),
        usage.extraJson());
  }

  private static StopReason stopReason(Members members) throws JsonProcessingException {
    ObjectNode object = members.objectValue("stop_reason");
    if (object == null) {
      return null;
    }
    Members stop = new Members(object);
    String type = stop.string("type");
    if (type == null) {
      return null;
    }
    members.take("stop_reason");
    return new StopReason(type, stop.extraJson());
  }

  private static ErrorInfo errorInfo(Members members) throws JsonProcessingException {
    ObjectNode object = members.objectValue("error");
    if (object == null) {
      return null;
    }
    members.take("error");
    Members error = new Members(object);
    return new ErrorInfo(error.string("message"), error.string("type"), error.extraJson());
  }

  private static ErrorDetails errorDetails(Members members) throws JsonProcessingException {
    ObjectNode object = members.objectValue("details");
    if (object == null) {
      return null;
    }
    members.take("details");
    Members details = new Members(object);
    return new ErrorDetails(details.string("message"), details.string("name"), details.extraJson());
  }

  private static RetryStatus retryStatus(Members members) throws JsonProcessingException {
    ObjectNode object = members.objectValue("retry_status");
    if (object == null) {
      return null;
    }
    Members retry = new Members(object);
    String type = retry.string("type");
    if (type == null) {
      return null;
    }
    members.take("retry_status");
    return new RetryStatus(type, retry.extraJson());
  }

  private static String describe(ObjectNode event) {
    JsonNode id = event.get("id");
    return id != null && id.isTextual() ? Required.describe("event", id.textValue()) : "event";
  }
}

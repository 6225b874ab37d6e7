package com.qoder.kafka.sim;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * How to shape events appended through the control API.
 *
 * @param type the event type; null continues the session's turn (user.message, …,
 *     session.status_idle); any string outside document 002 makes an unknown-type event;
 *     {@code terminated} ends the session
 * @param extraFields fields added to each event (a field with a standard name replaces it); null for none
 * @param contentBytes when positive, the event's content is this many characters (oversized events)
 */
public record EventSpec(String type, ObjectNode extraFields, int contentBytes) {

  /** Largest content an event may be given: 64 MiB. */
  public static final int MAX_CONTENT_BYTES = 64 * 1024 * 1024;

  public EventSpec {
    if (contentBytes < 0 || contentBytes > MAX_CONTENT_BYTES) {
      throw new IllegalArgumentException("contentBytes must be 0.." + MAX_CONTENT_BYTES + "; got " + contentBytes);
    }
    if (type != null && type.isBlank()) {
      throw new IllegalArgumentException("event type must not be blank; use null to continue the turn");
    }
    extraFields = extraFields == null ? null : extraFields.deepCopy();
  }

  /** The next events of the session's turn. */
  public static EventSpec next() {
    return new EventSpec(null, null, 0);
  }

  /**
   * One {@code agent.message} whose single text block has {@code contentBytes} characters: a large
   * but legitimate event (e.g. 2 MB, which must stay in the ordered stream, or 20 MB).
   */
  public static EventSpec agentMessage(int contentBytes) {
    return new EventSpec("agent.message", null, contentBytes);
  }

  public static EventSpec ofType(String type) {
    return new EventSpec(type, null, 0);
  }

  public EventSpec withExtraFields(ObjectNode fields) {
    return new EventSpec(type, fields, contentBytes);
  }

  public EventSpec withContentBytes(int bytes) {
    return new EventSpec(type, extraFields, bytes);
  }
}

package com.qoder.kafka.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/** A session event (document 002). {@code type} is an open set: unknown types are kept. */
public record SessionEvent(String id, String type, String sessionId, ObjectNode json) implements ApiItem {

  public SessionEvent {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(json, "json");
  }

  public static SessionEvent of(ObjectNode json) {
    return new SessionEvent(json.path("id").asText(null), json.path("type").asText(null),
        json.path("session_id").asText(null), json);
  }

  public String createdAt() {
    return text("created_at");
  }
}

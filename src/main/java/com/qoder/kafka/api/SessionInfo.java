package com.qoder.kafka.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * A session of the sessions list (document 004). Its {@code id} is a UUID; see {@link SessionIds}
 * for the {@code sess_} spelling the other endpoints use.
 */
public record SessionInfo(String id, String organization, String createdAt, String releasedAt, ObjectNode json)
    implements ApiItem {

  public SessionInfo {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(json, "json");
  }

  public static SessionInfo of(ObjectNode json) {
    var released = json.get("releasedAt");
    return new SessionInfo(json.path("id").asText(null), json.path("organization").asText(null),
        json.path("createdAt").asText(null),
        released == null || released.isNull() ? null : released.asText(), json);
  }

  public boolean isReleased() {
    return releasedAt != null;
  }

  /** The {@code sess_} id the events, resources and files endpoints answer for. */
  public String sessionId() {
    return SessionIds.canonical(id);
  }
}

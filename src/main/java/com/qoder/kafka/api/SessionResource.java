package com.qoder.kafka.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/** A session resource (document 000), e.g. a mounted file. */
public record SessionResource(String id, String type, String updatedAt, ObjectNode json) implements ApiItem {

  public SessionResource {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(json, "json");
  }

  public static SessionResource of(ObjectNode json) {
    return new SessionResource(json.path("id").asText(null), json.path("type").asText(null),
        json.path("updated_at").asText(null), json);
  }
}

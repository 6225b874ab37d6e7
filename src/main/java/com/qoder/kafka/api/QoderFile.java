package com.qoder.kafka.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/** A file of the account (document 001); its id is {@code file_id}. */
public record QoderFile(String id, String purpose, String status, String updatedAt, ObjectNode json)
    implements ApiItem {

  public QoderFile {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(json, "json");
  }

  public static QoderFile of(ObjectNode json) {
    return new QoderFile(json.path("file_id").asText(null), json.path("purpose").asText(null),
        json.path("status").asText(null), json.path("updated_at").asText(null), json);
  }
}

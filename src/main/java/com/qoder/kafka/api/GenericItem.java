package com.qoder.kafka.api;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** An item of a generic list endpoint (document 003), e.g. an agent. */
public record GenericItem(String id, ObjectNode json) implements ApiItem {

  public static GenericItem of(ObjectNode json) {
    return new GenericItem(json.path("id").asText(null), json);
  }
}

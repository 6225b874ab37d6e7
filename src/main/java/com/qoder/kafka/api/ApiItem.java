package com.qoder.kafka.api;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An item of a Qoder API page, kept whole.
 *
 * <p>Every item keeps its complete JSON object ({@link #json()}), unknown fields included, so the
 * mapping to Avro can be lossless. Typed accessors read the documented fields from it.
 */
public interface ApiItem {

  /** The item's own id (event, resource, file or session id). */
  String id();

  /** The item as the server sent it. Callers must not mutate it. */
  ObjectNode json();

  /** A textual field, or null when absent or JSON null. */
  default String text(String field) {
    var n = json().get(field);
    return n == null || n.isNull() ? null : n.asText();
  }
}

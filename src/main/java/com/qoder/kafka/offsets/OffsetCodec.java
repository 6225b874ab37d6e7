package com.qoder.kafka.offsets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON form of an {@link OffsetRecord} value, version 1:
 *
 * <pre>{@code
 * {"v":1,"cursor":"evt_…","recent_ids":["…","…"],"state":"ACTIVE",
 *  "counters":{"delivered":42,"dead_lettered":0,"duplicates_skipped":3},
 *  "updated_at":"2025-06-01T12:00:00.123456789Z","attributes":{}}
 * }</pre>
 *
 * Written explicitly, field by field, so the stored format cannot change by accident when a Java
 * type changes. Reading is strict where a wrong guess would move a cursor (version, types of the
 * known fields) and lenient about fields it does not know (added by a later v1 writer).
 */
final class OffsetCodec {

  static final int VERSION = 1;
  private static final ObjectMapper JSON = new ObjectMapper();

  private OffsetCodec() {}

  /** The bytes stored in the offsets topic. */
  static byte[] encode(OffsetRecord r) {
    ObjectNode root = JSON.createObjectNode();
    root.put("v", VERSION);
    if (r.cursor() != null) {
      root.put("cursor", r.cursor());
    } else {
      root.putNull("cursor");
    }
    ArrayNode ids = root.putArray("recent_ids");
    r.recentIds().forEach(ids::add);
    if (r.state() != null) {
      root.put("state", r.state());
    }
    ObjectNode counters = root.putObject("counters");
    counters.put("delivered", r.counters().delivered());
    counters.put("dead_lettered", r.counters().deadLettered());
    counters.put("duplicates_skipped", r.counters().duplicatesSkipped());
    root.put("updated_at", r.updatedAt().toString());
    ObjectNode attributes = root.putObject("attributes");
    r.attributes().forEach(attributes::put);
    try {
      return JSON.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write offset record " + r.key(), e);
    }
  }

  /** Decodes a value; throws {@link IllegalArgumentException} saying what is wrong with it. */
  static OffsetRecord decode(OffsetKey key, byte[] value) {
    JsonNode root;
    try {
      root = JSON.readTree(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new IllegalArgumentException("not JSON: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    JsonNode v = root.get("v");
    if (v == null || !v.isInt()) {
      throw new IllegalArgumentException("no integer version field \"v\"");
    }
    if (v.intValue() != VERSION) {
      throw new IllegalArgumentException("version " + v.intValue() + " is not supported by this connector "
          + "(it reads version " + VERSION + "); was it written by a newer release?");
    }
    String cursor = optionalText(root, "cursor");
    List<String> recentIds = new ArrayList<>();
    JsonNode ids = root.get("recent_ids");
    if (ids != null && !ids.isNull()) {
      if (!ids.isArray()) {
        throw new IllegalArgumentException("\"recent_ids\" is not an array");
      }
      for (JsonNode id : ids) {
        if (!id.isTextual()) {
          throw new IllegalArgumentException("\"recent_ids\" holds a non-string element");
        }
        recentIds.add(id.textValue());
      }
    }
    String state = optionalText(root, "state");
    OffsetRecord.Counters counters = OffsetRecord.Counters.ZERO;
    JsonNode c = root.get("counters");
    if (c != null && !c.isNull()) {
      if (!c.isObject()) {
        throw new IllegalArgumentException("\"counters\" is not an object");
      }
      counters = new OffsetRecord.Counters(count(c, "delivered"), count(c, "dead_lettered"),
          count(c, "duplicates_skipped"));
    }
    String updated = optionalText(root, "updated_at");
    if (updated == null) {
      throw new IllegalArgumentException("no \"updated_at\"");
    }
    Instant updatedAt;
    try {
      updatedAt = Instant.parse(updated);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("\"updated_at\" is not an ISO-8601 instant: " + updated);
    }
    Map<String, String> attributes = new LinkedHashMap<>();
    JsonNode a = root.get("attributes");
    if (a != null && !a.isNull()) {
      if (!a.isObject()) {
        throw new IllegalArgumentException("\"attributes\" is not an object");
      }
      for (Map.Entry<String, JsonNode> e : a.properties()) {
        if (!e.getValue().isTextual()) {
          throw new IllegalArgumentException("attribute \"" + e.getKey() + "\" is not a string");
        }
        attributes.put(e.getKey(), e.getValue().textValue());
      }
    }
    return new OffsetRecord(key, cursor, recentIds, state, counters, updatedAt, attributes);
  }

  private static String optionalText(JsonNode root, String field) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (n.getNodeType() != JsonNodeType.STRING) {
      throw new IllegalArgumentException("\"" + field + "\" is not a string");
    }
    return n.textValue();
  }

  private static long count(JsonNode counters, String field) {
    JsonNode n = counters.get(field);
    if (n == null || n.isNull()) {
      return 0;
    }
    if (!n.canConvertToLong() || !n.isIntegralNumber() || n.longValue() < 0) {
      throw new IllegalArgumentException("counter \"" + field + "\" is not a non-negative integer");
    }
    return n.longValue();
  }
}

package com.qoder.kafka.avro;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.qoder.kafka.api.Timestamps;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;

/**
 * Reads the typed fields out of one JSON object and collects the rest as {@code extra_json}.
 *
 * <p>The rule that makes every mapping lossless: a member is <em>taken</em> only when its value has
 * exactly the shape the typed field stores, so it can be written back unchanged. A member that is
 * explicitly {@code null}, has another shape (a number where a string belongs, a string that is no
 * RFC 3339 timestamp, a string with a lone surrogate) or is unknown stays behind, and
 * {@link #extraJson()} writes every member left behind. The reverse mapping writes the typed fields
 * and then the extra members, which gives back the original object.
 *
 * <p>Not thread-safe: one instance per object being mapped.
 */
final class Members {

  private final ObjectNode object;
  private String[] taken = new String[8];
  private int takenCount;

  Members(ObjectNode object) {
    this.object = object;
  }

  /** The member's value, or null when absent; does not take it. */
  JsonNode get(String name) {
    return object.get(name);
  }

  /** Marks a member as reproduced by a typed field. Idempotent, so extraJson's count stays right. */
  void take(String name) {
    if (isTaken(name)) {
      return;
    }
    if (takenCount == taken.length) {
      taken = java.util.Arrays.copyOf(taken, takenCount * 2);
    }
    taken[takenCount++] = name;
  }

  /** A string member that UTF-8 can carry, taken; otherwise null and left behind. */
  String string(String name) {
    JsonNode node = object.get(name);
    if (node != null && node.isTextual() && Json.isWellFormed(node.textValue())) {
      take(name);
      return node.textValue();
    }
    return null;
  }

  /**
   * An integer member within the range of a long, taken. Only int and long nodes qualify (what a
   * JSON parser makes of such a number), so the reverse mapping makes the same node again.
   */
  Long integer(String name) {
    JsonNode node = object.get(name);
    if (node != null && (node.isInt() || node.isLong())) {
      take(name);
      return node.longValue();
    }
    return null;
  }

  /** An RFC 3339 timestamp member within the range of epoch nanoseconds in a long, taken. */
  Instant timestamp(String name) {
    JsonNode node = object.get(name);
    if (node == null || !node.isTextual()) {
      return null;
    }
    long nanos;
    try {
      nanos = Timestamps.parseEpochNanos(node.textValue()); // unboxed: parsed for every event
    } catch (IllegalArgumentException e) {
      return null;
    }
    take(name);
    return Timestamps.toInstant(nanos);
  }

  /**
   * An object member whose names and values are all strings UTF-8 can carry, taken, as a map in
   * the object's order; otherwise null and left behind whole.
   */
  Map<String, String> stringMap(String name) {
    if (!(object.get(name) instanceof ObjectNode map)) {
      return null;
    }
    Map<String, String> values = new java.util.LinkedHashMap<>(Math.max(4, map.size() * 2));
    for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      JsonNode value = entry.getValue();
      if (!value.isTextual() || !Json.isWellFormed(entry.getKey()) || !Json.isWellFormed(value.textValue())) {
        return null;
      }
      values.put(entry.getKey(), value.textValue());
    }
    take(name);
    return values;
  }

  /** An object member, not yet taken: the caller takes it once it could type it. */
  ObjectNode objectValue(String name) {
    return object.get(name) instanceof ObjectNode o ? o : null;
  }

  /**
   * The members not taken, as a JSON object, or null when there are none.
   *
   * @throws JsonProcessingException when a member is nested too deep to be written
   */
  String extraJson() throws JsonProcessingException {
    if (object.size() == takenCount) {
      return null; // every member was taken: taken names are distinct members, so only then do counts match
    }
    ObjectNode extra = Json.NODES.objectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> member = it.next();
      if (!isTaken(member.getKey())) {
        extra.set(member.getKey(), member.getValue());
      }
    }
    return extra.isEmpty() ? null : Json.write(extra);
  }

  private boolean isTaken(String name) {
    for (int i = 0; i < takenCount; i++) {
      if (taken[i].equals(name)) {
        return true;
      }
    }
    return false;
  }

  /** Epoch nanoseconds of an RFC 3339 text node, or null when it is none or out of range. */
  static Long epochNanos(JsonNode node) {
    if (node == null || !node.isTextual()) {
      return null;
    }
    try {
      return Timestamps.parseEpochNanos(node.textValue());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Formats a timestamp field back to RFC 3339 text, as {@link Timestamps#format} does. */
  static String formatTimestamp(Instant instant) {
    return Timestamps.format(epochNanos(instant));
  }

  /**
   * Epoch nanoseconds of an instant, exact over the whole range of a long (the naive
   * {@code seconds * 1e9 + nanos} overflows just above Long.MIN_VALUE).
   *
   * @throws ArithmeticException when the instant lies outside that range
   */
  static long epochNanos(Instant instant) {
    long seconds = instant.getEpochSecond();
    long nanos = instant.getNano();
    if (seconds < 0 && nanos > 0) {
      return Math.addExact(Math.multiplyExact(seconds + 1, 1_000_000_000L), nanos - 1_000_000_000L);
    }
    return Math.addExact(Math.multiplyExact(seconds, 1_000_000_000L), nanos);
  }
}

package com.qoder.kafka.signal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;

/**
 * An answer to a signal, written to the notifications topic (key: the signal id; value: this record
 * as JSON). In exactly-once mode an answer is written in the transaction of what it reports, so a
 * {@code read_committed} reader sees each {@code done} once.
 *
 * @param signal the signal's id
 * @param type the signal's type ({@code resync}, …); null when the signal could not be read
 * @param target the session (or {@code files/all}) acted on; null when unknown
 * @param status where the signal stands
 * @param detail a human-readable line: progress, or the reason of a failure
 * @param produced records produced so far (resync)
 * @param instance the instance that wrote the answer
 * @param at when
 */
public record Notification(String signal, String type, String target, Status status, String detail, long produced,
    String instance, Instant at) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public enum Status {
    ACCEPTED, STARTED, PROGRESS, DONE, FAILED;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public byte[] toJson() {
    ObjectNode n = JSON.createObjectNode();
    n.put("signal", signal);
    if (type != null) {
      n.put("type", type);
    }
    if (target != null) {
      n.put("target", target);
    }
    n.put("status", status.id());
    n.put("detail", detail == null ? "" : detail);
    n.put("produced", produced);
    n.put("instance", instance);
    n.put("at", at.toString());
    return n.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Reads an answer (for tools and tests). */
  public static Notification fromJson(byte[] value) {
    try {
      JsonNode n = JSON.readTree(value);
      return new Notification(n.path("signal").asText(), n.hasNonNull("type") ? n.get("type").asText() : null,
          n.hasNonNull("target") ? n.get("target").asText() : null,
          Status.valueOf(n.path("status").asText().toUpperCase(Locale.ROOT)), n.path("detail").asText(),
          n.path("produced").asLong(), n.path("instance").asText(), Instant.parse(n.path("at").asText()));
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("not a signal notification: " + e.getMessage(), e);
    }
  }
}

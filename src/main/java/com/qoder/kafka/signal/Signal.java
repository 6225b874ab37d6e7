package com.qoder.kafka.signal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.qoder.kafka.api.SessionIds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * One live signal, as written to the signals topic (key: its target, so the signals of one session
 * keep their order; value: this record as JSON).
 *
 * <pre>{"v":1,"id":"sig-…","type":"resync","session":"sess_…","from":"2025-06-01T00:00:00Z",
 *  "mode":"missing","requested_at":"…"}</pre>
 *
 * @param id unique, chosen by the writer ({@code [A-Za-z0-9._-]}, at most 64 characters)
 * @param type what to do
 * @param session the session acted on; null for {@code resync-files}
 * @param from resync only: events created at or after this time (null: from the first event)
 * @param mode resync only
 * @param requestedAt when the signal was written
 */
public record Signal(String id, Type type, String session, Instant from, Mode mode, Instant requestedAt) {

  static final int VERSION = 1;
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The partition key of {@code resync-files} (the files source's offset key). */
  public static final String FILES_TARGET = "files/all";

  /** What a signal asks for. */
  public enum Type {
    RESYNC("resync"), PAUSE("pause"), RESUME("resume"), RESYNC_FILES("resync-files");

    private final String id;

    Type(String id) {
      this.id = id;
    }

    public String id() {
      return id;
    }

    static Type fromId(String id) {
      for (Type t : values()) {
        if (t.id.equals(id)) {
          return t;
        }
      }
      throw new IllegalArgumentException("unknown signal type '" + id
          + "' (known: resync, pause, resume, resync-files)");
    }
  }

  /** How a resync produces: only what the events topic lacks, or everything again (marked). */
  public enum Mode {
    MISSING, REPUBLISH;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public Signal {
    if (id == null || !ID.matcher(id).matches()) {
      throw new IllegalArgumentException("signal id '" + id + "' must be 1 to 64 of A-Z a-z 0-9 . _ -");
    }
    if (type == null) {
      throw new IllegalArgumentException("signal " + id + " has no type");
    }
    if (type == Type.RESYNC_FILES) {
      session = null;
    } else if (session == null || session.isBlank()) {
      throw new IllegalArgumentException("signal " + id + " (" + type.id() + ") names no session");
    } else {
      session = SessionIds.canonical(session.trim());
    }
    if (type != Type.RESYNC) {
      from = null;
      mode = null;
    } else if (mode == null) {
      mode = Mode.MISSING;
    }
    requestedAt = requestedAt == null ? Instant.now() : requestedAt;
  }

  public static Signal resync(String id, String session, Instant from, Mode mode) {
    return new Signal(id, Type.RESYNC, session, from, mode, null);
  }

  /** A fresh signal id. */
  public static String newId() {
    return "sig-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
  }

  /** The partition key of what the signal acts on: the session id, or {@link #FILES_TARGET}. */
  public String target() {
    return session != null ? session : FILES_TARGET;
  }

  public byte[] toJson() {
    ObjectNode n = JSON.createObjectNode();
    n.put("v", VERSION);
    n.put("id", id);
    n.put("type", type.id());
    if (session != null) {
      n.put("session", session);
    }
    if (from != null) {
      n.put("from", from.toString());
    }
    if (mode != null) {
      n.put("mode", mode.id());
    }
    n.put("requested_at", requestedAt.toString());
    return n.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Reads a signal record's value.
   *
   * @throws IllegalArgumentException saying what is wrong (the answer of a {@code failed} notification)
   */
  public static Signal fromJson(byte[] value) {
    if (value == null) {
      throw new IllegalArgumentException("empty signal record");
    }
    JsonNode n;
    try {
      n = JSON.readTree(value);
    } catch (IOException e) {
      String why = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage()
          : e.getMessage();
      throw new IllegalArgumentException("signal is not JSON: " + why);
    }
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException("signal is not a JSON object");
    }
    int v = n.path("v").asInt(VERSION);
    if (v != VERSION) {
      throw new IllegalArgumentException("signal version " + v + " is not supported (this connector reads " + VERSION
          + ")");
    }
    String mode = text(n, "mode");
    Mode m = null;
    if (mode != null) {
      try {
        m = Mode.valueOf(mode.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("unknown resync mode '" + mode + "' (known: missing, republish)");
      }
    }
    String type = text(n, "type");
    if (type == null) {
      throw new IllegalArgumentException("signal has no \"type\"");
    }
    return new Signal(text(n, "id"), Type.fromId(type), text(n, "session"), instant(n, "from"), m,
        instant(n, "requested_at"));
  }

  /** The id of a signal record even when the rest cannot be read (null when there is none). */
  static String idOf(byte[] value) {
    try {
      JsonNode n = JSON.readTree(value);
      String id = n == null ? null : text(n, "id");
      return id != null && ID.matcher(id).matches() ? id : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode f = n.get(field);
    return f == null || f.isNull() ? null : f.asText();
  }

  private static Instant instant(JsonNode n, String field) {
    String t = text(n, field);
    if (t == null) {
      return null;
    }
    try {
      return Instant.parse(t);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("\"" + field + "\" is not an ISO-8601 instant: '" + t + "'");
    }
  }
}

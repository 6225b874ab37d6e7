package com.qoder.kafka.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON form of a session's progress in the offsets topic, under key {@code events/<session id>}.
 *
 * <pre>{"v":1,"cursor":"evt_…","recent_ids":["evt_…"],"window":"<base64 fingerprints>",
 *  "status":"ACTIVE","delivered":500,"dead_lettered":0,"duplicates":3,
 *  "newest_created_at_ns":…,"first_seen_at_ms":…,"updated_at_ms":…}</pre>
 *
 * <p>A value that cannot be read is an error with the reason, never an empty state: treating
 * corruption as "no data" would re-deliver a session's whole history.
 */
public final class SessionOffsets {

  public static final String KEY_PREFIX = "events/";
  private static final int VERSION = 1;

  private SessionOffsets() {}

  public static String key(String sessionId) {
    return KEY_PREFIX + sessionId;
  }

  public static ObjectNode toJson(SessionState.Snapshot s, ObjectMapper mapper) {
    ObjectNode n = mapper.createObjectNode();
    n.put("v", VERSION);
    n.put("session_id", s.sessionId());
    n.put("cursor", s.cursor());
    ArrayNode recent = n.putArray("recent_ids");
    s.recentIds().forEach(recent::add);
    n.put("window", s.window());
    n.put("status", s.status().name());
    n.put("delivered", s.delivered());
    n.put("dead_lettered", s.deadLettered());
    n.put("duplicates", s.duplicates());
    n.put("newest_created_at_ns", s.newestCreatedAtNanos());
    n.put("first_seen_at_ms", s.firstSeenAtMillis());
    n.put("updated_at_ms", s.updatedAtMillis());
    return n;
  }

  /**
   * Reads a stored value.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static SessionState.Snapshot fromJson(String sessionId, JsonNode n) {
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException("offset value for session " + sessionId + " is not a JSON object");
    }
    int v = n.path("v").asInt(-1);
    if (v != VERSION) {
      throw new IllegalArgumentException("offset value for session " + sessionId + " has unsupported version " + v);
    }
    SessionStatus status;
    try {
      status = SessionStatus.valueOf(n.path("status").asText());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("offset value for session " + sessionId + " has unknown status '"
          + n.path("status").asText() + "'");
    }
    List<String> recent = new ArrayList<>();
    n.path("recent_ids").forEach(x -> recent.add(x.asText()));
    JsonNode cursor = n.get("cursor");
    return new SessionState.Snapshot(sessionId, cursor == null || cursor.isNull() ? null : cursor.asText(),
        recent, n.path("window").asText(""), status, n.path("delivered").asLong(), n.path("dead_lettered").asLong(),
        n.path("duplicates").asLong(), n.path("newest_created_at_ns").asLong(), n.path("first_seen_at_ms").asLong(),
        n.path("updated_at_ms").asLong());
  }

  static SessionState toState(SessionState.Snapshot s, int windowCapacity) {
    return SessionState.restore(s.sessionId(), s.cursor(), s.recentIds(),
        DedupWindow.decode(s.window(), windowCapacity), s.status(), s.delivered(), s.deadLettered(),
        s.duplicates(), s.newestCreatedAtNanos(), s.firstSeenAtMillis(), s.updatedAtMillis());
  }
}

package com.qoder.kafka.offsets;

import com.qoder.kafka.source.SessionState;
import com.qoder.kafka.source.SessionStatus;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A session's progress as an offset record (key {@code events/<session id>}): cursor, fall-back
 * ids and counters in the record's own fields; the de-dup window (base64 fingerprints) and the
 * lag and start-position timestamps, and the de-dup position (the newest delivered event's {@code
 * created_at} and how many delivered events share it) as attributes. A record without a position
 * (written by an earlier release) takes the newest delivered event's time as its position.
 *
 * <p>The one translation between a session's state and its record: the cluster writes and restores
 * sessions with it, the signals mark pauses with it, the {@code offsets reset} command moves
 * sessions with it.
 */
public final class SessionOffsetRecords {

  static final String WINDOW = "window";
  static final String NEWEST_CREATED_AT_NS = "newest_created_at_ns";
  static final String FIRST_SEEN_AT_MS = "first_seen_at_ms";
  static final String POSITION_NS = "position_ns";
  static final String POSITION_TIES = "position_ties";
  /**
   * "true" while a {@code pause} signal holds the session (added in the release with live signals; a
   * record without it, as every earlier release wrote, is not paused).
   */
  public static final String PAUSED = "paused";

  private SessionOffsetRecords() {}

  public static OffsetRecord toRecord(SessionState.Snapshot s) {
    return new OffsetRecord(OffsetKey.events(s.sessionId()), s.cursor(), s.recentIds(), s.status().name(),
        new OffsetRecord.Counters(s.delivered(), s.deadLettered(), s.duplicates()),
        Instant.ofEpochMilli(s.updatedAtMillis()),
        Map.of(WINDOW, s.window(), NEWEST_CREATED_AT_NS, Long.toString(s.newestCreatedAtNanos()),
            FIRST_SEEN_AT_MS, Long.toString(s.firstSeenAtMillis()), POSITION_NS, Long.toString(s.positionNanos()),
            POSITION_TIES, Integer.toString(s.tiesAtPosition())));
  }

  /** The session's record with the pause mark set (paused) or removed. */
  public static OffsetRecord withPaused(OffsetRecord r, boolean paused) {
    Map<String, String> attributes = new HashMap<>(r.attributes());
    if (paused) {
      attributes.put(PAUSED, "true");
    } else {
      attributes.remove(PAUSED);
    }
    return new OffsetRecord(r.key(), r.cursor(), r.recentIds(), r.state(), r.counters(), r.updatedAt(), attributes);
  }

  /** Whether a stored record marks its session paused (false for records of earlier releases). */
  public static boolean isPaused(OffsetRecord r) {
    return "true".equals(r.attributes().get(PAUSED));
  }

  /**
   * The record that moves a session to {@code cursor} ({@code offsets reset}): an empty de-dup
   * window and no position, so every event after the cursor is produced again; state ACTIVE, so even a finished
   * session is read again; first-seen 0, so {@code sessions.start-position=latest} does not skip
   * the events after an explicit position. Counters and the lag timestamp are kept (they never
   * go back).
   *
   * @param current the stored record, or null for a session never stored
   * @param cursor the event after which reading resumes; null: before the first event
   */
  public static OffsetRecord reset(OffsetKey key, OffsetRecord current, String cursor, Instant now) {
    Map<String, String> attributes = new HashMap<>(current == null ? Map.of() : current.attributes());
    attributes.put(WINDOW, "");
    attributes.put(FIRST_SEEN_AT_MS, "0");
    attributes.put(POSITION_NS, "0");
    attributes.put(POSITION_TIES, "0");
    attributes.putIfAbsent(NEWEST_CREATED_AT_NS, "0");
    return new OffsetRecord(key, cursor, List.of(), SessionStatus.ACTIVE.name(),
        current == null ? OffsetRecord.Counters.ZERO : current.counters(), now, attributes);
  }

  /**
   * Reads a stored record.
   *
   * @throws IllegalArgumentException naming the session and what is wrong; corruption is never
   *     read as "no progress", which would re-deliver the session's whole history
   */
  public static SessionState.Snapshot toSnapshot(OffsetRecord r) {
    String id = r.key().sessionId();
    SessionStatus status;
    try {
      status = SessionStatus.valueOf(r.state() == null ? "ACTIVE" : r.state());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("offset record of session " + id + " has unknown state '" + r.state() + "'");
    }
    Map<String, String> a = r.attributes();
    try {
      long newest = Long.parseLong(a.getOrDefault(NEWEST_CREATED_AT_NS, "0"));
      String position = a.get(POSITION_NS);
      return new SessionState.Snapshot(id, r.cursor(), r.recentIds(), a.getOrDefault(WINDOW, ""), status,
          r.counters().delivered(), r.counters().deadLettered(), r.counters().duplicatesSkipped(),
          newest, Long.parseLong(a.getOrDefault(FIRST_SEEN_AT_MS, "0")), r.updatedAt().toEpochMilli(),
          position == null ? newest : Long.parseLong(position), Integer.parseInt(a.getOrDefault(POSITION_TIES, "0")));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("offset record of session " + id + " has a malformed attribute: " + e.getMessage());
    }
  }
}

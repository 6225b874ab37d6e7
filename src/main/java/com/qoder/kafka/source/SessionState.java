package com.qoder.kafka.source;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The progress of one session: what was delivered and acknowledged, and how it is polled.
 *
 * <p>Mutated only by the session's own poller, one step at a time (the steps of a Reactor chain
 * are serialised); other threads read it through {@link #snapshot()} (status page, offsets).
 * {@code cursor} only ever moves to an event whose page Kafka has acknowledged.
 */
public final class SessionState {

  /** Actual ids kept besides the fingerprints: fall-back cursors when the API rejects the cursor. */
  static final int FALLBACK_CURSORS = 4;

  private final String sessionId;
  private volatile String cursor;
  private final Deque<String> recentIds = new ArrayDeque<>(FALLBACK_CURSORS);
  private final DedupWindow window;
  private volatile SessionStatus status;
  private volatile long delivered;
  private volatile long deadLettered;
  private volatile long duplicates;
  private volatile long newestCreatedAtNanos;
  private volatile long firstSeenAtMillis;
  private volatile long updatedAtMillis;
  private volatile boolean caughtUp; // the last page read had has_more=false

  public SessionState(String sessionId, int windowCapacity, long firstSeenAtMillis) {
    this.sessionId = sessionId;
    this.window = new DedupWindow(windowCapacity);
    this.status = SessionStatus.ACTIVE;
    this.firstSeenAtMillis = firstSeenAtMillis;
  }

  /**
   * Restores state read from the offsets topic.
   *
   * @throws IllegalArgumentException when the stored de-dup window is corrupt
   */
  static SessionState fromSnapshot(Snapshot s, int windowCapacity) {
    return restore(s.sessionId(), s.cursor(), s.recentIds(), DedupWindow.decode(s.window(), windowCapacity),
        s.status(), s.delivered(), s.deadLettered(), s.duplicates(), s.newestCreatedAtNanos(),
        s.firstSeenAtMillis(), s.updatedAtMillis());
  }

  private static SessionState restore(String sessionId, String cursor, List<String> recent, DedupWindow window,
      SessionStatus status, long delivered, long deadLettered, long duplicates, long newestCreatedAtNanos,
      long firstSeenAtMillis, long updatedAtMillis) {
    SessionState s = new SessionState(sessionId, window.capacity(), firstSeenAtMillis);
    s.cursor = cursor;
    s.recentIds.addAll(recent.subList(Math.max(0, recent.size() - FALLBACK_CURSORS), recent.size()));
    for (long f : window.fingerprints()) {
      s.window.addFingerprint(f);
    }
    s.status = status;
    s.delivered = delivered;
    s.deadLettered = deadLettered;
    s.duplicates = duplicates;
    s.newestCreatedAtNanos = newestCreatedAtNanos;
    s.updatedAtMillis = updatedAtMillis;
    return s;
  }

  public String sessionId() {
    return sessionId;
  }

  public String cursor() {
    return cursor;
  }

  public SessionStatus status() {
    return status;
  }

  public long delivered() {
    return delivered;
  }

  public long deadLettered() {
    return deadLettered;
  }

  public long duplicates() {
    return duplicates;
  }

  public long newestCreatedAtNanos() {
    return newestCreatedAtNanos;
  }

  public long firstSeenAtMillis() {
    return firstSeenAtMillis;
  }

  public long updatedAtMillis() {
    return updatedAtMillis;
  }

  /** Whether the last page read said {@code has_more=false}: the session's backlog is delivered. */
  public boolean caughtUp() {
    return caughtUp;
  }

  void caughtUp(boolean caughtUp) {
    this.caughtUp = caughtUp;
  }

  DedupWindow window() {
    return window;
  }

  boolean seen(String eventId) {
    return window.contains(eventId);
  }

  /** Recent delivered ids, newest last (fall-back cursors). */
  List<String> recentIds() {
    return new ArrayList<>(recentIds);
  }

  void status(SessionStatus s) {
    this.status = s;
  }

  /** Records an acknowledged event: it can be neither lost nor produced again from here on. */
  void acknowledged(String eventId, long createdAtNanos) {
    window.add(eventId);
    if (recentIds.size() == FALLBACK_CURSORS) {
      recentIds.removeFirst();
    }
    recentIds.addLast(eventId);
    if (createdAtNanos > newestCreatedAtNanos) {
      newestCreatedAtNanos = createdAtNanos;
    }
  }

  /** Moves the cursor; the caller guarantees every event up to it is acknowledged. */
  void advance(String cursor) {
    if (cursor != null) {
      this.cursor = cursor;
    }
    this.updatedAtMillis = System.currentTimeMillis();
  }

  /** Forgets the cursor (a rejected cursor without fall-back): the next read starts at the beginning. */
  void resetCursor() {
    this.cursor = null;
  }

  void count(int deliveredN, int deadLetteredN, int duplicatesN) {
    delivered += deliveredN;
    deadLettered += deadLetteredN;
    duplicates += duplicatesN;
  }

  /** An immutable copy for the offsets topic and the status page. */
  public Snapshot snapshot() {
    return new Snapshot(sessionId, cursor, recentIds(), window.encode(), status, delivered, deadLettered,
        duplicates, newestCreatedAtNanos, firstSeenAtMillis, updatedAtMillis);
  }

  /** What the offsets topic stores for a session. */
  public record Snapshot(String sessionId, String cursor, List<String> recentIds, String window,
      SessionStatus status, long delivered, long deadLettered, long duplicates, long newestCreatedAtNanos,
      long firstSeenAtMillis, long updatedAtMillis) {}
}

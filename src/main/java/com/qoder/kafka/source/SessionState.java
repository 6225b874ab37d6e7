package com.qoder.kafka.source;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The progress of one session: what was delivered and acknowledged, and how it is polled.
 *
 * <p>Mutated only by the session's own poller, one step at a time (the steps of a Reactor chain
 * are serialised); other threads read it through {@link #snapshot()} (status page, offsets).
 * {@code cursor} only ever moves to an event whose page Kafka has acknowledged.
 *
 * <p>Already delivered events are recognised two ways. The <em>position</em> is the {@code
 * created_at} of the newest delivered event: events are chronological (document 002), so an event
 * created before it was delivered already, however long ago — a replay of any length, a re-read
 * after a lost cursor, a restart in the middle of either. The window of recent ids recognises the
 * rest: the events at the position's instant (several events may share one {@code created_at};
 * {@link #tiesAtPosition()} of them are the newest ids of the window and are always kept), and
 * events without a parseable {@code created_at}. Both are stored with the offsets.
 *
 * <p>A finished session (terminated, gone, released) drops its window and fall-back ids: it is
 * never polled again, and what is left costs a few dozen bytes.
 */
public final class SessionState {

  /** Actual ids kept besides the fingerprints: fall-back cursors when the API rejects the cursor. */
  static final int FALLBACK_CURSORS = 4;
  /**
   * Ids kept in memory by a restored session until it has new events (then the configured window
   * comes back): the position recognises everything older than the newest delivered event, so the
   * window only has to hold the events at that instant.
   */
  static final int RESTORED_WINDOW = 8;
  /**
   * Most events at one instant the window grows to hold, whatever its configured size: what the
   * offset record holds within 64 KiB (the largest {@code sessions.dedup-window}).
   */
  static final int MAX_TIES = 5_000;
  private static final String[] NO_IDS = {};

  private final String sessionId;
  private volatile String cursor;
  private String[] recent = NO_IDS; // ring of fall-back cursors, allocated with the first event
  private int recentSize;
  private int recentNext;
  // A quiet or restored session keeps its fall-back ids packed in one array instead (about 40 bytes
  // an id rather than 80 for a String and its array, plus the ring): idle sessions are most of them.
  private volatile byte[] packedRecent; // non-null: the fall-back ids, oldest first; the ring is then empty
  private final DedupWindow window;
  private volatile SessionStatus status;
  private volatile long delivered;
  private volatile long deadLettered;
  private volatile long duplicates;
  private volatile long newestCreatedAtNanos;
  private volatile long positionNanos; // created_at of the newest delivered event; 0: none (or reset)
  private volatile int tiesAtPosition; // delivered events at positionNanos (the newest ids of the window)
  private volatile long firstSeenAtMillis;
  private volatile long updatedAtMillis;
  private volatile boolean caughtUp; // the last page read had has_more=false
  // Freshness (not stored: an instance measures what it has observed itself).
  private volatile long currentAtMillis; // when a page said has_more=false; else when followed here
  private volatile long undeliveredSinceNanos; // created_at of the oldest event read, not yet acked; 0: none

  public SessionState(String sessionId, int windowCapacity, long firstSeenAtMillis) {
    this.sessionId = sessionId;
    this.window = new DedupWindow(windowCapacity);
    this.status = SessionStatus.ACTIVE;
    this.firstSeenAtMillis = firstSeenAtMillis;
    this.currentAtMillis = System.currentTimeMillis();
  }

  /**
   * Restores state read from the offsets topic. The window keeps the events at the position's
   * instant and at least {@link #RESTORED_WINDOW} newest ids (a finished session none); it grows
   * back to the configured capacity when the session has new events.
   *
   * @throws IllegalArgumentException when the stored de-dup window is corrupt
   */
  static SessionState fromSnapshot(Snapshot s, int windowCapacity) {
    int keep = s.status().isFinal() ? 1
        : Math.max(Math.min(windowCapacity, RESTORED_WINDOW), Math.min(MAX_TIES, s.tiesAtPosition()));
    DedupWindow stored = DedupWindow.decode(s.status().isFinal() ? "" : s.window(), keep);
    SessionState st = new SessionState(s.sessionId(), keep, s.firstSeenAtMillis());
    for (long f : stored.fingerprints()) {
      st.window.addFingerprint(f);
    }
    st.cursor = s.cursor();
    if (!s.status().isFinal()) {
      List<String> r = s.recentIds();
      for (String id : r.subList(Math.max(0, r.size() - FALLBACK_CURSORS), r.size())) {
        // The cursor is usually the newest of them: one string, not two.
        st.remember(id.equals(st.cursor) ? st.cursor : id);
      }
      st.packRecent();
    }
    st.status = s.status();
    st.delivered = s.delivered();
    st.deadLettered = s.deadLettered();
    st.duplicates = s.duplicates();
    st.newestCreatedAtNanos = s.newestCreatedAtNanos();
    st.positionNanos = s.positionNanos();
    st.tiesAtPosition = s.tiesAtPosition();
    st.updatedAtMillis = s.updatedAtMillis();
    return st;
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

  /** The {@code created_at} (epoch ns) of the newest delivered event; 0 before the first (or after a reset). */
  public long positionNanos() {
    return positionNanos;
  }

  /** How many delivered events share {@link #positionNanos()}. */
  public int tiesAtPosition() {
    return tiesAtPosition;
  }

  /**
   * Whether an event created at {@code createdAtNanos} (0: unknown) was delivered already by its
   * time alone: it is older than the newest delivered event. Events at that very instant are
   * recognised by the window.
   */
  boolean beforePosition(long createdAtNanos) {
    return createdAtNanos != 0 && createdAtNanos < positionNanos;
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
    if (caughtUp) {
      this.currentAtMillis = System.currentTimeMillis();
    }
  }

  /**
   * When this instance last knew the session's cursor to be current — its last page said
   * {@code has_more=false} — or, before that, when it started to follow the session. Its age is the
   * session's cursor age: how stale the connector's view of the session may be.
   */
  public long currentAtMillis() {
    return currentAtMillis;
  }

  /**
   * {@code created_at} (epoch nanoseconds) of the oldest event read from the API and not yet
   * acknowledged by Kafka; 0 when there is none.
   */
  public long undeliveredSinceNanos() {
    return undeliveredSinceNanos;
  }

  /** Events with the oldest {@code created_at} {@code oldestNanos} were read and are on their way. */
  void undeliveredSince(long oldestNanos) {
    if (oldestNanos > 0 && (undeliveredSinceNanos == 0 || oldestNanos < undeliveredSinceNanos)) {
      this.undeliveredSinceNanos = oldestNanos;
    }
  }

  /** Everything read was acknowledged. */
  void allDelivered() {
    this.undeliveredSinceNanos = 0;
  }

  DedupWindow window() {
    return window;
  }

  boolean seen(String eventId) {
    return window.contains(eventId);
  }

  /** Recent delivered ids, newest last (fall-back cursors). */
  List<String> recentIds() {
    byte[] packed = packedRecent;
    if (packed != null) {
      return unpack(packed);
    }
    String[] r = recent;
    int n = Math.min(recentSize, r.length);
    List<String> out = new ArrayList<>(n);
    int start = n < r.length ? 0 : recentNext % Math.max(1, r.length);
    for (int i = 0; i < n; i++) {
      out.add(r[(start + i) % r.length]);
    }
    return out;
  }

  private void remember(String eventId) {
    byte[] packed = packedRecent;
    if (packed != null) {
      // Back to a ring; filled before packedRecent is cleared, so a reader on another thread (which
      // reads packedRecent first) sees the ids one way or the other.
      List<String> ids = unpack(packed);
      String[] ring = new String[FALLBACK_CURSORS];
      for (int i = 0; i < ids.size(); i++) {
        ring[i] = ids.get(i);
      }
      recent = ring;
      recentSize = ids.size();
      recentNext = ids.size() % FALLBACK_CURSORS;
      packedRecent = null;
    }
    if (recent.length == 0) {
      recent = new String[FALLBACK_CURSORS];
    }
    recent[recentNext] = eventId;
    recentNext = (recentNext + 1) % FALLBACK_CURSORS;
    if (recentSize < FALLBACK_CURSORS) {
      recentSize++;
    }
  }

  /** Sets the status; a final one drops what only a polled session needs (window, fall-back ids). */
  void status(SessionStatus s) {
    this.status = s;
    if (s.isFinal()) {
      window.clear();
      packedRecent = null;
      recent = NO_IDS;
      recentSize = 0;
      recentNext = 0;
    }
  }

  /** A quiet session keeps fewer ids: {@code capacity}, and never fewer than the events at the position. */
  void quiet(int capacity) {
    window.shrinkTo(Math.max(capacity, tiesAtPosition));
    packRecent();
  }

  /** Packs the fall-back ids into one array (each as a 2-byte length and its UTF-8 bytes). */
  private void packRecent() {
    if (recentSize == 0 || packedRecent != null) {
      return;
    }
    List<String> ids = recentIds();
    byte[][] utf8 = new byte[ids.size()][];
    int length = 0;
    for (int i = 0; i < utf8.length; i++) {
      utf8[i] = ids.get(i).getBytes(StandardCharsets.UTF_8);
      if (utf8[i].length > 0xFFFF) {
        return; // not an id of the documented API: kept as it is
      }
      length += 2 + utf8[i].length;
    }
    byte[] packed = new byte[length];
    int at = 0;
    for (byte[] id : utf8) {
      packed[at++] = (byte) (id.length >>> 8);
      packed[at++] = (byte) id.length;
      System.arraycopy(id, 0, packed, at, id.length);
      at += id.length;
    }
    packedRecent = packed;
    recent = NO_IDS;
    recentSize = 0;
    recentNext = 0;
  }

  private static List<String> unpack(byte[] packed) {
    List<String> ids = new ArrayList<>(FALLBACK_CURSORS);
    for (int at = 0; at < packed.length; ) {
      int n = ((packed[at] & 0xff) << 8) | (packed[at + 1] & 0xff);
      ids.add(new String(packed, at + 2, n, StandardCharsets.UTF_8));
      at += 2 + n;
    }
    return ids;
  }

  /**
   * Records an acknowledged event: it can be neither lost nor produced again from here on.
   *
   * @param createdAtNanos its {@code created_at}; 0 when unknown, or for history skipped by {@code
   *     start-position=latest} (it moves neither the position nor the lag)
   */
  void acknowledged(String eventId, long createdAtNanos) {
    if (createdAtNanos > newestCreatedAtNanos) {
      newestCreatedAtNanos = createdAtNanos;
    }
    if (createdAtNanos > positionNanos) {
      positionNanos = createdAtNanos;
      tiesAtPosition = 1;
    } else if (createdAtNanos != 0 && createdAtNanos == positionNanos) {
      tiesAtPosition++;
      if (tiesAtPosition > window.capacity() && window.capacity() < MAX_TIES) {
        // More events at one instant than the window holds: it grows to keep them all (up to the
        // offset record's limit), or a replay would repeat the ones it dropped.
        window.growTo(Math.min(MAX_TIES, tiesAtPosition));
      }
    }
    window.add(eventId);
    remember(eventId);
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
        duplicates, newestCreatedAtNanos, firstSeenAtMillis, updatedAtMillis, positionNanos,
        Math.min(tiesAtPosition, window.size()));
  }

  /**
   * What the offsets topic stores for a session.
   *
   * @param positionNanos {@code created_at} of the newest delivered event (0: none, or reset)
   * @param tiesAtPosition how many of the window's newest ids are events at {@code positionNanos}
   */
  public record Snapshot(String sessionId, String cursor, List<String> recentIds, String window,
      SessionStatus status, long delivered, long deadLettered, long duplicates, long newestCreatedAtNanos,
      long firstSeenAtMillis, long updatedAtMillis, long positionNanos, int tiesAtPosition) {

    /** A snapshot without a position of its own (written before positions were stored): the newest delivered event's time is one. */
    public Snapshot(String sessionId, String cursor, List<String> recentIds, String window, SessionStatus status,
        long delivered, long deadLettered, long duplicates, long newestCreatedAtNanos, long firstSeenAtMillis,
        long updatedAtMillis) {
      this(sessionId, cursor, recentIds, window, status, delivered, deadLettered, duplicates, newestCreatedAtNanos,
          firstSeenAtMillis, updatedAtMillis, newestCreatedAtNanos, 0);
    }
  }
}

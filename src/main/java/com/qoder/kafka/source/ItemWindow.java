package com.qoder.kafka.source;

import java.nio.charset.StandardCharsets;
import java.net.URLDecoder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a change-data-capture source last delivered of a list: for each item id, the item's
 * creation time and a {@linkplain Fingerprints fingerprint} of its documented fields. Comparing a
 * fresh page with the window tells new, changed and unchanged items apart; the ids the window has
 * and a complete walk did not list are the deleted ones.
 *
 * <h2>Bound</h2>
 * At most {@code capacity} items. Adding one more evicts the item created first and raises the
 * window's <em>floor</em> to that item's creation time. An item the window does not hold and that
 * was created at or before the floor is {@link Verdict#OUTSIDE}: the source delivered it once and
 * no longer watches it, so its later changes and its deletion are not reported. Sizing: an entry
 * takes about 60 bytes in the offset record (id, creation time and fingerprint as text), so 5,000
 * entries are about 300 KB — keep {@code capacity × 60} below the offsets topic's
 * {@code max.message.bytes} (1 MiB by default).
 *
 * <p>The floor says nothing about items the source has not walked yet: a walk that delivers more
 * new items than the capacity (newest first) raises the floor above the ones still ahead of it, so
 * a source must not read {@link Verdict#OUTSIDE} as "delivered" for items above its own stored
 * walk position ({@code FilesSource} treats every file above its high-water mark as new).
 *
 * <p>Not thread-safe: a window belongs to one source step at a time.
 */
final class ItemWindow {

  /** Creation time of items that have none (or an unparsable one). */
  static final long UNKNOWN = Long.MIN_VALUE;
  private static final String VERSION = "w1";

  enum Verdict {
    /** Not in the window and newer than its floor: report as created. */
    NEW,
    /** In the window with another fingerprint: report as updated. */
    CHANGED,
    /** In the window with the same fingerprint: nothing to report. */
    UNCHANGED,
    /** Not in the window, created at or before its floor: delivered before, no longer watched. */
    OUTSIDE
  }

  record Entry(long createdAtNanos, long fingerprint) {}

  private final int capacity;
  private final Map<String, Entry> entries = new HashMap<>();
  private long floor = UNKNOWN;

  ItemWindow(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive: " + capacity);
    }
    this.capacity = capacity;
  }

  Verdict classify(String id, long createdAtNanos, long fingerprint) {
    Entry e = entries.get(id);
    if (e != null) {
      return e.fingerprint() == fingerprint ? Verdict.UNCHANGED : Verdict.CHANGED;
    }
    return floor != UNKNOWN && createdAtNanos <= floor ? Verdict.OUTSIDE : Verdict.NEW;
  }

  /** Records a delivered item; evicts the oldest items above the capacity (raising the floor). */
  void put(String id, long createdAtNanos, long fingerprint) {
    entries.put(id, new Entry(createdAtNanos, fingerprint));
    while (entries.size() > capacity) {
      String oldest = null;
      long oldestAt = Long.MAX_VALUE;
      for (Map.Entry<String, Entry> x : entries.entrySet()) {
        long at = x.getValue().createdAtNanos();
        if (oldest == null || at < oldestAt || (at == oldestAt && x.getKey().compareTo(oldest) < 0)) {
          oldest = x.getKey();
          oldestAt = at;
        }
      }
      entries.remove(oldest);
      floor = Math.max(floor, oldestAt);
    }
  }

  Entry remove(String id) {
    return entries.remove(id);
  }

  Entry get(String id) {
    return entries.get(id);
  }

  Set<String> ids() {
    return Set.copyOf(entries.keySet());
  }

  int size() {
    return entries.size();
  }

  int capacity() {
    return capacity;
  }

  /** Creation time at or below which untracked items are outside the window; {@link #UNKNOWN} when none. */
  long floor() {
    return floor;
  }

  /**
   * Text form for an offset record attribute: {@code w1 <floor> <id>:<created>:<fingerprint> …},
   * numbers in base 36, entries ordered by id so equal windows encode equally. Ids are
   * percent-encoded where they contain {@code %}, space or {@code :}.
   */
  String encode() {
    List<String> ids = new ArrayList<>(entries.keySet());
    ids.sort(null);
    StringBuilder sb = new StringBuilder(16 + ids.size() * 60);
    sb.append(VERSION).append(' ').append(floor == UNKNOWN ? "-" : Long.toString(floor, 36));
    for (String id : ids) {
      Entry e = entries.get(id);
      sb.append(' ').append(escape(id)).append(':')
          .append(e.createdAtNanos() == UNKNOWN ? "-" : Long.toString(e.createdAtNanos(), 36)).append(':')
          .append(Long.toString(e.fingerprint(), 36));
    }
    return sb.toString();
  }

  /**
   * Restores a window written by {@link #encode()} (null or empty: an empty window). When the
   * capacity shrank since, the oldest entries are evicted as if they had been added last.
   *
   * @throws IllegalArgumentException when the text is not a window encoding (never "empty")
   */
  static ItemWindow decode(String text, int capacity) {
    ItemWindow w = new ItemWindow(capacity);
    if (text == null || text.isEmpty()) {
      return w;
    }
    String[] parts = text.split(" ");
    if (parts.length < 2 || !parts[0].equals(VERSION)) {
      throw new IllegalArgumentException("item window does not start with '" + VERSION + " <floor>': '"
          + abbreviate(text) + "'");
    }
    try {
      w.floor = parts[1].equals("-") ? UNKNOWN : Long.parseLong(parts[1], 36);
      for (int i = 2; i < parts.length; i++) {
        String[] f = parts[i].split(":", -1);
        if (f.length != 3 || f[0].isEmpty()) {
          throw new IllegalArgumentException("entry '" + parts[i] + "' is not <id>:<created>:<fingerprint>");
        }
        long created = f[1].equals("-") ? UNKNOWN : Long.parseLong(f[1], 36);
        w.entries.put(unescape(f[0]), new Entry(created, Long.parseLong(f[2], 36)));
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("item window has a malformed number: " + e.getMessage());
    }
    if (w.entries.size() > capacity) {
      // put() of any present entry runs the eviction loop.
      Map.Entry<String, Entry> any = w.entries.entrySet().iterator().next();
      w.put(any.getKey(), any.getValue().createdAtNanos(), any.getValue().fingerprint());
    }
    return w;
  }

  private static String escape(String id) {
    if (id.indexOf('%') < 0 && id.indexOf(' ') < 0 && id.indexOf(':') < 0) {
      return id;
    }
    return id.replace("%", "%25").replace(" ", "%20").replace(":", "%3A");
  }

  private static String unescape(String id) {
    return id.indexOf('%') < 0 ? id : URLDecoder.decode(id.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static String abbreviate(String text) {
    return text.length() > 80 ? text.substring(0, 80) + "…" : text;
  }

  @Override
  public String toString() {
    return "ItemWindow{size=" + entries.size() + ", capacity=" + capacity + ", floor=" + floor + "}";
  }
}

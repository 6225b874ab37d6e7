package com.qoder.kafka.source;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Which transitions of each session the {@link LifecycleSource} reported ({@code CREATED},
 * {@code RELEASED}), for the sessions of the partitions this instance owns, and their stored form:
 * the record {@code lifecycle/<session>} in the session's own offsets partition, so that it moves
 * with the session. Thread-safe.
 */
final class LifecycleMarks {

  /** Attribute of a session's {@code lifecycle/<session>} record: the transitions reported, space-separated. */
  static final String REPORTED = "reported";
  static final int CREATED_BIT = 1;
  static final int RELEASED_BIT = 2;

  /**
   * Transitions reported of each session (CREATED_BIT, RELEASED_BIT): restored from the sessions'
   * own records when a partition is assigned, dropped when it leaves, updated on acknowledgement.
   */
  private final Map<String, Integer> marks = new ConcurrentHashMap<>();

  /**
   * Reads stored {@code lifecycle/<session>} records.
   *
   * @throws IllegalArgumentException naming the key when a stored record is corrupt
   */
  static Map<String, Integer> decode(Collection<Checkpoint> stored) {
    Map<String, Integer> restored = new HashMap<>();
    for (Checkpoint c : stored) {
      int m = 0;
      for (String t : c.attribute(REPORTED, "").split(" ")) {
        switch (t) {
          case LifecycleSource.CREATED -> m |= CREATED_BIT;
          case LifecycleSource.RELEASED -> m |= RELEASED_BIT;
          case "" -> { }
          default -> throw new IllegalArgumentException("offset record lifecycle/" + c.entity()
              + ": unknown transition '" + t + "' in '" + REPORTED + "'; delete the key to report the session again");
        }
      }
      restored.put(c.entity(), m);
    }
    return restored;
  }

  void putAll(Map<String, Integer> restored) {
    marks.putAll(restored);
  }

  void forget(Predicate<String> inPartitions) {
    marks.keySet().removeIf(inPartitions);
  }

  boolean reported(String sessionId, int bits) {
    Integer m = marks.get(sessionId);
    return m != null && (m & bits) == bits;
  }

  void mark(String sessionId, int bit) {
    marks.merge(sessionId, bit, (x, y) -> x | y);
  }

  /** The session's {@code lifecycle/<session>} record as it stands. */
  Checkpoint checkpoint(String sessionId) {
    Integer m = marks.getOrDefault(sessionId, 0);
    String reported = ((m & CREATED_BIT) != 0 ? LifecycleSource.CREATED : "")
        + ((m & RELEASED_BIT) != 0 ? " " + LifecycleSource.RELEASED : "");
    return new Checkpoint(ChangeSource.LIFECYCLE, sessionId, null, 0, 0, Map.of(REPORTED, reported.trim()));
  }
}

package com.qoder.kafka.audit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The comparison of one session: first every record of the session in its partition, in offset
 * order ({@link #kafkaRecord}), then every event the API lists, in the API's order ({@link
 * #apiEvent}). Kafka is read first so that only the session's ids are held (one small entry per
 * record), while the API's history streams past page by page.
 *
 * <p>Order is judged on first copies that were not produced by a repair: walking the API in order,
 * an event whose record sits before the latest record seen so far is one violation. A repair's
 * records arrive after everything else by design and are counted apart.
 *
 * <p>Not thread-safe: one session, one thread.
 */
final class SessionTally {

  /** What became of one API event. */
  enum Outcome { PRESENT, MISSING, EXPIRED, PENDING }

  private static final class Seen {
    final long position;
    final boolean deadLetter;
    final boolean repaired;
    boolean matched;

    Seen(long position, boolean deadLetter, boolean repaired) {
      this.position = position;
      this.deadLetter = deadLetter;
      this.repaired = repaired;
    }
  }

  private final boolean partitionTruncated;
  private final Map<String, Seen> kafka = new HashMap<>();
  private final Set<String> duplicates = new LinkedHashSet<>();
  private final List<String> missing = new ArrayList<>();
  private final List<String> expired = new ArrayList<>();
  private final List<String> deadLettered = new ArrayList<>();
  private long kafkaRecords;
  private long repairedEarlier;
  private long apiEvents;
  private long pending;
  private long orderViolations;
  private long latestPosition = -1;
  private boolean anyFound;

  /**
   * @param partitionTruncated whether the partition's first retained offset is above zero, so the
   *     session's oldest records may have been deleted (retention, deleteRecords)
   */
  SessionTally(boolean partitionTruncated) {
    this.partitionTruncated = partitionTruncated;
  }

  /** A record of the session at {@code position} (its offset), identified by its event id. */
  void kafkaRecord(String id, long position, boolean deadLetterMarker, boolean repaired) {
    kafkaRecords++;
    if (repaired) {
      repairedEarlier++;
    }
    Seen first = kafka.putIfAbsent(id, new Seen(position, deadLetterMarker, repaired));
    if (first != null) {
      duplicates.add(id); // a second copy, or an event beside its own dead-letter marker
    }
  }

  /**
   * The next event of the API's history.
   *
   * @param compared false for an event after the connector's stored position: not delivered yet,
   *     so its absence is no difference
   */
  Outcome apiEvent(String id, boolean compared) {
    apiEvents++;
    Seen seen = kafka.get(id);
    if (seen != null) {
      seen.matched = true;
      anyFound = true;
      if (seen.deadLetter) {
        deadLettered.add(id);
      }
      if (!seen.repaired) {
        if (seen.position < latestPosition) {
          orderViolations++;
        }
        latestPosition = Math.max(latestPosition, seen.position);
      }
      return Outcome.PRESENT;
    }
    if (!compared) {
      pending++;
      return Outcome.PENDING;
    }
    if (partitionTruncated && !anyFound) {
      // Older than the session's first retained record of a partition whose start is gone: there is
      // nothing left to compare it with, and producing it again would only add it out of order.
      expired.add(id);
      return Outcome.EXPIRED;
    }
    missing.add(id);
    return Outcome.MISSING;
  }

  AuditReport.SessionResult result(String sessionId, int partition, boolean apiNotFound) {
    long unknown = kafka.values().stream().filter(s -> !s.matched).count();
    return new AuditReport.SessionResult(sessionId, partition, apiNotFound, apiEvents, kafkaRecords, missing,
        List.copyOf(duplicates), orderViolations, deadLettered, expired, pending, unknown,
        repairedEarlier, List.of(), List.of());
  }
}

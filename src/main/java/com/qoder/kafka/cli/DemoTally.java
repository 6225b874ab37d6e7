package com.qoder.kafka.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The demo's verdict: every event the simulator created, against the event ids a consumer read
 * back from the events topic. Exact, not a comparison of two counters: an event is missing when no
 * record carries its id, a duplicate when more than one does.
 *
 * @param created events the simulator created (its ground truth)
 * @param sessions sessions those events belong to
 * @param read records read from the topic
 * @param distinct distinct event ids among them that the simulator created
 * @param duplicates records beyond the first for an id
 * @param unexpected records whose id the simulator never created (or without an id)
 * @param missing created events no record carries
 * @param missingSessions sessions with at least one missing event
 * @param missingExamples up to {@value #EXAMPLES} missing ids, as {@code session/event}
 */
record DemoTally(long created, int sessions, long read, long distinct, long duplicates, long unexpected, long missing,
    int missingSessions, List<String> missingExamples) {

  static final int EXAMPLES = 5;

  /** Compares the created ids (by session) with the ids read (null: a record without an id). */
  static DemoTally of(Map<String, List<String>> createdBySession, Iterable<String> readIds) {
    Map<String, Integer> copies = new HashMap<>();
    long read = 0;
    long withoutId = 0;
    for (String id : readIds) {
      read++;
      if (id == null) {
        withoutId++;
      } else {
        copies.merge(id, 1, Integer::sum);
      }
    }
    long created = 0;
    long distinct = 0;
    long duplicates = 0;
    long missing = 0;
    int missingSessions = 0;
    List<String> examples = new ArrayList<>();
    Set<String> createdIds = new HashSet<>();
    for (Map.Entry<String, List<String>> s : createdBySession.entrySet()) {
      boolean sessionMissing = false;
      for (String id : s.getValue()) {
        created++;
        createdIds.add(id);
        Integer n = copies.get(id);
        if (n == null) {
          missing++;
          sessionMissing = true;
          if (examples.size() < EXAMPLES) {
            examples.add(s.getKey() + "/" + id);
          }
        } else {
          distinct++;
          duplicates += n - 1;
        }
      }
      if (sessionMissing) {
        missingSessions++;
      }
    }
    long unexpected = withoutId;
    for (Map.Entry<String, Integer> e : copies.entrySet()) {
      if (!createdIds.contains(e.getKey())) {
        unexpected += e.getValue();
      }
    }
    return new DemoTally(created, createdBySession.size(), read, distinct, duplicates, unexpected, missing,
        missingSessions, List.copyOf(examples));
  }

  boolean complete() {
    return missing == 0;
  }

  /** The summary lines, the verdict first in plain words. */
  List<String> lines(String topic) {
    List<String> out = new ArrayList<>();
    out.add(String.format("the simulator created %d events in %d sessions; a consumer read %d records from %s:"
        + " %d distinct events, %d duplicate records%s.", created, sessions, read, topic, distinct, duplicates,
        unexpected == 0 ? "" : ", " + unexpected + " records of events the simulator did not create"));
    if (missing == 0) {
      out.add(duplicates == 0
          ? "OK: every created event is in Kafka exactly once."
          : "OK: every created event is in Kafka; " + duplicates + " duplicate record(s) (at-least-once delivery).");
    } else {
      out.add(String.format("MISSING: %d of %d created events (in %d sessions) are not in %s, e.g. %s.", missing,
          created, missingSessions, topic, String.join(", ", missingExamples)));
    }
    return out;
  }
}

package com.qoder.kafka.checker;

import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The outcome of one {@link DeliveryChecker#check}: counts of what was read and of every kind of
 * problem, with up to ten examples each. {@link #toString()} is the readable summary tests print
 * and put into assertion messages.
 */
public final class DeliveryReport {

  private final int sessions;
  private final long requiredEvents;
  private final long eventRecords;
  private final long markerRecords;
  private final long errorRecords;
  private final long deadLetterRecords;
  private final long delivered;
  private final long deadLettered;
  private final DeliveryChecker.Problems problems;
  private final Map<String, Integer> duplicatesBySession;
  private final Map<String, String> deadLetterReasons;
  private final Set<Integer> schemaIds;

  DeliveryReport(int sessions, long requiredEvents, long eventRecords, long markerRecords, long errorRecords,
      long deadLetterRecords,
      long delivered, long deadLettered, DeliveryChecker.Problems problems, Map<String, Integer> duplicatesBySession,
      Map<String, String> deadLetterReasons, Set<Integer> schemaIds) {
    this.sessions = sessions;
    this.requiredEvents = requiredEvents;
    this.eventRecords = eventRecords;
    this.markerRecords = markerRecords;
    this.errorRecords = errorRecords;
    this.deadLetterRecords = deadLetterRecords;
    this.delivered = delivered;
    this.deadLettered = deadLettered;
    this.problems = problems;
    this.duplicatesBySession = duplicatesBySession;
    this.deadLetterReasons = deadLetterReasons;
    this.schemaIds = schemaIds;
  }

  /** Sessions compared. */
  public int sessions() { return sessions; }

  /** Events that must arrive (sum of {@link Expected#eventIds()}). */
  public long requiredEvents() { return requiredEvents; }

  /** Records read from the events topic (duplicates included). */
  public long eventRecords() { return eventRecords; }

  /** Dead-letter markers among {@link #eventRecords()}. */
  public long markerRecords() { return markerRecords; }

  public long errorRecords() { return errorRecords; }

  public long deadLetterRecords() { return deadLetterRecords; }

  /** Required events found in the events topic (each counted once). */
  public long delivered() { return delivered; }

  /** Required events found only in the dead-letter topic. */
  public long deadLettered() { return deadLettered; }

  public long missing() { return problems.missing.count; }

  /** Copies beyond the first, events and dead-letter topics together. */
  public long duplicated() { return problems.duplicated.count; }

  public long outOfOrder() { return problems.outOfOrder.count; }

  public long undecodable() { return problems.undecodable.count; }

  public long wrongKey() { return problems.wrongKey.count; }

  public long unexpected() { return problems.unexpected.count; }

  public long wrongSchemaId() { return problems.wrongSchemaId.count; }

  public long badHeaders() { return problems.badHeaders.count; }

  public long splitSessions() { return problems.splitSessions.count; }

  public long missingErrorCopies() { return problems.missingErrorCopies.count; }

  public long duplicatedErrorCopies() { return problems.duplicatedErrorCopies.count; }

  public long unexpectedErrorCopies() { return problems.unexpectedErrorCopies.count; }

  public long deadLettersWithoutReason() { return problems.deadLettersWithoutReason.count; }

  /** Dead-lettered events with no marker in their place in the events topic. */
  public long silentGaps() { return problems.silentGaps.count; }

  /** Markers whose {@code dead_letter} member does not point at a dead letter of their event. */
  public long badMarkers() { return problems.badMarkers.count; }

  /** Duplicate copies per session (sessions without duplicates absent). */
  public Map<String, Integer> duplicatesBySession() { return duplicatesBySession; }

  /** {@code dlq.reason} by event id, for every dead letter of an expected session. */
  public Map<String, String> deadLetterReasons() { return deadLetterReasons; }

  /** Schema ids seen in the events and errors topics. */
  public Set<Integer> schemaIds() { return schemaIds; }

  /** Nothing missing and no problem of any kind, duplicates included. */
  public boolean isClean() {
    return problems.byName().values().stream().allMatch(t -> t.count == 0);
  }

  /**
   * Nothing missing and no problem other than duplicates — of events, and so of their
   * {@code session.error} copies (the at-least-once outcome of a crash).
   */
  public boolean isCleanApartFromDuplicates() {
    DeliveryChecker.Problems p = problems;
    return problems.byName().values().stream()
        .allMatch(t -> t == p.duplicated || t == p.duplicatedErrorCopies || t.count == 0);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("delivery check: %d session(s), %d required event(s); read %d event record(s), "
            + "%d errors-topic record(s), %d dead letter(s), %d marker(s); delivered %d, dead-lettered %d; schema ids %s%n",
        sessions, requiredEvents, eventRecords, errorRecords, deadLetterRecords, markerRecords, delivered, deadLettered,
        schemaIds));
    sb.append(problems.byName().entrySet().stream()
        .map(e -> e.getKey() + " " + e.getValue().count).collect(Collectors.joining(", ", "  ", "")));
    problems.byName().forEach((name, t) -> {
      if (t.count > 0) {
        sb.append(String.format("%n  %s (%d), e.g.:", name, t.count));
        t.examples.forEach(x -> sb.append("\n    ").append(x));
      }
    });
    return sb.toString();
  }
}

package com.qoder.kafka.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;

/**
 * The outcome of an audit: one {@link SessionResult} per audited session, one {@link ListResult}
 * per audited list topic. Immutable.
 *
 * <p>A <em>difference</em> is a missing id, a duplicate or an order violation (and, for a list
 * topic, a missing id). Dead-lettered, expired, pending and repaired records are reported but are
 * not differences: the connector put them there on purpose, or they cannot be compared.
 */
public record AuditReport(Instant startedAt, Instant finishedAt, double maxRequestsPerSecond,
    List<SessionResult> sessions, List<ListResult> lists) {

  public AuditReport {
    sessions = List.copyOf(sessions);
    lists = List.copyOf(lists);
  }

  /**
   * One session compared.
   *
   * @param partition the events topic partition that holds the session (its key's partition)
   * @param apiEvents events the API lists for the session
   * @param kafkaRecords records keyed by the session in that partition (markers and repairs included)
   * @param missing ids the API lists, older than the connector's stored position, not in Kafka and
   *     not expired (API order)
   * @param duplicates ids present more than once in Kafka
   * @param orderViolations records that come before (in Kafka) an event the API lists earlier
   * @param deadLettered ids whose place holds a dead-letter marker (the event is in the dead-letter topic)
   * @param expired ids older than the session's earliest retained record of a partition whose
   *     start was deleted (retention or deleteRecords): compared with nothing, never repaired
   * @param pending events after the connector's stored position: not delivered yet, not compared
   * @param unknown records whose id the API does not list (any more)
   * @param repairedEarlier records an earlier {@code --repair} produced (out of the original order)
   * @param repaired ids this audit produced ({@code --repair})
   * @param unrepairable ids {@code --repair} could not produce (the mapper rejects them)
   * @param apiNotFound the API answers that the session does not exist (deleted, or a wrong id)
   */
  public record SessionResult(String sessionId, int partition, boolean apiNotFound, long apiEvents, long kafkaRecords, List<String> missing,
      List<String> duplicates, long orderViolations, List<String> deadLettered, List<String> expired, long pending,
      long unknown, long repairedEarlier, List<String> repaired, List<String> unrepairable) {

    public SessionResult {
      missing = List.copyOf(missing);
      duplicates = List.copyOf(duplicates);
      deadLettered = List.copyOf(deadLettered);
      expired = List.copyOf(expired);
      repaired = List.copyOf(repaired);
      unrepairable = List.copyOf(unrepairable);
    }

    public boolean hasDifferences() {
      return !missing.isEmpty() || !duplicates.isEmpty() || orderViolations > 0;
    }

    SessionResult withRepair(List<String> repaired, List<String> unrepairable) {
      return new SessionResult(sessionId, partition, apiNotFound, apiEvents, kafkaRecords, missing, duplicates,
          orderViolations, deadLettered, expired, pending, unknown, repairedEarlier, repaired, unrepairable);
    }
  }

  /**
   * A list endpoint against its topic, by id only.
   *
   * @param name {@code files} or {@code sessions}
   * @param apiItems ids the endpoint lists
   * @param kafkaItems distinct ids (record keys) in the topic whose latest record is not a tombstone
   * @param missing ids the endpoint lists that the topic lacks
   * @param notListed ids in the topic the endpoint no longer lists (deleted upstream, another
   *     organization): reported, not a difference
   */
  public record ListResult(String name, String topic, long apiItems, long kafkaItems, List<String> missing,
      List<String> notListed) {

    public ListResult {
      missing = List.copyOf(missing);
      notListed = List.copyOf(notListed);
    }

    public boolean hasDifferences() {
      return !missing.isEmpty();
    }
  }

  /** Whether any session or list shows a difference (exit code 3 of {@code audit}). */
  public boolean hasDifferences() {
    return sessions.stream().anyMatch(SessionResult::hasDifferences) || lists.stream().anyMatch(ListResult::hasDifferences);
  }

  /** The report as pretty-printed JSON (every id listed). */
  public String toJson() {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = json.createObjectNode();
    root.put("started_at", startedAt.toString());
    root.put("finished_at", finishedAt.toString());
    root.put("max_requests_per_second", maxRequestsPerSecond);
    root.put("differences", hasDifferences());
    ArrayNode ss = root.putArray("sessions");
    for (SessionResult s : sessions) {
      ObjectNode n = ss.addObject();
      n.put("session_id", s.sessionId());
      n.put("partition", s.partition());
      n.put("api_not_found", s.apiNotFound());
      n.put("api_events", s.apiEvents());
      n.put("kafka_records", s.kafkaRecords());
      ids(n, "missing", s.missing());
      ids(n, "duplicates", s.duplicates());
      n.put("order_violations", s.orderViolations());
      ids(n, "dead_lettered", s.deadLettered());
      ids(n, "expired", s.expired());
      n.put("pending", s.pending());
      n.put("unknown", s.unknown());
      n.put("repaired_earlier", s.repairedEarlier());
      ids(n, "repaired", s.repaired());
      ids(n, "unrepairable", s.unrepairable());
    }
    ArrayNode ls = root.putArray("lists");
    for (ListResult l : lists) {
      ObjectNode n = ls.addObject();
      n.put("name", l.name());
      n.put("topic", l.topic());
      n.put("api_items", l.apiItems());
      n.put("kafka_items", l.kafkaItems());
      ids(n, "missing", l.missing());
      ids(n, "not_listed", l.notListed());
    }
    try {
      return json.writeValueAsString(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a tree of strings and numbers always serializes", e);
    }
  }

  private static void ids(ObjectNode n, String field, List<String> ids) {
    ArrayNode a = n.putArray(field);
    ids.forEach(a::add);
  }
}

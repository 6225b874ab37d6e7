package com.qoder.kafka.ops;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@code GET /api/status} and the status page show. Doubles may be {@code NaN} for "not
 * known yet" (served as JSON {@code null}); collections are copied, so the snapshot is immutable.
 *
 * @param startedAt when this instance started
 * @param connectorName {@code connector.name}, shared by every instance of one connector
 * @param eventsDelivered events acknowledged by Kafka since start
 * @param eventsPerSecond recent delivery rate
 * @param sessionsByState owned sessions by state (ACTIVE, IDLE, TERMINATED, GONE)
 * @param lagP50Seconds median event lag, recent window
 * @param lagP99Seconds 99th percentile event lag, recent window
 * @param busiest sessions with the highest recent rate, highest first
 * @param mostLagging sessions with the highest lag, highest first
 * @param recentErrors latest errors, newest first
 * @param extra anything else worth showing (strings, numbers, booleans); never secrets
 */
public record StatusSnapshot(
    Instant startedAt,
    String connectorName,
    long eventsDelivered,
    double eventsPerSecond,
    Map<String, Long> sessionsByState,
    double lagP50Seconds,
    double lagP99Seconds,
    List<SessionStat> busiest,
    List<SessionStat> mostLagging,
    List<ErrorEntry> recentErrors,
    Map<String, Object> extra) {

  public StatusSnapshot {
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(connectorName, "connectorName");
    sessionsByState = sessionsByState == null ? Map.of() : Map.copyOf(sessionsByState);
    busiest = busiest == null ? List.of() : List.copyOf(busiest);
    mostLagging = mostLagging == null ? List.of() : List.copyOf(mostLagging);
    recentErrors = recentErrors == null ? List.of() : List.copyOf(recentErrors);
    extra = extra == null ? Map.of() : Map.copyOf(extra);
  }

  /** One session's figures in the busiest / most lagging tables. */
  public record SessionStat(
      String sessionId, long eventsDelivered, double eventsPerSecond, double lagSeconds, String state) {

    public SessionStat {
      Objects.requireNonNull(sessionId, "sessionId");
    }
  }

  /** One recent error; {@code sessionId} may be null for errors not tied to a session. */
  public record ErrorEntry(Instant at, String sessionId, String message) {

    public ErrorEntry {
      Objects.requireNonNull(at, "at");
      message = message == null ? "" : message;
    }
  }
}

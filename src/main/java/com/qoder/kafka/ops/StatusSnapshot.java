package com.qoder.kafka.ops;

import java.time.Duration;
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
 * @param trend the last minutes of throughput, lag and request rate (the page's charts)
 * @param cluster every instance of the connector's group as this instance knows it, itself included
 * @param sections named sections contributed by other parts (e.g. signals): each a list of rows
 *     (maps of plain values) that the page shows as a table of its own, in key order; never secrets
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
    Map<String, Object> extra,
    TrendView trend,
    List<InstanceView> cluster,
    Map<String, List<Map<String, Object>>> sections) {

  /** A snapshot without trend, cluster view or sections. */
  public StatusSnapshot(Instant startedAt, String connectorName, long eventsDelivered, double eventsPerSecond,
      Map<String, Long> sessionsByState, double lagP50Seconds, double lagP99Seconds, List<SessionStat> busiest,
      List<SessionStat> mostLagging, List<ErrorEntry> recentErrors, Map<String, Object> extra) {
    this(startedAt, connectorName, eventsDelivered, eventsPerSecond, sessionsByState, lagP50Seconds, lagP99Seconds,
        busiest, mostLagging, recentErrors, extra, null, null, null);
  }

  /** The same snapshot with {@code trend}, {@code cluster} and {@code sections}. */
  public StatusSnapshot with(TrendView trend, List<InstanceView> cluster,
      Map<String, List<Map<String, Object>>> sections) {
    return new StatusSnapshot(startedAt, connectorName, eventsDelivered, eventsPerSecond, sessionsByState,
        lagP50Seconds, lagP99Seconds, busiest, mostLagging, recentErrors, extra, trend, cluster, sections);
  }

  public StatusSnapshot {
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(connectorName, "connectorName");
    sessionsByState = sessionsByState == null ? Map.of() : Map.copyOf(sessionsByState);
    busiest = busiest == null ? List.of() : List.copyOf(busiest);
    mostLagging = mostLagging == null ? List.of() : List.copyOf(mostLagging);
    recentErrors = recentErrors == null ? List.of() : List.copyOf(recentErrors);
    extra = extra == null ? Map.of() : Map.copyOf(extra);
    trend = trend == null ? new TrendView(Duration.ZERO, List.of()) : trend;
    cluster = cluster == null ? List.of() : List.copyOf(cluster);
    sections = sections == null ? Map.of() : Map.copyOf(sections);
  }

  /** The trend samples, oldest first, one per {@code interval}. */
  public record TrendView(Duration interval, List<Trend.Sample> samples) {
    public TrendView {
      Objects.requireNonNull(interval, "interval");
      samples = samples == null ? List.of() : List.copyOf(samples);
    }
  }

  /**
   * One instance of the group in the cluster view.
   *
   * @param instanceId {@code cluster.instance-id}
   * @param host where it runs, as it reported itself (or as the group coordinator saw it)
   * @param self whether this is the instance that serves the page
   * @param inGroup whether the consumer group lists it as a member now
   * @param partitions the offsets partitions it owns (the group's assignment when known)
   * @param sessions sessions it polls (-1: unknown)
   * @param eventsPerSecond its recent delivery rate (NaN: unknown)
   * @param health {@code UP}, {@code DOWN} (with detail), {@code STALE} (no status for a while)
   *     or {@code UNKNOWN} (a member that published no status yet)
   * @param detail why it is not UP, or null
   * @param lastSeen when its status was published, or null
   */
  public record InstanceView(String instanceId, String host, boolean self, boolean inGroup, List<Integer> partitions,
      long sessions, double eventsPerSecond, String health, String detail, Instant lastSeen) {
    public InstanceView {
      Objects.requireNonNull(instanceId, "instanceId");
      partitions = partitions == null ? List.of() : List.copyOf(partitions);
      health = health == null ? "UNKNOWN" : health;
    }
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

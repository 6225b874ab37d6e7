package com.qoder.kafka.runtime;

import com.qoder.kafka.ops.ConnectorMetrics;
import com.qoder.kafka.ops.RecentErrors;
import com.qoder.kafka.ops.StatusProvider;
import com.qoder.kafka.ops.StatusSnapshot;
import com.qoder.kafka.source.SessionListener;
import com.qoder.kafka.source.SessionState;
import com.qoder.kafka.source.SessionStatus;
import com.qoder.kafka.source.SessionSupervisor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * What the connector is doing, for the status page, the demo's progress line and metrics: feeds
 * {@link ConnectorMetrics} from session events and answers {@link StatusProvider#snapshot()}.
 *
 * <p>Thread-safe: listener methods are called from pollers on any thread; counters are adders.
 * Per-session figures are read from the session table on demand (every few seconds), never kept
 * as one metric series per session.
 */
public final class ConnectorStatus implements StatusProvider {

  private static final Logger log = LoggerFactory.getLogger(ConnectorStatus.class);
  private static final int TOP = 8;

  private final String connectorName;
  private final Instant startedAt;
  private final ConnectorMetrics metrics;
  private final RecentErrors recentErrors;
  private final LongAdder delivered = new LongAdder();
  private final LongAdder deadLettered = new LongAdder();
  private final LongAdder fetched = new LongAdder();
  private final LongAdder duplicates = new LongAdder();
  private final AtomicLong rateAt = new AtomicLong(System.nanoTime());
  private final AtomicLong rateCount = new AtomicLong();
  private volatile double rate;
  private volatile SessionSupervisor sessions;
  private volatile Supplier<Map<String, Object>> cluster = Map::of;
  private volatile Supplier<Map<String, Object>> signals = Map::of;

  ConnectorStatus(String connectorName, Instant startedAt, ConnectorMetrics metrics, RecentErrors recentErrors) {
    this.connectorName = connectorName;
    this.startedAt = startedAt;
    this.metrics = metrics;
    this.recentErrors = recentErrors;
  }

  void attach(SessionSupervisor sessions) {
    this.sessions = sessions;
  }

  /** Adds the instance's group membership (owned partitions, members, rebalances) to the status. */
  void attachCluster(Supplier<Map<String, Object>> cluster) {
    this.cluster = cluster;
  }

  /** Adds the live signals known here (pending, running, the newest answers) to the status. */
  void attachSignals(Supplier<Map<String, Object>> signals) {
    this.signals = signals;
  }

  private static boolean isQuietSpell(SessionStatus from, SessionStatus to) {
    return (from == SessionStatus.ACTIVE && to == SessionStatus.IDLE)
        || (from == SessionStatus.IDLE && to == SessionStatus.ACTIVE);
  }

  SessionListener listener() {
    return new SessionListener() {
      @Override
      public void statusChanged(String sessionId, SessionStatus from, SessionStatus to) {
        // session_id in the MDC: JSON log lines about a session carry it as a field.
        try (MDC.MDCCloseable ignored = MDC.putCloseable("session_id", sessionId)) {
          // ACTIVE <-> IDLE flips with every quiet spell of every session: at INFO it would bury the
          // lines an operator needs (a session ending, released, gone).
          if (isQuietSpell(from, to)) {
            log.debug("session {}: {} -> {}", sessionId, from, to);
          } else {
            log.info("session {}: {} -> {}", sessionId, from, to);
          }
        }
      }

      @Override
      public void eventFetched(String sessionId, String type, boolean duplicate) {
        // Per event, so the fetched and de-duplicated counters carry the event type.
        metrics.eventsFetched(type, 1);
        if (duplicate) {
          metrics.eventsDeduplicated(type, 1);
        }
      }

      @Override
      public void pageFetched(String sessionId, int events, int dups) {
        fetched.add(events);
        duplicates.add(dups);
      }

      @Override
      public void delivered(String sessionId, int events, int dead, long newestCreatedAtNanos) {
        delivered.add(events);
        deadLettered.add(dead);
        if (newestCreatedAtNanos > 0) {
          metrics.eventLagNanos(nowNanos() - newestCreatedAtNanos);
        }
      }

      @Override
      public void pollScheduled(String sessionId, long intervalMillis) {
        metrics.pollInterval(Duration.ofMillis(intervalMillis));
      }

      @Override
      public void error(String sessionId, Throwable error) {
        recentErrors.add(sessionId, error.getMessage());
      }
    };
  }

  public long delivered() {
    return delivered.sum();
  }

  public long deadLettered() {
    return deadLettered.sum();
  }

  public long duplicates() {
    return duplicates.sum();
  }

  public long fetched() {
    return fetched.sum();
  }

  /** Events per second since the previous call (at most every half second a new value). */
  public double eventsPerSecond() {
    long now = System.nanoTime();
    long then = rateAt.get();
    if (now - then >= 500_000_000L && rateAt.compareAndSet(then, now)) {
      long total = delivered.sum();
      long before = rateCount.getAndSet(total);
      rate = (total - before) / ((now - then) / 1e9);
    }
    return rate;
  }

  public double lagSeconds(double quantile) {
    return metrics.eventLagPercentileSeconds(quantile);
  }

  @Override
  public StatusSnapshot snapshot() {
    SessionSupervisor s = sessions;
    Map<String, Long> byState = new LinkedHashMap<>();
    List<StatusSnapshot.SessionStat> busiest = List.of();
    List<StatusSnapshot.SessionStat> lagging = List.of();
    if (s != null) {
      s.countByStatus().forEach((k, v) -> byState.put(k.name(), v));
      double uptime = Math.max(1, Duration.between(startedAt, Instant.now()).toMillis() / 1000.0);
      long now = nowNanos();
      List<StatusSnapshot.SessionStat> all = new ArrayList<>();
      for (SessionState st : s.states()) {
        // Never negative: an upstream clock ahead of ours is not a lag (the metric ignores it too).
        double lag = st.newestCreatedAtNanos() > 0 && !st.status().isFinal()
            ? Math.max(0, (now - st.newestCreatedAtNanos()) / 1e9) : 0;
        all.add(new StatusSnapshot.SessionStat(st.sessionId(), st.delivered(), st.delivered() / uptime, lag,
            st.status().name()));
      }
      busiest = all.stream().sorted(Comparator.comparingLong(StatusSnapshot.SessionStat::eventsDelivered).reversed())
          .limit(TOP).toList();
      lagging = all.stream().filter(x -> x.lagSeconds() > 0)
          .sorted(Comparator.comparingDouble(StatusSnapshot.SessionStat::lagSeconds).reversed()).limit(TOP).toList();
    }
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("eventsFetched", fetched.sum());
    extra.put("duplicatesDropped", duplicates.sum());
    extra.put("deadLettered", deadLettered.sum());
    extra.put("sessionsPolled", s == null ? 0 : s.polled());
    extra.putAll(cluster.get());
    extra.putAll(signals.get());
    return new StatusSnapshot(startedAt, connectorName, delivered.sum(), eventsPerSecond(), byState,
        lagSeconds(0.5), lagSeconds(0.99), busiest, lagging, recentErrors.newestFirst(), extra);
  }

  private static long nowNanos() {
    Instant i = Instant.now();
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }
}

package com.qoder.kafka.runtime;

import com.qoder.kafka.ops.ConnectorMetrics;
import com.qoder.kafka.ops.Freshness;
import com.qoder.kafka.ops.Trend;
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
import java.util.concurrent.ConcurrentSkipListMap;
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
  private volatile Trend trend;
  private volatile Supplier<List<StatusSnapshot.InstanceView>> clusterView = List::of;
  private final Map<String, Supplier<List<Map<String, Object>>>> sections = new ConcurrentSkipListMap<>();
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

  /** Keeps the status page's trend (one sample per {@code trend.interval()}; see {@link #sample()}). */
  void attachTrend(Trend trend) {
    this.trend = trend;
  }

  /** The cluster view: every instance of the group with its partitions, sessions and health. */
  void attachClusterView(Supplier<List<StatusSnapshot.InstanceView>> view) {
    this.clusterView = view;
  }

  /**
   * Adds a section to the status page and {@code /api/status} ({@code sections.<name>}): rows of plain
   * values (strings, numbers, booleans) shown as a table of their own. The extension point for parts
   * with state worth watching (e.g. signals in progress); {@code rows} is called on each refresh, must
   * be cheap and thread-safe, and must never return secrets. A section with the same name is replaced.
   */
  public void addSection(String name, Supplier<List<Map<String, Object>>> rows) {
    sections.put(name, rows);
  }

  /** Takes the trend's sample now: delivered events, API requests and lag p99 since the last one. */
  void sample(long requestsTotal) {
    Trend t = trend;
    if (t != null) {
      t.record(Instant.now(), delivered.sum(), requestsTotal, lagSeconds(0.99));
    }
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

  /**
   * The followed sessions' freshness (cursor age, oldest undelivered event), over the sessions this
   * instance polls; finished sessions (terminated, gone, released) are not followed and not counted.
   */
  public Freshness freshness() {
    SessionSupervisor s = sessions;
    if (s == null) {
      return Freshness.EMPTY;
    }
    long nowMillis = System.currentTimeMillis();
    long now = nowNanos();
    Freshness.Builder b = new Freshness.Builder();
    for (SessionState st : s.states()) {
      if (st.status().isFinal() || !s.isPolled(st.sessionId())) {
        continue;
      }
      long pending = st.undeliveredSinceNanos();
      b.add(st.sessionId(), (nowMillis - st.currentAtMillis()) / 1000.0,
          pending == 0 ? Double.NaN : (now - pending) / 1e9);
    }
    return b.build();
  }

  private static Map<String, Object> freshnessView(Freshness f) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("sessions", f.cursorAge().sessions());
    m.put("cursorAgeMaxSeconds", f.cursorAge().maxSeconds());
    m.put("stalestCursors", entries(f.cursorAge().top()));
    m.put("sessionsWithUndelivered", f.oldestUndelivered().sessions());
    m.put("oldestUndeliveredSeconds", f.oldestUndelivered().maxSeconds());
    m.put("oldestUndelivered", entries(f.oldestUndelivered().top()));
    return m;
  }

  private static List<Map<String, Object>> entries(List<Freshness.Entry> top) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Freshness.Entry e : top) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("sessionId", e.sessionId());
      m.put("seconds", Math.round(e.seconds() * 10) / 10.0);
      out.add(m);
    }
    return out;
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
    extra.put("freshness", freshnessView(freshness()));
    extra.putAll(cluster.get());
    Trend t = trend;
    StatusSnapshot.TrendView trendView = t == null ? null : new StatusSnapshot.TrendView(t.interval(), t.samples());
    Map<String, List<Map<String, Object>>> rows = new LinkedHashMap<>();
    sections.forEach((name, supplier) -> {
      try {
        List<Map<String, Object>> r = supplier.get();
        rows.put(name, r == null ? List.of() : r);
      } catch (RuntimeException e) {
        log.debug("status section {} failed", name, e);
      }
    });
    List<StatusSnapshot.InstanceView> instances;
    try {
      instances = clusterView.get();
    } catch (RuntimeException e) {
      log.debug("cluster view failed", e);
      instances = List.of();
    }
    extra.putAll(signals.get());
    return new StatusSnapshot(startedAt, connectorName, delivered.sum(), eventsPerSecond(), byState,
        lagSeconds(0.5), lagSeconds(0.99), busiest, lagging, recentErrors.newestFirst(), extra)
        .with(trendView, instances, rows);
  }

  private static long nowNanos() {
    Instant i = Instant.now();
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }
}

package com.qoder.kafka.ops;

import static com.qoder.kafka.ops.ConnectorMetrics.CURSOR_AGE_MAX;
import static com.qoder.kafka.ops.ConnectorMetrics.CURSOR_AGE_SESSIONS;
import static com.qoder.kafka.ops.ConnectorMetrics.CURSOR_AGE_TOP;
import static com.qoder.kafka.ops.ConnectorMetrics.SESSIONS;
import static com.qoder.kafka.ops.ConnectorMetrics.UNDELIVERED_MAX;
import static com.qoder.kafka.ops.ConnectorMetrics.UNDELIVERED_SESSIONS;
import static com.qoder.kafka.ops.ConnectorMetrics.UNDELIVERED_TOP;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The gauges of {@link ConnectorMetrics} over the sessions an instance follows: how many are in each
 * state, and how fresh they are (cursor age, oldest undelivered event), all read at scrape time and
 * bounded in series whatever the number of sessions. Thread-safe.
 */
final class SessionGauges {

  /** A freshness summary is computed at most this often, however many gauges read it. */
  private static final long FRESHNESS_CACHE_NANOS = 1_000_000_000L;

  private final MeterRegistry registry;
  private final MeterGuard guard;

  SessionGauges(MeterRegistry registry, MeterGuard guard) {
    this.registry = registry;
    this.guard = guard;
  }

  void bindSessionsByState(Collection<String> states, ToDoubleFunction<String> countOf) {
    try {
      Objects.requireNonNull(countOf, "countOf");
      for (String state : states) {
        String s = BoundedTagValues.normalize(state);
        Gauge.builder(SESSIONS, () -> guard.safe(() -> countOf.applyAsDouble(s)))
            .description("Sessions owned by this instance, by state")
            .tag("state", s)
            .strongReference(true)
            .register(registry);
      }
    } catch (Throwable t) {
      guard.swallow(t);
    }
  }

  void bindFreshness(Supplier<Freshness> summary) {
    try {
      Objects.requireNonNull(summary, "summary");
      FreshnessCache cache = new FreshnessCache(summary);
      bindDistribution(cache, true, CURSOR_AGE_SESSIONS, CURSOR_AGE_MAX, CURSOR_AGE_TOP,
          "Sessions whose cursor was last known current at most le seconds ago",
          "Oldest cursor age among the followed sessions: time since the API last said has_more=false",
          "Cursor age of the rank-th stalest session");
      bindDistribution(cache, false, UNDELIVERED_SESSIONS, UNDELIVERED_MAX, UNDELIVERED_TOP,
          "Sessions whose oldest event read and not yet acknowledged by Kafka is at most le seconds old",
          "Age (created_at to now) of the oldest event read from the API and not yet acknowledged by Kafka",
          "Oldest undelivered event age of the rank-th session");
    } catch (Throwable t) {
      guard.swallow(t);
    }
  }

  private void bindDistribution(FreshnessCache cache, boolean cursor, String buckets, String max, String top,
      String bucketsDoc, String maxDoc, String topDoc) {
    Function<Freshness, Freshness.Distribution> pick =
        cursor ? Freshness::cursorAge : Freshness::oldestUndelivered;
    for (int i = 0; i <= Freshness.BUCKETS.size(); i++) {
      int index = i;
      String le = i == Freshness.BUCKETS.size() ? "+Inf" : Double.toString(Freshness.BUCKETS.get(i));
      Gauge.builder(buckets, () -> guard.safe(() -> pick.apply(cache.get()).atMost(index)))
          .description(bucketsDoc)
          .tag("le", le)
          .strongReference(true)
          .register(registry);
    }
    Gauge.builder(max, () -> guard.safe(() -> pick.apply(cache.get()).maxSeconds()))
        .description(maxDoc)
        .baseUnit("seconds")
        .strongReference(true)
        .register(registry);
    for (int rank = 1; rank <= Freshness.TOP; rank++) {
      int r = rank;
      Gauge.builder(top, () -> guard.safe(() -> pick.apply(cache.get()).topSeconds(r)))
          .description(topDoc)
          .tag("rank", Integer.toString(rank))
          .baseUnit("seconds")
          .strongReference(true)
          .register(registry);
    }
  }

  /** The latest summary, recomputed when older than a second: one pass over the sessions per scrape. */
  private static final class FreshnessCache {
    private final Supplier<Freshness> source;
    private volatile Freshness value;
    private volatile long at;

    FreshnessCache(Supplier<Freshness> source) {
      this.source = source;
    }

    Freshness get() {
      long now = System.nanoTime();
      Freshness v = value;
      if (v == null || now - at > FRESHNESS_CACHE_NANOS) {
        synchronized (this) {
          if (value == null || System.nanoTime() - at > FRESHNESS_CACHE_NANOS) {
            Freshness computed = source.get();
            value = computed == null ? Freshness.EMPTY : computed;
            at = System.nanoTime();
          }
          v = value;
        }
      }
      return v;
    }
  }
}

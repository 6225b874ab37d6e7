package com.qoder.kafka.ops;

import static com.qoder.kafka.ops.ConnectorMetrics.EVENTS_DEAD_LETTERED;
import static com.qoder.kafka.ops.ConnectorMetrics.EVENTS_DEDUPLICATED;
import static com.qoder.kafka.ops.ConnectorMetrics.EVENTS_FETCHED;
import static com.qoder.kafka.ops.ConnectorMetrics.EVENTS_PRODUCED;
import static com.qoder.kafka.ops.ConnectorMetrics.EVENT_LAG;
import static com.qoder.kafka.ops.ConnectorMetrics.LAG_BUCKETS;
import static com.qoder.kafka.ops.ConnectorMetrics.MAX_SMALL_TAG_VALUES;
import static com.qoder.kafka.ops.ConnectorMetrics.SOURCE_RECORDS;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The meters of {@link ConnectorMetrics} that count records: events fetched, produced, deduplicated
 * and dead-lettered by type, the event lag distribution, and the change sources' records. Every
 * method swallows its failures through {@link MeterGuard}. Thread-safe.
 */
final class EventMeters {

  private final MeterGuard guard;
  private final BoundedTagValues<Counter> fetched;
  private final BoundedTagValues<Counter> produced;
  private final BoundedTagValues<Counter> deduplicated;
  private final BoundedTagValues<BoundedTagValues<Counter>> deadLettered;
  private final Timer eventLag;
  private final BoundedTagValues<BoundedTagValues<Counter>> sourceRecords;

  EventMeters(MeterRegistry registry, int maxEventTypes, MeterGuard guard) {
    this.guard = guard;
    fetched = typeCounters(registry, EVENTS_FETCHED, "Events received from the Qoder API", maxEventTypes);
    produced =
        typeCounters(registry, EVENTS_PRODUCED, "Events acknowledged by Kafka (delivered)", maxEventTypes);
    deduplicated =
        typeCounters(
            registry, EVENTS_DEDUPLICATED, "Events dropped because already delivered", maxEventTypes);
    deadLettered =
        new BoundedTagValues<>(
            maxEventTypes,
            type ->
                new BoundedTagValues<>(
                    MAX_SMALL_TAG_VALUES,
                    reason ->
                        Counter.builder(EVENTS_DEAD_LETTERED)
                            .description("Events written to the dead-letter topic, by reason")
                            .tag("type", type)
                            .tag("reason", reason)
                            .register(registry)));
    eventLag =
        Timer.builder(EVENT_LAG)
            .description(
                "Delay between an event's created_at and its acknowledgement by Kafka, all"
                    + " sessions in one distribution")
            .serviceLevelObjectives(LAG_BUCKETS)
            // Kept in-process for the status page; the Prometheus registry does not export them.
            .publishPercentiles(0.5, 0.99)
            .register(registry);
    sourceRecords =
        new BoundedTagValues<>(
            MAX_SMALL_TAG_VALUES,
            source ->
                new BoundedTagValues<>(
                    MAX_SMALL_TAG_VALUES,
                    change ->
                        Counter.builder(SOURCE_RECORDS)
                            .description(
                                "Records delivered from the resources, files and sessions"
                                    + " sources, by change type")
                            .tag("source", source)
                            .tag("change", change)
                            .register(registry)));
  }

  void fetched(String type, long count) {
    increment(fetched, type, count);
  }

  void produced(String type, long count) {
    increment(produced, type, count);
  }

  void deduplicated(String type, long count) {
    increment(deduplicated, type, count);
  }

  void deadLettered(String type, String reason) {
    try {
      deadLettered.get(type).get(reason).increment();
    } catch (Throwable t) {
      guard.swallow(t);
    }
  }

  void lag(Duration lag) {
    try {
      if (lag != null && !lag.isNegative()) {
        eventLag.record(lag);
      }
    } catch (Throwable t) {
      guard.swallow(t);
    }
  }

  void lagNanos(long lagNanos) {
    try {
      if (lagNanos >= 0) {
        eventLag.record(lagNanos, TimeUnit.NANOSECONDS);
      }
    } catch (Throwable t) {
      guard.swallow(t);
    }
  }

  double lagPercentileSeconds(double quantile) {
    try {
      for (ValueAtPercentile v : eventLag.takeSnapshot().percentileValues()) {
        if (Math.abs(v.percentile() - quantile) < 1e-9) {
          return eventLag.count() == 0 ? Double.NaN : v.value(TimeUnit.SECONDS);
        }
      }
    } catch (Throwable t) {
      guard.swallow(t);
    }
    return Double.NaN;
  }

  void sourceRecords(String source, String change, long count) {
    try {
      if (count > 0) {
        sourceRecords.get(source).get(change).increment(count);
      }
    } catch (Throwable t) {
      guard.swallow(t);
    }
  }

  private void increment(BoundedTagValues<Counter> counters, String type, long count) {
    try {
      if (count > 0) {
        counters.get(type).increment(count);
      }
    } catch (Throwable t) {
      guard.swallow(t);
    }
  }

  private static BoundedTagValues<Counter> typeCounters(MeterRegistry registry, String name, String description,
      int max) {
    return new BoundedTagValues<>(
        max,
        type -> Counter.builder(name).description(description).tag("type", type).register(registry));
  }
}

package com.qoder.kafka.ops;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A cache of meters keyed by one tag value taken from an open set (event type, endpoint, reason).
 *
 * <p>Why: a Prometheus series is created for every distinct tag value, and the upstream API may
 * invent new event types at any time (or a bug may put ids into a tag). The first {@code
 * maxValues} distinct values get their own meter; every later value shares the meter of {@link
 * ConnectorMetrics#OTHER}, so the number of series stays bounded whatever the input.
 *
 * <p>Thread-safe. The hot path is one {@link ConcurrentHashMap#get}; a meter is created (and
 * registered) only the first time a value is seen.
 */
final class BoundedTagValues<M> {

  /** Longest tag value kept; longer values are cut so a runaway string cannot bloat a scrape. */
  static final int MAX_VALUE_LENGTH = 100;

  private final int maxValues;
  private final Function<String, M> factory;
  private final ConcurrentHashMap<String, M> meters = new ConcurrentHashMap<>();
  private final AtomicInteger distinct = new AtomicInteger();
  private volatile M other;

  BoundedTagValues(int maxValues, Function<String, M> factory) {
    if (maxValues < 1) {
      throw new IllegalArgumentException("maxValues must be at least 1, was " + maxValues);
    }
    this.maxValues = maxValues;
    this.factory = factory;
  }

  /** The meter for {@code rawValue}; null and blank map to {@link ConnectorMetrics#UNKNOWN}. */
  M get(String rawValue) {
    M meter = rawValue == null ? null : meters.get(rawValue);
    if (meter != null) {
      return meter;
    }
    return slowGet(rawValue);
  }

  private M slowGet(String rawValue) {
    String value = normalize(rawValue);
    M meter = meters.get(value);
    if (meter != null) {
      // Cache the raw spelling too, but only while it does not count against the bound.
      return meter;
    }
    if (distinct.get() >= maxValues) {
      return other();
    }
    return meters.computeIfAbsent(
        value,
        v -> {
          if (distinct.incrementAndGet() > maxValues) {
            distinct.decrementAndGet();
            return other();
          }
          return factory.apply(v);
        });
  }

  private M other() {
    M o = other;
    if (o == null) {
      synchronized (this) {
        o = other;
        if (o == null) {
          o = factory.apply(ConnectorMetrics.OTHER);
          other = o;
        }
      }
    }
    return o;
  }

  /** Number of distinct values that have their own meter (excluding "other"). */
  int distinctValues() {
    return distinct.get();
  }

  static String normalize(String value) {
    if (value == null) {
      return ConnectorMetrics.UNKNOWN;
    }
    String v = value.strip();
    if (v.isEmpty()) {
      return ConnectorMetrics.UNKNOWN;
    }
    return v.length() > MAX_VALUE_LENGTH ? v.substring(0, MAX_VALUE_LENGTH) : v;
  }
}

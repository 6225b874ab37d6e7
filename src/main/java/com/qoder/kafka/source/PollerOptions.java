package com.qoder.kafka.source;

import java.time.Duration;

/**
 * How a session is polled.
 *
 * @param pageSize events per request (1–100, document 003)
 * @param minInterval interval after a page with new events
 * @param maxInterval the longest interval a quiet session reaches by doubling
 * @param startLatest for never-seen sessions, skip events created before the session was first seen
 * @param windowCapacity de-dup window per session
 * @param maxFetchedBytes heap of pages fetched and not yet acknowledged, all sessions together
 *     ({@code kafka.max-in-flight-bytes}); {@link Long#MAX_VALUE}: unbounded
 */
public record PollerOptions(int pageSize, Duration minInterval, Duration maxInterval, boolean startLatest,
    int windowCapacity, long maxFetchedBytes) {

  /** Without a bound on fetched pages (tests that drive a few sessions). */
  public PollerOptions(int pageSize, Duration minInterval, Duration maxInterval, boolean startLatest,
      int windowCapacity) {
    this(pageSize, minInterval, maxInterval, startLatest, windowCapacity, Long.MAX_VALUE);
  }

  public PollerOptions {
    if (pageSize < 1 || pageSize > 100) {
      throw new IllegalArgumentException("pageSize must be 1–100: " + pageSize);
    }
    if (minInterval.isNegative() || minInterval.isZero() || minInterval.compareTo(maxInterval) > 0) {
      throw new IllegalArgumentException("need 0 < minInterval <= maxInterval");
    }
    if (windowCapacity < 1) {
      throw new IllegalArgumentException("windowCapacity must be positive");
    }
    if (maxFetchedBytes < 1) {
      throw new IllegalArgumentException("maxFetchedBytes must be positive");
    }
  }
}

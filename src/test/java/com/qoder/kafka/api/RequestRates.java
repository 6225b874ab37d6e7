package com.qoder.kafka.api;

import java.util.List;

/** Request-rate figures of the politeness tests and the reliability rows, from arrival times. */
public final class RequestRates {

  private RequestRates() {}

  /**
   * The most requests within any window [t, t + 1 s) that starts at a request: windows start at
   * each arrival, so no fixed second boundary can split a burst in two.
   *
   * @param sortedNanos arrival times in nanoseconds, ascending
   */
  public static long maxPerSecond(List<Long> sortedNanos) {
    long max = 0;
    int from = 0;
    for (int to = 0; to < sortedNanos.size(); to++) {
      while (sortedNanos.get(to) - sortedNanos.get(from) >= 1_000_000_000L) {
        from++;
      }
      max = Math.max(max, to - from + 1);
    }
    return max;
  }
}

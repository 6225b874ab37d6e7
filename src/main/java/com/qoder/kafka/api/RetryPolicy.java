package com.qoder.kafka.api;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * How long to wait before the next attempt: jittered exponential backoff, and for a 429 the
 * server's {@code Retry-After}, up to {@code retryAfterMax}.
 *
 * <p>Backoff for retry {@code n} (0-based) is drawn uniformly from {@code [b/2, b]} with {@code b =
 * min(backoffMax, backoffMin * 2^n)}, never below {@code backoffMin} ("equal jitter": spreads
 * clients that failed together while keeping a floor).
 */
final class RetryPolicy {

  private final int maxRetries;
  private final long minNanos;
  private final long maxNanos;
  private final DoubleSupplier random;
  private final long retryAfterMaxMillis;

  RetryPolicy(int maxRetries, Duration backoffMin, Duration backoffMax, Duration retryAfterMax, DoubleSupplier random) {
    this.maxRetries = maxRetries;
    this.retryAfterMaxMillis = retryAfterMax.toMillis();
    this.minNanos = backoffMin.toNanos();
    this.maxNanos = backoffMax.toNanos();
    this.random = random;
  }

  /** Whether retry number {@code retriesSoFar + 1} may happen for {@code e}. */
  boolean shouldRetry(QoderApiException e, long retriesSoFar) {
    return e.isRetryable() && retriesSoFar < maxRetries;
  }

  /** The wait before retry number {@code retriesSoFar + 1}. */
  Duration delay(QoderApiException e, long retriesSoFar) {
    if (e instanceof QoderApiException.RateLimited rl && rl.retryAfterMillis() >= 0) {
      // The server said when: wait that long (it is a floor, not a hint) — up to the cap, so a
      // server (or a proxy) asking for a day cannot silence the connector for a day.
      return Duration.ofMillis(Math.min(rl.retryAfterMillis(), retryAfterMaxMillis));
    }
    return Duration.ofNanos(backoffNanos(retriesSoFar));
  }

  long backoffNanos(long retriesSoFar) {
    int shift = (int) Math.min(retriesSoFar, 40);
    long ceiling = minNanos > (maxNanos >> shift) ? maxNanos : Math.min(maxNanos, minNanos << shift);
    long half = ceiling / 2;
    long jittered = half + (long) (random.getAsDouble() * (ceiling - half));
    return Math.max(minNanos, Math.min(maxNanos, jittered));
  }

  /** Whether the server asked for a longer wait than {@link #delay} gives (the cap applied). */
  boolean capped(QoderApiException e) {
    return e instanceof QoderApiException.RateLimited rl && rl.retryAfterMillis() > retryAfterMaxMillis;
  }

  int maxRetries() {
    return maxRetries;
  }
}

package com.qoder.kafka.api;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The global request budget: a token bucket that holds one second of requests, implemented as a
 * generic cell rate algorithm (GCRA) so that it is one {@link AtomicLong} and never blocks.
 *
 * <p>{@link #reserve()} takes one token and returns how long the caller must wait before sending;
 * the caller waits on a timer ({@code Mono.delay}), never on a thread. A token reserved by a
 * caller that is cancelled while waiting is not given back: the budget errs on the polite side.
 *
 * <p>Thread-safe.
 */
final class RateBudget {

  private final long intervalNanos;
  private final long burstToleranceNanos;
  private final LongSupplier nanoClock;
  /** Theoretical arrival time of the next request, in {@link #nanoClock} nanoseconds. */
  private final AtomicLong nextFree;

  RateBudget(double requestsPerSecond, LongSupplier nanoClock) {
    if (!(requestsPerSecond > 0)) {
      throw new IllegalArgumentException("requestsPerSecond must be > 0, was " + requestsPerSecond);
    }
    this.intervalNanos = Math.max(1L, Math.round(1_000_000_000d / requestsPerSecond));
    // Bucket capacity: one second's worth of requests, at least one.
    long burst = Math.max(1L, (long) Math.floor(requestsPerSecond));
    this.burstToleranceNanos = (burst - 1) * intervalNanos;
    this.nanoClock = nanoClock;
    this.nextFree = new AtomicLong(nanoClock.getAsLong());
  }

  /** Takes one token; returns the nanoseconds to wait before using it (0: send now). */
  long reserve() {
    while (true) {
      long now = nanoClock.getAsLong();
      long tat = nextFree.get();
      long start = Math.max(tat, now);
      if (nextFree.compareAndSet(tat, start + intervalNanos)) {
        return Math.max(0L, start - burstToleranceNanos - now);
      }
    }
  }

  /**
   * Holds every request back for {@code pauseNanos} from now, e.g. after a 429 with Retry-After:
   * the server limits the token, not one request. After the pause requests resume one interval
   * apart (no burst).
   */
  void pauseFor(long pauseNanos) {
    if (pauseNanos <= 0) {
      return;
    }
    long target = nanoClock.getAsLong() + pauseNanos + burstToleranceNanos;
    nextFree.accumulateAndGet(target, Math::max);
  }
}

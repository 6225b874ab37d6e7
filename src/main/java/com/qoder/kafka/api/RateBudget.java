package com.qoder.kafka.api;

import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * The global request budget: at most {@code n = max(1, floor(rate))} requests in any window of one
 * second (of {@code n / rate} seconds when the rate is below one per second), whichever second one
 * looks at. A token bucket holding one second of requests does not give that: a full bucket plus one
 * second of refill lets twice the rate through in one second, which is what a server counting
 * requests per second sees.
 *
 * <p>It is a sliding log: the times of the last {@code n} requests in a ring. A request may go when
 * the one {@code n} places before it is one window old. {@link #tryAcquire()} takes a place only
 * when the request can go now; otherwise it says how long to wait, and the caller waits on a timer
 * ({@code Mono.delay}), never on a thread, and asks again.
 *
 * <p>A place counts from when its request <em>ended</em> (answered, failed or cancelled: {@link
 * #finished}), not from when it was taken, and until then it holds back the request {@code n}
 * places later. The server sees a request somewhere between the two, and how long after it took its
 * place varies a lot: the first requests of a process wait hundreds of milliseconds for Netty and
 * new connections, a request may queue behind a slow connection. Counted from the place-taking,
 * late requests would reach the server in the same second as the next second's; counted from the
 * end, any {@code n + 1} requests the server sees are at least one window apart, whatever the
 * delays. The price is that the rate is {@code n} per window plus a request's latency.
 *
 *  * <p>Thread-safe: one short lock per attempt; the ring holds {@code n} longs (80 KB at the largest
 * budget of 10,000/s).
 */
final class RateBudget {

  /** A little more than a second: the server's clock and ours need not tick alike. */
  static final long GUARD_MILLIS = 5;
  private static final long EMPTY = Long.MIN_VALUE;

  private final long windowNanos;
  private final long spacingNanos;
  private final LongSupplier nanoClock;
  /**
   * A request that took its place this long ago and never reported its end (a bug: every request
   * ends within its connect and response timeouts) frees its place, so the budget cannot shrink.
   */
  static final long PENDING_MAX_NANOS = 120_000_000_000L;
  private final long[] ring; // end times (place-taking times while pending), oldest at head; guarded by this
  private final long[] pending; // the ticket of the request still to report its end, or -1; guarded by this
  private int head;
  private long tickets;

  RateBudget(double requestsPerSecond, LongSupplier nanoClock) {
    if (!(requestsPerSecond > 0)) {
      throw new IllegalArgumentException("requestsPerSecond must be > 0, was " + requestsPerSecond);
    }
    int n = (int) Math.max(1, Math.min(Integer.MAX_VALUE - 8, Math.floor(requestsPerSecond)));
    long window = Math.max(1_000_000_000L, Math.round(n * 1_000_000_000d / requestsPerSecond));
    this.windowNanos = window + GUARD_MILLIS * 1_000_000L;
    this.spacingNanos = Math.max(1, windowNanos / n);
    this.nanoClock = nanoClock;
    this.ring = new long[n];
    Arrays.fill(ring, EMPTY);
    this.pending = new long[n];
    Arrays.fill(pending, -1);
  }

  /**
   * Takes a place for a request that goes now and returns its ticket (zero or more), to give to
   * {@link #finished} when the request has ended; or takes none and returns minus the nanoseconds after
   * which a place may be free (another caller may take it first: ask again).
   */
  synchronized long tryAcquire() {
    long now = nanoClock.getAsLong();
    long oldest = ring[head];
    if (pending[head] >= 0) {
      if (now - oldest < PENDING_MAX_NANOS) {
        // That request has not ended yet: this one may go a window after it does.
        return -Math.min(spacingNanos, 50_000_000L);
      }
      pending[head] = -1; // never reported (a bug, or cancelled in between): counted as gone when it took its place
    }
    if (oldest != EMPTY && now - oldest < windowNanos) {
      return -(oldest + windowNanos - now);
    }
    long ticket = tickets++;
    ring[head] = now;
    pending[head] = ticket;
    head = head + 1 == ring.length ? 0 : head + 1;
    return ticket;
  }

  /** The request of {@code ticket} has ended (answered, failed or cancelled) now. Idempotent. */
  synchronized void finished(long ticket) {
    int i = (int) (ticket % ring.length);
    if (pending[i] == ticket) {
      pending[i] = -1;
      ring[i] = Math.max(ring[i], nanoClock.getAsLong());
    }
  }

  /**
   * Holds every request back for {@code pauseNanos} from now, e.g. after a 429 with Retry-After
   * (the server limits the token, not one request). After the pause requests resume one
   * {@code window / n} apart, not in a burst of {@code n}: the ring is filled as if the last
   * {@code n} requests had been sent that far apart, the newest at the end of the pause. A shorter
   * pause never shortens a longer one.
   */
  synchronized void pauseFor(long pauseNanos) {
    if (pauseNanos <= 0) {
      return;
    }
    long end = nanoClock.getAsLong() + pauseNanos;
    int n = ring.length;
    for (int j = 0; j < n; j++) { // j = 0 is the oldest place, the next one to be taken
      int i = (head + j) % n;
      long at = end - windowNanos + (long) (j + 1) * spacingNanos;
      if (ring[i] == EMPTY || ring[i] < at) {
        ring[i] = at;
      }
    }
  }

  /** The window in which at most the budget's number of requests go (for messages and tests). */
  long windowNanos() {
    return windowNanos;
  }
}

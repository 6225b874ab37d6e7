package com.qoder.kafka.ops;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * A per-second rate over a sliding window of whole seconds (default ten), for the status page's
 * "events per second" figures, overall or per session.
 *
 * <p>A ring of one counter per second: {@link #record(long)} adds to the current second's
 * counter, {@link #perSecond()} averages the completed seconds of the window, so the figure does
 * not jump with the phase of the current second. Until a window's worth of seconds has passed it
 * averages over the seconds seen so far.
 *
 * <p>Thread-safe; {@link #record} is an array add on the common path and takes a lock only when
 * its slot rolls over to a new second. Memory: two longs per second of window.
 */
public final class SlidingRate {

  /** Default window length. */
  public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(10);

  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final int seconds;
  private final AtomicLongArray counts;
  private final AtomicLongArray epochs; // which absolute second each slot currently counts
  private final LongSupplier nanoClock;
  private final long startSecond;

  public SlidingRate() {
    this(DEFAULT_WINDOW, System::nanoTime);
  }

  /**
   * @param window whole seconds, 1 s … 1 h
   * @param nanoClock monotonic nanoseconds ({@code System::nanoTime}; a fake one in tests)
   */
  public SlidingRate(Duration window, LongSupplier nanoClock) {
    Objects.requireNonNull(window, "window");
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    long s = window.getSeconds();
    if (s < 1 || s > 3600 || window.getNano() != 0) {
      throw new IllegalArgumentException("window must be whole seconds between 1 s and 1 h, was " + window);
    }
    this.seconds = (int) s;
    this.counts = new AtomicLongArray(seconds);
    this.epochs = new AtomicLongArray(seconds);
    this.startSecond = second();
    for (int i = 0; i < seconds; i++) {
      epochs.set(i, Long.MIN_VALUE);
    }
  }

  /** Adds {@code n} occurrences now; non-positive values are ignored. Never throws. */
  public void record(long n) {
    if (n <= 0) {
      return;
    }
    long now = second();
    int slot = slot(now);
    if (epochs.get(slot) != now) {
      synchronized (this) {
        if (epochs.get(slot) != now) {
          counts.set(slot, 0);
          epochs.set(slot, now);
        }
      }
    }
    counts.addAndGet(slot, n);
  }

  /** Average occurrences per second over the completed seconds of the window. */
  public double perSecond() {
    long now = second();
    long completed = Math.min(seconds - 1, now - startSecond);
    if (completed <= 0) {
      return 0.0;
    }
    long sum = 0;
    for (long s = now - completed; s < now; s++) {
      int slot = slot(s);
      if (epochs.get(slot) == s) {
        sum += counts.get(slot);
      }
    }
    return (double) sum / completed;
  }

  private long second() {
    return Math.floorDiv(nanoClock.getAsLong(), NANOS_PER_SECOND);
  }

  private int slot(long second) {
    return (int) Math.floorMod(second, (long) seconds);
  }
}

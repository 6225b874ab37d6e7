package com.qoder.kafka.ops;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The last minutes of throughput, lag and request rate, for the status page's small charts: a
 * bounded ring of samples, one per {@link #interval()}, rates computed from cumulative counters
 * between two samples (so a chart shows averages over each interval, not values that jump with the
 * moment of a refresh).
 *
 * <p>Memory is fixed: {@link #capacity()} samples of four numbers. Thread-safe.
 */
public final class Trend {

  /** How far back the status page looks. */
  public static final Duration WINDOW = Duration.ofMinutes(15);

  /** One point: averages over the interval that ended {@code at}; NaN when not known. */
  public record Sample(Instant at, double eventsPerSecond, double lagP99Seconds, double requestsPerSecond) {
    public Sample {
      Objects.requireNonNull(at, "at");
    }
  }

  private final Duration interval;
  private final int capacity;
  private final ArrayDeque<Sample> samples;
  private Instant lastAt;
  private long lastDelivered = -1;
  private long lastRequests = -1;

  /**
   * @param interval time between samples, 1 s … 5 min; the ring keeps {@link #WINDOW} of them
   */
  public Trend(Duration interval) {
    Objects.requireNonNull(interval, "interval");
    if (interval.compareTo(Duration.ofSeconds(1)) < 0 || interval.compareTo(Duration.ofMinutes(5)) > 0) {
      throw new IllegalArgumentException("the status sample interval must be 1 s … 5 min, was " + interval);
    }
    this.interval = interval;
    this.capacity = (int) Math.max(2, Math.min(900, WINDOW.toMillis() / interval.toMillis()));
    this.samples = new ArrayDeque<>(capacity);
  }

  public Duration interval() {
    return interval;
  }

  public int capacity() {
    return capacity;
  }

  /**
   * Records a sample from cumulative counts at {@code at}; the first call only sets the baseline of
   * the rates (its sample has NaN rates). A counter that went down (a restart of its source) restarts
   * the baseline too.
   */
  public synchronized void record(Instant at, long deliveredTotal, long requestsTotal, double lagP99Seconds) {
    double eps = Double.NaN;
    double rps = Double.NaN;
    if (lastAt != null) {
      double seconds = Duration.between(lastAt, at).toNanos() / 1e9;
      if (seconds > 0) {
        if (lastDelivered >= 0 && deliveredTotal >= lastDelivered) {
          eps = (deliveredTotal - lastDelivered) / seconds;
        }
        if (lastRequests >= 0 && requestsTotal >= lastRequests) {
          rps = (requestsTotal - lastRequests) / seconds;
        }
      }
    }
    lastAt = at;
    lastDelivered = deliveredTotal;
    lastRequests = requestsTotal;
    if (samples.size() == capacity) {
      samples.removeFirst();
    }
    samples.addLast(new Sample(at, eps, lagP99Seconds, rps));
  }

  /** The samples, oldest first. */
  public synchronized List<Sample> samples() {
    return new ArrayList<>(samples);
  }
}

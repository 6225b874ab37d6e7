package com.qoder.kafka.ops;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;

/**
 * How fresh the sessions of one instance are, summarised over all of them in a bounded shape: a
 * cumulative count of sessions per age bucket, the maximum, and the N stalest — whatever the number
 * of sessions, so the metrics built from it never have one series per session.
 *
 * <p>Two ages per session:
 * <ul>
 *   <li><b>cursor age</b>: time since the connector last knew the session's cursor to be current
 *       (its last page said {@code has_more=false}); a session the connector cannot read (429s,
 *       errors, a long backlog) grows old, a quiet one polled on schedule stays below the poll
 *       interval;
 *   <li><b>oldest undelivered</b>: age ({@code created_at} to now) of the oldest event read from
 *       the API and not yet acknowledged by Kafka; sessions with nothing pending do not count.
 * </ul>
 *
 * <p>Built once per scrape or status refresh by {@link Builder} in O(sessions · log N); immutable.
 */
public final class Freshness {

  /** Upper bounds (seconds) of the age buckets; a last, unbounded bucket counts every session. */
  public static final List<Double> BUCKETS =
      List.of(1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0, 21600.0, 86400.0);

  /** How many of the stalest sessions are kept. */
  public static final int TOP = 5;

  /** An empty summary (no session). */
  public static final Freshness EMPTY = new Builder().build();

  /** One session's age. */
  public record Entry(String sessionId, double seconds) {
    public Entry {
      Objects.requireNonNull(sessionId, "sessionId");
    }
  }

  /** The distribution of one age over the sessions. */
  public record Distribution(long sessions, List<Long> cumulative, double maxSeconds, List<Entry> top) {
    public Distribution {
      cumulative = List.copyOf(cumulative);
      top = List.copyOf(top);
    }

    /** Sessions with an age of at most {@code BUCKETS.get(i)} ({@code i == BUCKETS.size()}: all). */
    public long atMost(int i) {
      return cumulative.get(i);
    }

    /** The age of the {@code rank}-th stalest session (1-based), 0 when there are fewer sessions. */
    public double topSeconds(int rank) {
      return rank >= 1 && rank <= top.size() ? top.get(rank - 1).seconds() : 0;
    }
  }

  private final Distribution cursorAge;
  private final Distribution undelivered;

  private Freshness(Distribution cursorAge, Distribution undelivered) {
    this.cursorAge = cursorAge;
    this.undelivered = undelivered;
  }

  public Distribution cursorAge() {
    return cursorAge;
  }

  public Distribution oldestUndelivered() {
    return undelivered;
  }

  /** Collects the sessions' ages; not thread-safe (one per summary). */
  public static final class Builder {
    private final Acc cursor = new Acc();
    private final Acc pending = new Acc();

    /**
     * Adds one followed session.
     *
     * @param cursorAgeSeconds its cursor age (negative values count as 0)
     * @param undeliveredAgeSeconds age of its oldest undelivered event, or NaN when none
     */
    public Builder add(String sessionId, double cursorAgeSeconds, double undeliveredAgeSeconds) {
      cursor.add(sessionId, Math.max(0, cursorAgeSeconds));
      if (!Double.isNaN(undeliveredAgeSeconds)) {
        pending.add(sessionId, Math.max(0, undeliveredAgeSeconds));
      }
      return this;
    }

    public Freshness build() {
      return new Freshness(cursor.build(), pending.build());
    }
  }

  private static final class Acc {
    final long[] counts = new long[BUCKETS.size() + 1];
    long n;
    double max;
    // Min-heap of the TOP largest: its head is the smallest of them, replaced by a larger one.
    final PriorityQueue<Entry> top = new PriorityQueue<>(Comparator.comparingDouble(Entry::seconds));

    void add(String id, double seconds) {
      n++;
      max = Math.max(max, seconds);
      int i = 0;
      while (i < BUCKETS.size() && seconds > BUCKETS.get(i)) {
        i++;
      }
      counts[i]++;
      if (top.size() < TOP) {
        top.add(new Entry(id, seconds));
      } else if (seconds > top.peek().seconds()) {
        top.poll();
        top.add(new Entry(id, seconds));
      }
    }

    Distribution build() {
      List<Long> cumulative = new ArrayList<>(counts.length);
      long sum = 0;
      for (long c : counts) {
        sum += c;
        cumulative.add(sum);
      }
      List<Entry> stalest = new ArrayList<>(top);
      stalest.sort(Comparator.comparingDouble(Entry::seconds).reversed());
      return new Distribution(n, cumulative, max, stalest);
    }
  }
}

package com.qoder.kafka.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.qoder.kafka.api.SessionEvent;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Bounds the heap held by pages fetched and not yet acknowledged, across all sessions
 * ({@code kafka.max-in-flight-bytes}). A poller reserves an estimate of its page <em>before</em> the
 * request; when the page arrives the reservation becomes the page's actual size, and it is given
 * back when the page's step ends (acknowledged and its offset written, or failed). During a broker
 * outage the sessions that hold pages keep their reservations and the others wait here, one queue
 * node each, instead of each parking a fetched page on the heap.
 *
 * <p>The estimate is the page size times the average event size seen so far (2 KiB to begin with).
 * A page larger than its estimate goes over the limit by the difference; only the pages being
 * requested at that moment can do so (the step gate bounds them). A reservation larger than the
 * whole limit is granted when nothing else is reserved, so one large page cannot deadlock.
 *
 * <p>Thread-safe and non-blocking; grants run outside the lock, one thread at a time, in a loop
 * (a grant whose step ends synchronously gives back its place without recursion).
 */
final class PageBudget {

  /** No bound: pollers reserve nothing (tests that drive a few sessions). */
  static final PageBudget UNBOUNDED = new PageBudget(Long.MAX_VALUE);
  static final long INITIAL_EVENT_BYTES = 2048;

  private final long limit;
  private final ArrayDeque<Waiter> waiting = new ArrayDeque<>(); // guarded by this
  private long reserved; // guarded by this
  private long maxReserved; // guarded by this
  private volatile long averageEventBytes = INITIAL_EVENT_BYTES;
  private final ConcurrentLinkedQueue<Runnable> grants = new ConcurrentLinkedQueue<>();
  private final AtomicInteger wip = new AtomicInteger();

  PageBudget(long limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive: " + limit);
    }
    this.limit = limit;
  }

  boolean unbounded() {
    return limit == Long.MAX_VALUE;
  }

  /** A place in the queue; {@link #withdraw} takes it out before it is granted. */
  static final class Waiter {
    final long bytes;
    final Consumer<Reservation> granted;

    Waiter(long bytes, Consumer<Reservation> granted) {
      this.bytes = bytes;
      this.granted = granted;
    }
  }

  /** Bytes held by one page, from its reservation to the end of its step; {@link #release} once. */
  final class Reservation {
    private long bytes; // guarded by PageBudget.this

    private Reservation(long bytes) {
      this.bytes = bytes;
    }

    /** The page arrived: it holds what it actually holds (more or less than its estimate). */
    void resize(List<SessionEvent> events) {
      long actual = 0;
      for (SessionEvent e : events) {
        actual += heapBytes(e);
      }
      if (!events.isEmpty()) {
        long avg = actual / events.size();
        averageEventBytes = Math.max(256, (averageEventBytes * 7 + avg) / 8);
      }
      List<Runnable> run;
      synchronized (PageBudget.this) {
        reserved += actual - bytes;
        bytes = actual;
        maxReserved = Math.max(maxReserved, reserved);
        run = grantWhatFits();
      }
      schedule(run);
    }

    void release() {
      List<Runnable> run;
      synchronized (PageBudget.this) {
        if (bytes < 0) {
          return; // released already
        }
        reserved -= bytes;
        bytes = -1;
        run = grantWhatFits();
      }
      schedule(run);
    }
  }

  /**
   * A place for the estimate of a page of {@code events} events, not yet queued: {@link #enqueue} it;
   * {@code granted} runs with the reservation when it fits (at once, or on the thread that makes room).
   */
  Waiter waiter(int events, Consumer<Reservation> granted) {
    return new Waiter(Math.max(1, events * averageEventBytes), granted);
  }

  /** Queues {@code w}; its callback may run before this returns, on this thread. */
  void enqueue(Waiter w) {
    List<Runnable> run;
    synchronized (this) {
      waiting.addLast(w);
      run = grantWhatFits();
    }
    schedule(run);
  }

  /** Takes a waiter out of the queue; false when it was granted already. */
  synchronized boolean withdraw(Waiter w) {
    for (Iterator<Waiter> it = waiting.iterator(); it.hasNext(); ) {
      if (it.next() == w) {
        it.remove();
        return true;
      }
    }
    return false;
  }

  private List<Runnable> grantWhatFits() {
    List<Runnable> run = null;
    while (!waiting.isEmpty()) {
      Waiter head = waiting.peekFirst();
      if (reserved > 0 && reserved + head.bytes > limit) {
        break; // FIFO: nothing overtakes the head
      }
      waiting.pollFirst();
      reserved += head.bytes;
      maxReserved = Math.max(maxReserved, reserved);
      Reservation r = new Reservation(head.bytes);
      if (run == null) {
        run = new java.util.ArrayList<>(2);
      }
      run.add(() -> head.granted.accept(r));
    }
    return run;
  }

  private void schedule(List<Runnable> run) {
    if (run != null) {
      grants.addAll(run);
    }
    if (wip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      Runnable g;
      while ((g = grants.poll()) != null) {
        g.run();
      }
      missed = wip.addAndGet(-missed);
    } while (missed != 0);
  }

  synchronized long reserved() {
    return reserved;
  }

  synchronized long maxReserved() {
    return maxReserved;
  }

  synchronized int waiting() {
    return waiting.size();
  }

  long limit() {
    return limit;
  }

  /**
   * What a parsed event holds on the heap, roughly: its JSON tree (nodes, field entries, strings)
   * plus room for the record made from it while it waits for Kafka. An estimate, deliberately on
   * the high side; cheap next to parsing.
   */
  static long heapBytes(SessionEvent e) {
    return 64 + 2 * nodeBytes(e.json());
  }

  private static long nodeBytes(JsonNode n) {
    if (n.isTextual()) {
      return 56 + n.textValue().length();
    }
    if (n.isContainerNode()) {
      long b = 56;
      if (n.isObject()) {
        for (var it = n.fields(); it.hasNext(); ) {
          var f = it.next();
          b += 48 + nodeBytes(f.getValue());
        }
      } else {
        for (JsonNode c : n) {
          b += 8 + nodeBytes(c);
        }
      }
      return b;
    }
    return 24;
  }
}

package com.qoder.kafka.api;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * A non-blocking semaphore bounding the requests in flight.
 *
 * <p>{@link #acquire()} completes at once when a permit is free, otherwise when one is released
 * (first come, first served). Every permit is released exactly once: {@link Permit#release()} is
 * idempotent, and a waiter cancelled at the moment a permit is handed to it gives the permit
 * back. Thread-safe; the lock only guards a counter and a queue, no callback runs under it.
 */
final class ConcurrencyLimit {

  private static final int WAITING = 0;
  private static final int GRANTED = 1;
  private static final int CANCELLED = 2;

  private final int max;
  private final Object lock = new Object();
  private int inUse; // guarded by lock
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>(); // guarded by lock

  ConcurrencyLimit(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be >= 1, was " + max);
    }
    this.max = max;
  }

  /** A permit, released once through {@link #release()}. */
  final class Permit {
    private final AtomicBoolean released = new AtomicBoolean();

    void release() {
      if (released.compareAndSet(false, true)) {
        handOff();
      }
    }
  }

  private final class Waiter {
    final MonoSink<Permit> sink;
    final Permit permit = new Permit();
    final AtomicInteger state = new AtomicInteger(WAITING);

    Waiter(MonoSink<Permit> sink) {
      this.sink = sink;
    }

    /** Called with a permit already counted in {@code inUse} for this waiter. */
    void grant() {
      if (state.compareAndSet(WAITING, GRANTED)) {
        sink.success(permit);
      } else {
        permit.release(); // cancelled meanwhile: pass the permit on
      }
    }

    void cancel() {
      if (state.compareAndSet(WAITING, CANCELLED)) {
        synchronized (lock) {
          waiters.remove(this);
        }
      } else if (state.get() == GRANTED) {
        // Granted but cancelled before delivery (MonoSink drops the value): give it back.
        permit.release();
      }
    }
  }

  Mono<Permit> acquire() {
    return Mono.create(sink -> {
      Waiter w = new Waiter(sink);
      sink.onCancel(w::cancel);
      boolean grantNow;
      synchronized (lock) {
        if (w.state.get() != WAITING) {
          return;
        }
        grantNow = inUse < max;
        if (grantNow) {
          inUse++;
        } else {
          waiters.addLast(w);
        }
      }
      if (grantNow) {
        w.grant();
      }
    });
  }

  private void handOff() {
    while (true) {
      Waiter next;
      synchronized (lock) {
        next = waiters.pollFirst();
        if (next == null) {
          inUse--;
          return;
        }
      }
      // The permit moves to the next waiter; inUse is unchanged.
      if (next.state.compareAndSet(WAITING, GRANTED)) {
        next.sink.success(next.permit);
        return;
      }
    }
  }

  /** Permits currently held (for tests and gauges). */
  int inUse() {
    synchronized (lock) {
      return inUse;
    }
  }

  /** Callers waiting for a permit (for tests and gauges). */
  int waiting() {
    synchronized (lock) {
      return waiters.size();
    }
  }
}

package com.qoder.kafka.source;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;

/**
 * The waits between the steps of every poller of a supervisor: one binary heap of deadlines in three
 * parallel arrays, and one task on the scheduler for the earliest of them.
 *
 * <p>Why not a scheduler task per wait: with thousands of sessions waiting, each task is about 130
 * bytes (Reactor's wrapper, the executor's future, the poller's own handle), more than anything
 * else a quiet session keeps; an entry here is 16 bytes.
 *
 * <p>A wait is never cancelled: whoever ends it early (a stop, a release) moves the sleeper's token
 * on, and the entry, when due, finds the token changed and does nothing. A wake-up never comes
 * before its deadline — politeness (the minimum interval between requests) depends on that.
 *
 * <p>Thread-safety: {@link #schedule} from any thread; sleepers are woken on the scheduler's
 * threads, outside the lock.
 */
final class StepTimer {

  /** Woken by the timer with the token it was scheduled with. */
  interface Sleeper {
    void wake(int token);
  }

  private final Scheduler scheduler;
  private final LongSupplier nanoClock;
  private long[] deadlines = new long[16];
  private Sleeper[] sleepers = new Sleeper[16];
  private int[] tokens = new int[16];
  private int size;
  /** Deadline of the scheduled task ({@link Long#MAX_VALUE}: none). */
  private long armedFor = Long.MAX_VALUE;
  private Disposable armed;

  StepTimer(Scheduler scheduler, LongSupplier nanoClock) {
    this.scheduler = scheduler;
    this.nanoClock = nanoClock;
  }

  /** The timer's clock, in nanoseconds (the scheduler's: a virtual one in tests). */
  long nanoTime() {
    return nanoClock.getAsLong();
  }

  /** Calls {@code sleeper.wake(token)} on a scheduler thread no sooner than {@code delayNanos} from now. */
  void schedule(Sleeper sleeper, int token, long delayNanos) {
    long deadline = nanoClock.getAsLong() + Math.max(0, delayNanos);
    synchronized (this) {
      push(deadline, sleeper, token);
      if (deadline < armedFor) {
        arm(deadline);
      }
    }
  }

  /** Waits not yet due, stale ones included (tests, diagnostics). */
  synchronized int size() {
    return size;
  }

  private void fire() {
    Sleeper[] dueSleepers;
    int[] dueTokens;
    int n = 0;
    synchronized (this) {
      armed = null;
      armedFor = Long.MAX_VALUE;
      long now = nanoClock.getAsLong();
      dueSleepers = new Sleeper[Math.min(size, 64)];
      dueTokens = new int[dueSleepers.length];
      while (size > 0 && deadlines[0] <= now) {
        if (n == dueSleepers.length) {
          dueSleepers = Arrays.copyOf(dueSleepers, n * 2);
          dueTokens = Arrays.copyOf(dueTokens, n * 2);
        }
        dueSleepers[n] = sleepers[0];
        dueTokens[n] = tokens[0];
        n++;
        popRoot();
      }
      if (size > 0) {
        arm(deadlines[0]);
      }
    }
    for (int i = 0; i < n; i++) {
      try {
        dueSleepers[i].wake(dueTokens[i]);
      } catch (RuntimeException e) {
        // A sleeper's bug must not strand the others of this batch.
        Thread t = Thread.currentThread();
        t.getUncaughtExceptionHandler().uncaughtException(t, e);
      }
    }
  }

  /** Holding the lock. */
  private void arm(long deadline) {
    Disposable previous = armed;
    if (previous != null) {
      previous.dispose();
    }
    armedFor = deadline;
    armed = scheduler.schedule(this::fire, Math.max(0, deadline - nanoClock.getAsLong()), TimeUnit.NANOSECONDS);
  }

  private void push(long deadline, Sleeper sleeper, int token) {
    if (size == deadlines.length) {
      int capacity = size + (size >> 1);
      deadlines = Arrays.copyOf(deadlines, capacity);
      sleepers = Arrays.copyOf(sleepers, capacity);
      tokens = Arrays.copyOf(tokens, capacity);
    }
    int i = size++;
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (deadlines[parent] <= deadline) {
        break;
      }
      move(parent, i);
      i = parent;
    }
    set(i, deadline, sleeper, token);
  }

  private void popRoot() {
    int last = --size;
    long deadline = deadlines[last];
    Sleeper sleeper = sleepers[last];
    int token = tokens[last];
    sleepers[last] = null;
    if (last == 0) {
      return;
    }
    int i = 0;
    while (true) {
      int child = 2 * i + 1;
      if (child >= last) {
        break;
      }
      if (child + 1 < last && deadlines[child + 1] < deadlines[child]) {
        child++;
      }
      if (deadline <= deadlines[child]) {
        break;
      }
      move(child, i);
      i = child;
    }
    set(i, deadline, sleeper, token);
  }

  private void move(int from, int to) {
    set(to, deadlines[from], sleepers[from], tokens[from]);
  }

  private void set(int i, long deadline, Sleeper sleeper, int token) {
    deadlines[i] = deadline;
    sleepers[i] = sleeper;
    tokens[i] = token;
  }
}

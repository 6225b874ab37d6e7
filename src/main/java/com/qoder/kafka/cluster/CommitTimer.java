package com.qoder.kafka.cluster;

import com.qoder.kafka.cluster.TransactionCycle.Outcome;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;

/**
 * When the member thread commits (exactly-once): every commit interval, at once before a rebalance
 * and when partitions are revoked, and also while a rebalance callback waits for pollers to stop —
 * so no transaction stays open longer than the commit interval plus one commit, and every commit
 * reads {@code groupMetadata()} on the thread where it is current. At-least-once ({@link
 * #atLeastOnce}) there is nothing to commit and the waits only wait.
 *
 * <p>Member thread only, except {@link #joining}, which the assignor sets.
 */
final class CommitTimer {

  private final TransactionCycle cycle;
  private final Duration commitInterval;
  private final Duration transactionTimeout;
  private final PartitionPositions positions;
  private final Supplier<ConsumerGroupMetadata> groupMetadata;
  private final BooleanSupplier failed;
  private final Consumer<Throwable> fatal;
  private final Consumer<Outcome> onFailure;
  /** Set when this member sends a JoinGroup (see RebalanceAwareAssignor), cleared when assigned. */
  private volatile boolean joining;
  private boolean inCallback;

  /**
   * @param cycle the transactions; null at-least-once (nothing to commit)
   * @param onFailure told of an aborted or fatal outcome (member thread)
   */
  CommitTimer(TransactionCycle cycle, Duration commitInterval, Duration transactionTimeout,
      PartitionPositions positions, Supplier<ConsumerGroupMetadata> groupMetadata, BooleanSupplier failed,
      Consumer<Throwable> fatal, Consumer<Outcome> onFailure) {
    this.cycle = cycle;
    this.commitInterval = commitInterval;
    this.transactionTimeout = transactionTimeout;
    this.positions = positions;
    this.groupMetadata = groupMetadata;
    this.failed = failed;
    this.fatal = fatal;
    this.onFailure = onFailure;
  }

  static CommitTimer atLeastOnce() {
    return new CommitTimer(null, Duration.ofMillis(100), Duration.ZERO, null, null, () -> false, t -> { }, o -> { });
  }

  boolean exactlyOnce() {
    return cycle != null;
  }

  /** A JoinGroup is on its way (true) or the rebalance completed (false): groupMetadata() is about to change. */
  void joining(boolean joining) {
    this.joining = joining;
  }

  /**
   * The member is about to (re)join its group (member thread, inside poll()): the last moment a
   * commit is accepted before the generation moves on, so an idle transaction is committed now.
   * One with pages in flight is not waited for: that would block poll() — up to {@link
   * #idleTimeout}, then abort — and a member that does not send its JoinGroup in time is dropped
   * from the group. Its pages stay in the open transaction, committed after the assignment (or in
   * the revocation callback, for partitions that move).
   */
  void beforeJoin() {
    joining = true;
    if (cycle != null && !failed.getAsBoolean()) {
      Outcome o = cycle.commitIfIdle(positions::groupOffsets, groupMetadata, idleTimeout());
      if (o != null) {
        handle(o);
        beginNext();
      }
    }
  }

  /** Inside a rebalance callback: commits are not held there (the callback must finish its hand-over). */
  void inCallback(boolean inCallback) {
    this.inCallback = inCallback;
  }

  /** How long a commit waits for its pages to be acknowledged before it aborts. */
  Duration idleTimeout() {
    return transactionTimeout.multipliedBy(3).dividedBy(4);
  }

  /** Commits when the open transaction has held pages for the commit interval. */
  void commitIfDue() {
    if (cycle == null || failed.getAsBoolean() || !cycle.due(commitInterval)) {
      return;
    }
    // Mid-rebalance (joined, not yet assigned) the metadata is about to change: the commit would be
    // refused. Hold it, unless the transaction would come close to its timeout.
    if (joining && !inCallback && cycle.openAgeNanos() < transactionTimeout.toNanos() / 2) {
      return;
    }
    commitNow(true);
  }

  /** Commits the open transaction now (exactly-once; at-least-once does nothing). */
  void commitNow(boolean openNext) {
    if (cycle == null) {
      return;
    }
    handle(cycle.commit(positions::groupOffsets, groupMetadata, idleTimeout()));
    if (openNext) {
      beginNext();
    }
  }

  /** The member lost partitions: its open transaction would be refused, so it is aborted, and the next opened. */
  void abortOpen(Throwable cause) {
    if (cycle == null) {
      return;
    }
    handle(cycle.abortOpen(cause, idleTimeout()));
    beginNext();
  }

  /** Whether a transaction is open (the next page has one to go in). */
  boolean isOpen() {
    return cycle != null && cycle.isOpen();
  }

  void beginNext() {
    if (cycle == null || failed.getAsBoolean() || cycle.isOpen()) {
      return; // failed, or still open because there was nothing to commit
    }
    try {
      cycle.begin();
    } catch (RuntimeException e) {
      fatal.accept(e);
    }
  }

  private void handle(Outcome outcome) {
    if (outcome instanceof Outcome.Committed c) {
      positions.committed(c.written());
    } else if (!(outcome instanceof Outcome.Idle)) {
      onFailure.accept(outcome);
    }
  }

  /**
   * Waits for {@code f} on the member thread inside a rebalance callback, committing the open
   * transaction when due meanwhile (the member's group metadata is current there).
   *
   * @return false when {@code f} did not complete within {@code timeout}
   */
  boolean await(CompletableFuture<?> f, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long slice = cycle != null ? Math.max(10, commitInterval.toMillis()) : 100;
    while (!f.isDone()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      commitIfDue();
      try {
        f.get(Math.min(slice, TimeUnit.NANOSECONDS.toMillis(left) + 1), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        // keep waiting
      } catch (ExecutionException e) {
        return true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return f.isDone();
      }
    }
    return true;
  }

  /** {@link #await}s {@code f}'s value; fails (cancelling it) when it did not come within {@code timeout}. */
  <T> T awaitValue(CompletableFuture<T> f, Duration timeout, String what) {
    if (!await(f, timeout)) {
      f.cancel(true);
      throw new IllegalStateException(what + " did not finish within " + timeout);
    }
    try {
      return f.get();
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      throw c instanceof RuntimeException r ? r : new IllegalStateException(what + " failed: " + c, c);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(what + " interrupted", e);
    }
  }

  long committedCount() {
    return cycle == null ? 0 : cycle.committedCount();
  }

  long abortedCount() {
    return cycle == null ? 0 : cycle.abortedCount();
  }
}

package com.qoder.kafka.kafka;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;

/**
 * A FIFO, non-blocking admission gate bounding the records and bytes handed to the producer and
 * not yet acknowledged.
 *
 * <p>{@link #acquire} never blocks: requests that do not fit wait in a queue and are granted, in
 * arrival order, by later {@link #release} calls. Strict FIFO matters twice: records keep the
 * order in which callers submitted them (so per-key order survives admission), and a large record
 * cannot be starved by a stream of small ones. A request larger than the whole byte limit is
 * granted when nothing else is in flight, so one oversized record cannot deadlock the sink; thus
 * the bytes in flight never exceed {@code max(maxBytes, largest single request)}.
 *
 * <p>One exception to arrival order: requests marked <em>ahead</em> (offset records) wait in their
 * own FIFO queue that is served first. They are small and each follows an acknowledged page, so
 * they cannot starve the others; queued behind megabytes of other sessions' pages, they would leave
 * the stored progress far behind what Kafka holds, and a crash would deliver all of that again.
 *
 * <p>Grants are delivered to the {@code onGrant} consumer while the lock is held, which keeps
 * their order equal to the queue order; the consumer must only hand the items over (enqueue them
 * on the send thread), never block or call back into this class from another thread.
 *
 * <p>Thread-safety: all methods may be called from any thread.
 */
final class InFlightLimiter<T> {

  private final int maxRecords;
  private final long maxBytes;
  private final ToLongFunction<T> sizeOf;
  private final Consumer<List<T>> onGrant;
  private final ArrayDeque<T> waiting = new ArrayDeque<>();
  private final ArrayDeque<T> ahead = new ArrayDeque<>();
  private int records;
  private long bytes;
  private long maxObservedBytes;
  private int maxObservedRecords;
  private boolean closed;

  InFlightLimiter(int maxRecords, long maxBytes, ToLongFunction<T> sizeOf, Consumer<List<T>> onGrant) {
    if (maxRecords < 1 || maxBytes < 1) {
      throw new IllegalArgumentException("limits must be positive: records=" + maxRecords + ", bytes=" + maxBytes);
    }
    this.maxRecords = maxRecords;
    this.maxBytes = maxBytes;
    this.sizeOf = sizeOf;
    this.onGrant = onGrant;
  }

  /**
   * Queues {@code items} (in list order, contiguous) behind earlier requests and grants what fits
   * now. Returns false, granting nothing, once {@link #close()} was called.
   */
  synchronized boolean acquire(List<T> items) {
    return acquire(items, false);
  }

  /**
   * {@link #acquire(List)}; with {@code aheadOfOthers}, the items queue only behind earlier such
   * items and are granted before anything else that waits.
   */
  synchronized boolean acquire(List<T> items, boolean aheadOfOthers) {
    if (closed) {
      return false;
    }
    (aheadOfOthers ? ahead : waiting).addAll(items);
    grantWhatFits();
    return true;
  }

  /** Returns the capacity of one acknowledged (or failed) item and grants waiting ones that now fit. */
  synchronized void release(long itemBytes) {
    records--;
    bytes -= itemBytes;
    if (records < 0 || bytes < 0) {
      throw new IllegalStateException("released more than was acquired: records=" + records + ", bytes=" + bytes);
    }
    if (!closed) {
      grantWhatFits();
    }
  }

  /** Removes items that were not granted yet; returns those it removed. */
  synchronized List<T> withdraw(Collection<T> items) {
    Set<T> wanted = Collections.newSetFromMap(new IdentityHashMap<>());
    wanted.addAll(items);
    List<T> removed = new ArrayList<>();
    for (ArrayDeque<T> queue : List.of(ahead, waiting)) {
      queue.removeIf(item -> {
        if (wanted.contains(item)) {
          removed.add(item);
          return true;
        }
        return false;
      });
    }
    return removed;
  }

  /** Refuses further requests and returns the ones still waiting (the caller fails them). */
  synchronized List<T> close() {
    closed = true;
    List<T> all = new ArrayList<>(ahead);
    all.addAll(waiting);
    ahead.clear();
    waiting.clear();
    return all;
  }

  private void grantWhatFits() {
    List<T> granted = null;
    while (!ahead.isEmpty() || !waiting.isEmpty()) {
      ArrayDeque<T> queue = ahead.isEmpty() ? waiting : ahead;
      T head = queue.peekFirst();
      long size = sizeOf.applyAsLong(head);
      boolean fits = records + 1 <= maxRecords && bytes + size <= maxBytes;
      if (!fits && records > 0) {
        break; // FIFO: nothing overtakes the head
      }
      queue.pollFirst();
      records++;
      bytes += size;
      maxObservedBytes = Math.max(maxObservedBytes, bytes);
      maxObservedRecords = Math.max(maxObservedRecords, records);
      if (granted == null) {
        granted = new ArrayList<>();
      }
      granted.add(head);
    }
    if (granted != null) {
      onGrant.accept(granted);
    }
  }

  synchronized int inFlightRecords() {
    return records;
  }

  synchronized long inFlightBytes() {
    return bytes;
  }

  synchronized long maxObservedBytes() {
    return maxObservedBytes;
  }

  synchronized int maxObservedRecords() {
    return maxObservedRecords;
  }

  synchronized int waitingRecords() {
    return ahead.size() + waiting.size();
  }
}

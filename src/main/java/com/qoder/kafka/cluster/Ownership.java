package com.qoder.kafka.cluster;

import com.qoder.kafka.offsets.OffsetKey;
import com.qoder.kafka.offsets.OffsetStore;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which sessions this instance may poll and write: those whose offsets partition the group assigned
 * to it, minus sessions held back while their state is being rebuilt (after an aborted transaction,
 * or while a poller that outlived a revocation is still finishing).
 *
 * <p>Thread-safe: read by pollers and discovery on any thread; changed only by the membership thread.
 */
final class Ownership {

  private final int partitions;
  private volatile Set<Integer> owned = Set.of();
  /** Partitions being given up: no new pages, but offsets of pages already delivered still go out. */
  private volatile Set<Integer> draining = Set.of();
  private final Set<String> held = ConcurrentHashMap.newKeySet();
  private final Set<String> reloading = ConcurrentHashMap.newKeySet();

  Ownership(int partitions) {
    this.partitions = partitions;
  }

  int partitionOf(String sessionId) {
    return OffsetStore.partitionForSession(sessionId, partitions);
  }

  /** The session is in an owned partition and not held back: it may be polled and written. */
  boolean owns(String sessionId) {
    return owned.contains(partitionOf(sessionId)) && !held.contains(sessionId);
  }

  /**
   * Whether the session's progress may still be written: owned, or its partition is being handed over
   * cleanly and the page in hand finishes (its events are in Kafka; without its offset the next
   * owner would deliver them again).
   */
  boolean mayWrite(String sessionId) {
    int p = partitionOf(sessionId);
    return (owned.contains(p) || draining.contains(p)) && !held.contains(sessionId);
  }

  /** {@link #owns(String)} for an offset key: by its session, or by its partition when it has none (files). */
  boolean owns(OffsetKey key) {
    String s = key.sessionId();
    return s != null ? owns(s) : owned.contains(OffsetStore.partitionFor(key, partitions));
  }

  /** {@link #mayWrite(String)} for an offset key. */
  boolean mayWrite(OffsetKey key) {
    String s = key.sessionId();
    if (s != null) {
      return mayWrite(s);
    }
    int p = OffsetStore.partitionFor(key, partitions);
    return owned.contains(p) || draining.contains(p);
  }

  boolean ownsPartitionOf(String sessionId) {
    return owned.contains(partitionOf(sessionId));
  }

  Set<Integer> partitions() {
    return owned;
  }

  synchronized void add(Collection<Integer> ps) {
    Set<Integer> next = new TreeSet<>(owned);
    next.addAll(ps);
    owned = Set.copyOf(next);
  }

  synchronized void remove(Collection<Integer> ps) {
    Set<Integer> next = new TreeSet<>(owned);
    next.removeAll(ps);
    owned = Set.copyOf(next);
  }

  /** Starts a clean hand-over: no new pages for these partitions, offsets still written. */
  synchronized void drain(Collection<Integer> ps) {
    remove(ps);
    Set<Integer> next = new TreeSet<>(draining);
    next.addAll(ps);
    draining = Set.copyOf(next);
  }

  /** The hand-over is done: nothing more is written for these partitions. */
  synchronized void drained(Collection<Integer> ps) {
    Set<Integer> next = new TreeSet<>(draining);
    next.removeAll(ps);
    draining = Set.copyOf(next);
  }

  void hold(Collection<String> sessionIds) {
    held.addAll(sessionIds);
  }

  void release(Collection<String> sessionIds) {
    held.removeAll(sessionIds);
  }

  /**
   * Exactly-once: sessions whose lifecycle records were in an aborted transaction; their lifecycle
   * state is being read back, and no lifecycle record of them may be written until it was.
   */
  void reloading(Collection<String> sessionIds) {
    reloading.addAll(sessionIds);
  }

  void reloaded(Collection<String> sessionIds) {
    reloading.removeAll(sessionIds);
  }

  /** {@link #owns(String)}, and the session's lifecycle state is not being read back. */
  boolean ownsLifecycle(String sessionId) {
    return owns(sessionId) && !reloading.contains(sessionId);
  }

  /** {@link #mayWrite(String)}, and the session's lifecycle state is not being read back. */
  boolean mayWriteLifecycle(String sessionId) {
    return mayWrite(sessionId) && !reloading.contains(sessionId);
  }

  boolean isHeld(String sessionId) {
    return held.contains(sessionId);
  }
}

package com.qoder.kafka.cluster;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits until offsets partitions hold no transaction that could still change what a restore reads,
 * and — exactly-once, on an assignment — ends a previous owner's open transaction at once by
 * fencing its producer ({@link ZombieFencer}) instead of waiting for the transaction timeout.
 *
 * <p>Blocks: runs on a restore helper thread, never the member thread (which must keep committing).
 */
final class StableOffsets {

  private static final Logger log = LoggerFactory.getLogger(StableOffsets.class);
  private static final int FENCE_ATTEMPTS = 3;

  /** The offsets of partitions as seen at an isolation level (the broker's ListOffsets). */
  @FunctionalInterface
  interface OffsetLister {
    /** Partition → latest offset: the end offset (read_uncommitted) or last stable offset (read_committed). */
    Map<Integer, Long> latest(Set<Integer> partitionIds, IsolationLevel level)
        throws ExecutionException, TimeoutException, InterruptedException;
  }

  /** The broker's answer (ListOffsets through the admin client). */
  static OffsetLister lister(Admin admin, String topic) {
    return (partitionIds, level) -> {
      Map<TopicPartition, OffsetSpec> spec = new HashMap<>();
      partitionIds.forEach(p -> spec.put(new TopicPartition(topic, p), OffsetSpec.latest()));
      Map<Integer, Long> out = new HashMap<>();
      admin.listOffsets(spec, new ListOffsetsOptions(level)).all().get(30, TimeUnit.SECONDS)
          .forEach((tp, info) -> out.put(tp.partition(), info.offset()));
      return out;
    };
  }

  private final String topic;
  private final OffsetLister lister;
  /** Exactly-once: fences previous owners of open partitions, returns whom it fenced; null at-least-once. */
  private final Function<Set<Integer>, List<String>> fencer;
  private final String transactionalIdPrefix;
  private final Duration transactionTimeout;
  private final Duration timeout;
  private final Duration recheck;
  private final AtomicBoolean fencingWarned = new AtomicBoolean();

  /**
   * @param recheck how often to look again while a transaction is open (there is no wait-for-LSO API)
   */
  StableOffsets(String topic, OffsetLister lister, Function<Set<Integer>, List<String>> fencer,
      String transactionalIdPrefix, Duration transactionTimeout, Duration recheck) {
    this.topic = topic;
    this.lister = lister;
    this.fencer = fencer;
    this.transactionalIdPrefix = transactionalIdPrefix;
    this.transactionTimeout = transactionTimeout;
    this.recheck = recheck;
    // A previous owner's open transaction ends within the transaction timeout (plus the
    // coordinator's abort check, every 10 s by default); waiting longer means it hangs.
    this.timeout = transactionTimeout.multipliedBy(2).plusSeconds(30);
  }

  /** How long {@link #await} waits at most before it declares a hanging transaction. */
  Duration timeout() {
    return timeout;
  }

  /**
   * Blocks until the partitions hold no transaction that could still change what a restore reads:
   * with {@code minimums} null (an assignment), no open transaction at all (last stable offset = end
   * offset: a previous owner's transaction committed or aborted); else the last stable offset reached
   * this member's own committed records. Returns the end offsets.
   *
   * @throws HangingTransactionException when a transaction stays open past any transaction timeout
   */
  Map<Integer, Long> await(Set<Integer> partitionIds, Map<Integer, Long> minimums) {
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean told = false;
    int fenceAttempts = 0;
    long nextFence = System.nanoTime();
    try {
      while (true) {
        Map<Integer, Long> stable = lister.latest(partitionIds, IsolationLevel.READ_COMMITTED);
        Map<Integer, Long> ends = lister.latest(partitionIds, IsolationLevel.READ_UNCOMMITTED);
        Map<Integer, String> open = new TreeMap<>();
        stable.forEach((p, offset) -> {
          long need = minimums == null ? ends.get(p) : minimums.getOrDefault(p, 0L);
          if (offset < need) {
            open.put(p, "stable " + offset + " < " + need);
          }
        });
        if (open.isEmpty()) {
          return ends;
        }
        if (System.nanoTime() > deadline) {
          throw new HangingTransactionException("offsets partitions " + open + " of topic '" + topic
              + "' still hold an open transaction after " + timeout + ", longer than any transaction may"
              + " last; a hanging transaction? Find it with kafka-transactions.sh find-hanging and abort it");
        }
        if (minimums == null && fencer != null && fenceAttempts < FENCE_ATTEMPTS && System.nanoTime() >= nextFence) {
          fenceAttempts++;
          nextFence = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
          if (fencePreviousOwners(open.keySet(), fenceAttempts == FENCE_ATTEMPTS)) {
            continue; // aborted now: look again at once
          }
        }
        if (!told) {
          told = true;
          log.info("waiting for open transactions on offsets partitions {} to finish (a previous owner's or an"
              + " aborted one; at most the transaction timeout {})", open, transactionTimeout);
        }
        TimeUnit.NANOSECONDS.sleep(recheck.toNanos()); // a helper thread polling the broker
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for stable offsets", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot list the offsets of topic '" + topic + "': " + e, e);
    }
  }

  /**
   * Fences the producers of this connector's other instances whose open transaction holds one of
   * the partitions just assigned here. Why this can only hit a dead or dropped owner: the group gives
   * a partition to this member only after its previous owner either
   * <ul>
   *   <li>revoked it (cooperative rebalancing: the owner must run {@code onPartitionsRevoked} and
   *       rejoin before the partition is handed out in the next generation), and {@link HandOver#revoke}
   *       stops the pollers, refuses further writes for the partition and commits before it returns,
   *       so no open transaction of that owner holds the partition any more; or
   *   <li>was removed from the group (session timeout, rebalance timeout, left): dead, or a zombie
   *       whose commit the group coordinator refuses anyway (KIP-447). Its open transaction would
   *       be aborted after the transaction timeout; fencing aborts it now. A zombie that wakes up
   *       finds its producer fenced and stops (exit code 1), as after a pause past the transaction
   *       timeout.
   * </ul>
   * This instance's own transactional id is never fenced (its own open transaction holds none of
   * these partitions: it did not own them). When the admin calls fail (no ACL, an old broker), a
   * WARN is logged once and the takeover waits for the transaction timeout, as without fencing.
   *
   * @return whether a producer was fenced (its transaction is aborted now)
   */
  private boolean fencePreviousOwners(Set<Integer> openPartitions, boolean lastAttempt) {
    long t0 = System.nanoTime();
    try {
      List<String> fenced = fencer.apply(openPartitions);
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      if (!fenced.isEmpty()) {
        log.info("fenced the transactional producer(s) {} of a previous owner in {} ms: their open transaction on"
            + " offsets partitions {} is aborted now instead of after the transaction timeout {}", fenced, ms,
            openPartitions, transactionTimeout);
        return true;
      }
      if (lastAttempt) {
        log.info("offsets partitions {} hold an open transaction of no other instance of this connector that this"
            + " principal can describe (one finishing on its own, or DESCRIBE on the transactional ids '{}*' is"
            + " missing); waiting for it to end", openPartitions, transactionalIdPrefix);
      }
      return false;
    } catch (ZombieFencer.FencingFailedException e) {
      if (fencingWarned.compareAndSet(false, true)) {
        log.warn("cannot fence the previous owner of offsets partitions {} ({}); takeover waits for its open"
            + " transaction to time out (connector.transaction-timeout {} plus the broker's abort check) instead."
            + " Fencing needs WRITE and DESCRIBE on the transactional ids with prefix '{}' (brokers 3.0+); this"
            + " warning is logged once", openPartitions, e.getMessage(), transactionTimeout, transactionalIdPrefix);
      } else {
        log.debug("fencing the previous owner of offsets partitions {} failed: {}", openPartitions, e.getMessage());
      }
      return false;
    }
  }

  /** A transaction that stays open longer than any transaction may: the instance cannot go on safely. */
  static final class HangingTransactionException extends IllegalStateException {
    HangingTransactionException(String message) {
      super(message);
    }
  }
}

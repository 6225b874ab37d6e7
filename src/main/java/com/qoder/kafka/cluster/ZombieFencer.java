package com.qoder.kafka.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.FenceProducersOptions;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TransactionalIdNotFoundException;

/**
 * Ends the open transaction a previous owner left on offsets partitions this instance was just
 * assigned, by fencing that owner's transactional producer (KIP-618 {@code fenceProducers}, as Kafka
 * Connect does for exactly-once source tasks): the coordinator bumps the producer's epoch and aborts
 * its open transaction at once, so the restore need not wait for the transaction timeout.
 *
 * <p>Only transactional ids of this connector's other instances are touched: ids that start with
 * {@code qoder-kafka.<connector name>.} ({@link ClusterOptions#transactionalIdPrefix}), are not this
 * instance's own, and whose ONGOING transaction (KIP-664 {@code listTransactions} /
 * {@code describeTransactions}) holds one of the given partitions of this connector's offsets topic.
 * The partition check also keeps apart connectors whose names share a prefix ({@code a} and
 * {@code a.b}): each writes only its own offsets topic.
 *
 * <p>Blocking; called on a helper thread, never on the membership thread or a Reactor thread.
 */
final class ZombieFencer {

  private final Admin admin;
  private final String offsetsTopic;
  private final String idPrefix;
  private final String ownId;
  private final Duration timeout;

  /**
   * @param idPrefix what every transactional id of this connector's instances starts with
   * @param ownId this instance's transactional id: never fenced
   * @param timeout bound of each admin call
   */
  ZombieFencer(Admin admin, String offsetsTopic, String idPrefix, String ownId, Duration timeout) {
    if (!ownId.startsWith(idPrefix)) {
      throw new IllegalArgumentException("transactional id " + ownId + " does not start with " + idPrefix);
    }
    this.admin = admin;
    this.offsetsTopic = offsetsTopic;
    this.idPrefix = idPrefix;
    this.ownId = ownId;
    this.timeout = timeout;
  }

  /**
   * Fences every other instance of this connector whose open transaction holds one of
   * {@code partitions}; returns when their transactions are aborted.
   *
   * @return the transactional ids fenced; empty when no such transaction was found
   * @throws FencingFailedException when an admin call fails (no ACL, old broker, timeout)
   */
  List<String> fence(Set<Integer> partitions) {
    try {
      Collection<TransactionListing> ongoing = admin.listTransactions(
          new ListTransactionsOptions().filterStates(List.of(TransactionState.ONGOING))
              .timeoutMs((int) timeout.toMillis()))
          .all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      List<String> siblings = new ArrayList<>();
      for (TransactionListing l : ongoing) {
        if (isSibling(l.transactionalId())) {
          siblings.add(l.transactionalId());
        }
      }
      if (siblings.isEmpty()) {
        return List.of();
      }
      Map<String, TransactionDescription> described = new HashMap<>();
      var result = admin.describeTransactions(siblings);
      for (String id : siblings) {
        try {
          described.put(id, result.description(id).get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TransactionalIdNotFoundException)) {
            throw e;
          } // expired since it was listed: nothing open
        }
      }
      List<String> targets = targets(described, offsetsTopic, partitions, idPrefix, ownId);
      if (targets.isEmpty()) {
        return List.of();
      }
      admin.fenceProducers(targets, new FenceProducersOptions().timeoutMs((int) timeout.toMillis()))
          .all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return targets;
    } catch (ExecutionException e) {
      Throwable c = e.getCause() != null ? e.getCause() : e;
      throw new FencingFailedException(c.getClass().getSimpleName() + ": " + c.getMessage(), c);
    } catch (TimeoutException e) {
      throw new FencingFailedException("no answer within " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FencingFailedException("interrupted", e);
    }
  }

  private boolean isSibling(String transactionalId) {
    return transactionalId.startsWith(idPrefix) && transactionalId.length() > idPrefix.length()
        && !transactionalId.equals(ownId);
  }

  /**
   * The transactional ids to fence: another instance of this connector (prefix, not {@code ownId}),
   * an ONGOING transaction, and one of {@code partitions} of {@code offsetsTopic} in it.
   */
  static List<String> targets(Map<String, TransactionDescription> described, String offsetsTopic,
      Set<Integer> partitions, String idPrefix, String ownId) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, TransactionDescription> e : described.entrySet()) {
      String id = e.getKey();
      TransactionDescription d = e.getValue();
      if (!id.startsWith(idPrefix) || id.length() == idPrefix.length() || id.equals(ownId)
          || d.state() != TransactionState.ONGOING) {
        continue;
      }
      for (TopicPartition tp : d.topicPartitions()) {
        if (tp.topic().equals(offsetsTopic) && partitions.contains(tp.partition())) {
          out.add(id);
          break;
        }
      }
    }
    return List.copyOf(new TreeSet<>(out));
  }

  /** An admin call of the fencing failed; the takeover falls back to waiting for the transaction timeout. */
  static final class FencingFailedException extends RuntimeException {
    FencingFailedException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}

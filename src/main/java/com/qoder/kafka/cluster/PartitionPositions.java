package com.qoder.kafka.cluster;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * What the member knows of each offsets partition the group gave it: the offset after its newest
 * committed state record (the floor a resume waits for, and the group offset committed with each
 * transaction), and an epoch bumped whenever the partition is assigned or given up, so a restore
 * that started before can tell that what it read may be old.
 *
 * <p>Member thread only.
 */
final class PartitionPositions {

  private final String topic;
  private final String instanceId;
  private final Set<Integer> assigned = new TreeSet<>();
  private final Map<Integer, Long> positions = new HashMap<>();
  private final Map<Integer, Long> epochs = new HashMap<>();

  PartitionPositions(String topic, String instanceId) {
    this.topic = topic;
    this.instanceId = instanceId;
  }

  /** The partitions assigned or given up: a restore read before is stale. */
  void moved(Collection<Integer> partitionIds) {
    partitionIds.forEach(p -> epochs.merge(p, 1L, Long::sum));
  }

  /** Assigned partitions, with their end offsets when restored. */
  void assigned(Set<Integer> partitionIds, Map<Integer, Long> ends) {
    assigned.addAll(partitionIds);
    positions.putAll(ends);
  }

  /** Given up: no group offset is committed for them any more. */
  void removed(Collection<Integer> partitionIds) {
    assigned.removeAll(partitionIds);
    partitionIds.forEach(positions::remove);
  }

  Set<Integer> assigned() {
    return Collections.unmodifiableSet(assigned);
  }

  /** What a resume of {@code partitionIds} must see committed: this member's own newest state records. */
  Map<Integer, Long> minimums(Set<Integer> partitionIds) {
    Map<Integer, Long> m = new HashMap<>();
    partitionIds.forEach(p -> m.put(p, positions.getOrDefault(p, 0L)));
    return m;
  }

  Map<Integer, Long> epochs(Set<Integer> partitionIds) {
    Map<Integer, Long> m = new HashMap<>();
    partitionIds.forEach(p -> m.put(p, epochs.getOrDefault(p, 0L)));
    return m;
  }

  /** Whether a partition moved since {@code epochsAtStart} were read. */
  boolean movedSince(Map<Integer, Long> epochsAtStart) {
    return epochsAtStart.entrySet().stream().anyMatch(e -> !e.getValue().equals(epochs.getOrDefault(e.getKey(), 0L)));
  }

  /** A transaction committed state records ({@code written}: partition → next offset). */
  void committed(Map<Integer, Long> written) {
    written.forEach((p, next) -> {
      if (assigned.contains(p)) {
        positions.merge(p, next, Math::max);
      }
    });
  }

  /**
   * The group offsets committed with a transaction: every partition this member holds, at the offset
   * after its newest committed state record there. Their only job is fencing (KIP-447): the group
   * coordinator refuses them from a member of an older generation.
   */
  Map<TopicPartition, OffsetAndMetadata> groupOffsets(Map<Integer, Long> written) {
    Map<TopicPartition, OffsetAndMetadata> m = new HashMap<>();
    for (int p : assigned) {
      long at = Math.max(positions.getOrDefault(p, 0L), written.getOrDefault(p, 0L));
      m.put(new TopicPartition(topic, p), new OffsetAndMetadata(at, instanceId));
    }
    return m;
  }
}

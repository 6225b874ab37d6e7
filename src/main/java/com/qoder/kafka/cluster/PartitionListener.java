package com.qoder.kafka.cluster;

import com.qoder.kafka.offsets.OffsetKey;
import com.qoder.kafka.offsets.OffsetRecord;
import java.util.Map;
import java.util.Set;
import reactor.core.publisher.Mono;

/**
 * State kept per offsets partition besides the sessions' events (the change sources): told when
 * partitions arrive, with what is stored for them, and when they leave, so that whoever owns a
 * partition works from the position its previous owner stored — never from what it read at its own
 * start-up or remembered from an earlier ownership.
 *
 * <p>Both methods are called on the member thread, inside the rebalance callbacks.
 */
public interface PartitionListener {

  PartitionListener NONE = new PartitionListener() {
    @Override
    public void assigned(Set<Integer> partitions, Map<OffsetKey, OffsetRecord> stored) {
    }

    @Override
    public Mono<Void> revoking(Set<Integer> partitions) {
      return Mono.empty();
    }
  };

  /** Both listeners, {@code first} told first; revoking completes when both completed. */
  static PartitionListener both(PartitionListener first, PartitionListener second) {
    return new PartitionListener() {
      @Override
      public void assigned(Set<Integer> partitions, Map<OffsetKey, OffsetRecord> stored) {
        first.assigned(partitions, stored);
        second.assigned(partitions, stored);
      }

      @Override
      public void owned(Set<Integer> partitions) {
        first.owned(partitions);
        second.owned(partitions);
      }

      @Override
      public Mono<Void> revoking(Set<Integer> partitions) {
        return Mono.when(first.revoking(partitions), second.revoking(partitions));
      }
    };
  }

  /**
   * {@code partitions} are now this instance's; {@code stored} is every record read from them
   * (all sources). Called before their sessions are polled.
   */
  void assigned(Set<Integer> partitions, Map<OffsetKey, OffsetRecord> stored);

  /**
   * {@code partitions} are owned now: ownership checks pass and their sessions are polled. Work that
   * found nothing of its own before (a round that ran before the assignment) can start at once
   * instead of a whole interval later.
   */
  default void owned(Set<Integer> partitions) {
  }

  /**
   * {@code partitions} are being given up (revoked or lost): stop starting work for them; the Mono
   * completes when nothing more will be written for them (work in progress finished).
   */
  Mono<Void> revoking(Set<Integer> partitions);

  /**
   * Exactly-once: a transaction with lifecycle records of {@code sessionIds} was aborted; {@code
   * stored} is what their partitions hold now (committed). Their state must be taken from it before
   * they are written again (they are held back until this returns). Called on the member thread.
   */
  default void reloaded(Set<String> sessionIds, Map<OffsetKey, OffsetRecord> stored) {
  }
}

package com.qoder.kafka.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Positions and epochs of the offsets partitions a member holds. */
class PartitionPositionsTest {

  private final PartitionPositions positions = new PartitionPositions("offsets", "me");

  private static TopicPartition tp(int p) {
    return new TopicPartition("offsets", p);
  }

  @Test
  void groupOffsetsCoverEveryHeldPartitionAtItsNewestCommittedRecord() {
    positions.assigned(Set.of(0, 1), Map.of(0, 10L, 1, 20L));
    positions.committed(Map.of(0, 14L, 2, 99L)); // 2 is not held: ignored

    assertThat(positions.groupOffsets(Map.of(1, 25L))).isEqualTo(Map.of(
        tp(0), new OffsetAndMetadata(14, "me"),
        tp(1), new OffsetAndMetadata(25, "me")));
    assertThat(positions.minimums(Set.of(0, 2))).isEqualTo(Map.of(0, 14L, 2, 0L));
  }

  @Test
  void aCommitNeverMovesAPositionBack() {
    positions.assigned(Set.of(0), Map.of(0, 10L));
    positions.committed(Map.of(0, 8L));
    assertThat(positions.minimums(Set.of(0))).isEqualTo(Map.of(0, 10L));
  }

  @Test
  void aPartitionGivenUpIsNoLongerCommittedFor() {
    positions.assigned(Set.of(0, 1), Map.of(0, 10L, 1, 20L));
    positions.removed(List.of(0));
    assertThat(positions.assigned()).containsExactly(1);
    assertThat(positions.groupOffsets(Map.of()).keySet()).containsExactly(tp(1));
    assertThat(positions.minimums(Set.of(0))).isEqualTo(Map.of(0, 0L));
  }

  @Test
  void aRestoreStartedBeforeAPartitionMovedIsStale() {
    Map<Integer, Long> before = positions.epochs(Set.of(0, 1));
    assertThat(positions.movedSince(before)).isFalse();
    positions.moved(List.of(1));
    assertThat(positions.movedSince(before)).isTrue();
    assertThat(positions.movedSince(positions.epochs(Set.of(0, 1)))).isFalse();
  }
}

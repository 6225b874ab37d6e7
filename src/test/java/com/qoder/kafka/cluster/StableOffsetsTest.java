package com.qoder.kafka.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.kafka.common.IsolationLevel;
import org.junit.jupiter.api.Test;

/**
 * The wait for stable offsets without a broker: an assignment waits for every open transaction on
 * its partitions (fencing a previous owner's at once in exactly-once mode), a resume only for this
 * member's own committed records, and a broker that cannot answer is an error that names the topic.
 */
class StableOffsetsTest {

  /** A broker's offsets: end offsets fixed, last stable offsets moving as transactions end. */
  private static final class Broker implements StableOffsets.OffsetLister {
    final Map<Integer, Long> end = new HashMap<>();
    final Map<Integer, Long> stable = new HashMap<>();
    final List<IsolationLevel> asked = new CopyOnWriteArrayList<>();
    /** Run after each read of the last stable offsets (to end a transaction after some looks). */
    Runnable afterStableRead = () -> { };

    @Override
    public Map<Integer, Long> latest(Set<Integer> partitionIds, IsolationLevel level) {
      asked.add(level);
      Map<Integer, Long> source = level == IsolationLevel.READ_COMMITTED ? stable : end;
      Map<Integer, Long> out = new HashMap<>();
      partitionIds.forEach(p -> out.put(p, source.get(p)));
      if (level == IsolationLevel.READ_COMMITTED) {
        afterStableRead.run();
      }
      return out;
    }
  }

  private final Broker broker = new Broker();
  private final List<Set<Integer>> fenced = new ArrayList<>();

  private StableOffsets stable(Function<Set<Integer>, List<String>> fencer) {
    return new StableOffsets("offsets", broker, fencer, "qoder-kafka.c.", Duration.ofSeconds(1), Duration.ZERO);
  }

  @Test
  void anAssignmentWithoutOpenTransactionsReturnsTheEndOffsetsAtOnce() {
    broker.end.putAll(Map.of(0, 10L, 1, 20L));
    broker.stable.putAll(Map.of(0, 10L, 1, 20L));

    assertThat(stable(null).await(Set.of(0, 1), null)).isEqualTo(Map.of(0, 10L, 1, 20L));
    assertThat(broker.asked).hasSize(2);
  }

  @Test
  void exactlyOnceAnAssignmentFencesThePreviousOwnerOfAnOpenPartitionAndLooksAgainAtOnce() {
    broker.end.putAll(Map.of(0, 10L, 1, 20L));
    broker.stable.putAll(Map.of(0, 10L, 1, 15L));
    StableOffsets s = stable(partitions -> {
      fenced.add(partitions);
      broker.stable.put(1, 20L); // fencing aborted the zombie's transaction
      return List.of("qoder-kafka.c.dead");
    });

    assertThat(s.await(Set.of(0, 1), null)).isEqualTo(Map.of(0, 10L, 1, 20L));
    assertThat(fenced).containsExactly(Set.of(1));
  }

  @Test
  void atLeastOnceAnAssignmentWaitsForTheOpenTransactionWithoutFencing() {
    broker.end.put(0, 10L);
    broker.stable.put(0, 4L);
    int[] looks = {0};
    broker.afterStableRead = () -> {
      if (++looks[0] == 3) {
        broker.stable.put(0, 10L); // the transaction ended on its own
      }
    };

    assertThat(stable(null).await(Set.of(0), null)).isEqualTo(Map.of(0, 10L));
    assertThat(looks[0]).isEqualTo(4);
  }

  @Test
  void fencingThatFailsFallsBackToWaiting() {
    broker.end.put(0, 10L);
    broker.stable.put(0, 4L);
    broker.afterStableRead = () -> {
      if (!fenced.isEmpty()) {
        broker.stable.put(0, 10L);
      }
    };
    StableOffsets s = stable(partitions -> {
      fenced.add(partitions);
      throw new ZombieFencer.FencingFailedException("no DESCRIBE on the transactional ids", null);
    });

    assertThat(s.await(Set.of(0), null)).isEqualTo(Map.of(0, 10L));
    assertThat(fenced).containsExactly(Set.of(0));
  }

  @Test
  void aResumeWaitsOnlyForThisMembersOwnCommittedRecordsNotForAnotherOpenTransaction() {
    broker.end.put(0, 30L);
    broker.stable.put(0, 12L); // an open transaction from offset 12 on: this member's next one
    StableOffsets s = stable(partitions -> {
      fenced.add(partitions);
      return List.of();
    });

    assertThat(s.await(Set.of(0), Map.of(0, 12L))).isEqualTo(Map.of(0, 30L));
    assertThat(fenced).as("a resume never fences").isEmpty();
  }

  @Test
  void aBrokerThatDoesNotAnswerIsAnErrorNamingTheTopic() {
    StableOffsets s = new StableOffsets("offsets", (ps, level) -> {
      throw new TimeoutException("no answer");
    }, null, "p.", Duration.ofSeconds(1), Duration.ZERO);

    assertThatThrownBy(() -> s.await(Set.of(0), null)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot list the offsets of topic 'offsets'");
  }

  @Test
  void aTransactionOpenLongerThanAnyMayIsDeclaredHanging() {
    assertThat(stable(null).timeout()).as("twice the transaction timeout plus the broker's abort check")
        .isEqualTo(Duration.ofSeconds(32));
  }
}

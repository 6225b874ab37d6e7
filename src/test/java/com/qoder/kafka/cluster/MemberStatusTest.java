package com.qoder.kafka.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.kafka.KafkaClientProperties;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.MemberAssignment;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The membership as the status page shows it. */
class MemberStatusTest {

  private static ClusterOptions options(boolean exactlyOnce) {
    return new ClusterOptions("localhost:9092", KafkaClientProperties.empty(), "qoder-kafka.orders", "pod-1",
        "qoder-kafka.orders.offsets", 12, exactlyOnce, Duration.ofSeconds(9), Duration.ofMillis(100),
        Duration.ofSeconds(10), Duration.ofSeconds(30));
  }

  @Test
  void theSectionNamesTheMemberItsRebalancesAndItsTransactions() {
    MemberStatus status = new MemberStatus();
    status.groupMetadata("m-1", 4);
    List<String> moved = IntStream.range(0, 20).mapToObj(i -> "s" + i).toList();
    status.rebalanced("revoked", Set.of(3), 20, moved);

    Map<String, Object> c = status.section(options(true), List.of(1, 2), 7, new long[] {5, 1});

    assertThat(c).containsEntry("instanceId", "pod-1").containsEntry("memberId", "m-1").containsEntry("generation", 4)
        .containsEntry("delivery", "exactly-once").containsEntry("ownedPartitions", List.of(1, 2))
        .containsEntry("sessionsPolled", 7).containsEntry("rebalances", 1L)
        .containsEntry("transactionsCommitted", 5L).containsEntry("transactionsAborted", 1L);
    @SuppressWarnings("unchecked")
    Map<String, Object> last = (Map<String, Object>) c.get("lastRebalance");
    assertThat(last).containsEntry("change", "revoked").containsEntry("generation", 4)
        .containsEntry("partitions", List.of(3)).containsEntry("sessions", 20);
    assertThat((List<?>) last.get("sessionsSample")).as("a sample, the count is complete").hasSize(MemberStatus.SAMPLE);
  }

  @Test
  void atLeastOnceHasNoTransactionCounts() {
    Map<String, Object> c = new MemberStatus().section(options(false), List.of(), 0, null);
    assertThat(c).containsEntry("delivery", "at-least-once").containsEntry("generation", -1)
        .doesNotContainKeys("transactionsCommitted", "transactionsAborted");
  }

  @Test
  void membersListTheirSortedPartitions() {
    MemberStatus status = new MemberStatus();
    status.members(List.of(new MemberDescription("m-1", "qoder-kafka.orders-pod-1", "/10.0.0.1",
        new MemberAssignment(Set.of(new TopicPartition("t", 5), new TopicPartition("t", 2))))));

    assertThat(status.members()).containsExactly(Map.of("memberId", "m-1", "clientId", "qoder-kafka.orders-pod-1",
        "host", "/10.0.0.1", "partitions", List.of(2, 5)));
  }
}

package com.qoder.kafka.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.cluster.StatusBoard;
import com.qoder.kafka.ops.StatusSnapshot.InstanceView;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterViewTest {

  private static final Instant NOW = Instant.parse("2026-12-03T14:00:00Z");
  private static final String GROUP = "qoder-kafka.c";

  private static Map<String, Object> member(String instance, List<Integer> partitions) {
    return Map.of("memberId", "m-" + instance, "clientId", GROUP + "-" + instance, "host", "/10.0.0.1",
        "partitions", partitions);
  }

  private static StatusBoard.Published published(String instance, Instant at, String health) {
    return new StatusBoard.Published(instance, "host-" + instance, at, List.of(9), 7, 12.5, health, null);
  }

  @Test
  void joinsTheGroupsAssignmentWithWhatEachInstancePublished() {
    List<InstanceView> view = ClusterView.merge("a", GROUP,
        List.of(member("a", List.of(0, 1)), member("b", List.of(2)), member("c", List.of(3))),
        List.of(published("a", NOW, "UP"), published("b", NOW.minusSeconds(60), "UP"),
            published("gone", NOW.minusSeconds(5), "UP")),
        NOW, Duration.ofSeconds(30), true);
    assertThat(view).extracting(InstanceView::instanceId).containsExactly("a", "b", "c", "gone");
    InstanceView a = view.get(0);
    assertThat(a.self()).isTrue();
    assertThat(a.partitions()).as("the group's assignment, not the published one").containsExactly(0, 1);
    assertThat(a.health()).isEqualTo("UP");
    assertThat(a.sessions()).isEqualTo(7);
    assertThat(a.host()).isEqualTo("host-a");
    assertThat(view.get(1).health()).as("silent for 60 s, stale after 30 s").isEqualTo("STALE");
    assertThat(view.get(2).health()).as("a member that published nothing").isEqualTo("UNKNOWN");
    assertThat(view.get(2).partitions()).containsExactly(3);
    assertThat(view.get(3).inGroup()).isFalse();
    assertThat(view.get(3).health()).isEqualTo("LEFT");
  }

  @Test
  void beforeTheFirstDescribeEveryPublishedInstanceCountsAsInTheGroup() {
    List<InstanceView> view = ClusterView.merge("a", GROUP, List.of(),
        List.of(published("a", NOW, "UP"), published("b", NOW, "DOWN")), NOW, Duration.ofSeconds(30), false);
    assertThat(view).extracting(InstanceView::health).containsExactly("UP", "DOWN");
    assertThat(view).allMatch(InstanceView::inGroup);
  }
}

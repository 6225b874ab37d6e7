package com.qoder.kafka.cluster;

import static com.qoder.kafka.kafka.KafkaTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.IntegrationTest;
import com.qoder.kafka.kafka.KafkaTestSupport;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Two instances' boards on one compacted topic of a real broker: each learns of the other within a
 * few intervals, sees its latest figures, and forgets it at once when it stops (tombstone).
 */
@IntegrationTest
class StatusBoardTest {

  @Test
  void instancesSeeEachOtherAndAStoppedOneIsForgotten() {
    String bootstrap = KafkaTestSupport.sharedBroker().bootstrapServers();
    String topic = KafkaTestSupport.uniqueTopic("status");
    KafkaTestSupport.createTopic(bootstrap, topic, 1, Map.of("cleanup.policy", "compact"));
    Map<String, Object> client = Map.of("bootstrap.servers", bootstrap);
    AtomicLong bSessions = new AtomicLong(3);
    Duration every = Duration.ofSeconds(1);
    try (StatusBoard a = StatusBoard.start(client, topic, "a", every, () -> new StatusBoard.Published("a", "host-a",
        Instant.now(), List.of(0, 1), 5, 10.0, "UP", null))) {
      StatusBoard b = StatusBoard.start(client, topic, "b", every, () -> new StatusBoard.Published("b", "host-b",
          Instant.now(), List.of(2), bSessions.get(), Double.NaN, "DOWN", "not yet a member"));
      try {
        await(Duration.ofSeconds(30), () -> "both boards know both instances: " + a.instances() + " / " + b.instances(),
            () -> a.instances().size() == 2 && b.instances().size() == 2);
        StatusBoard.Published seen = a.instances().get(1);
        assertThat(seen.instanceId()).isEqualTo("b");
        assertThat(seen.host()).isEqualTo("host-b");
        assertThat(seen.partitions()).containsExactly(2);
        assertThat(seen.health()).isEqualTo("DOWN");
        assertThat(seen.detail()).isEqualTo("not yet a member");
        assertThat(seen.eventsPerSecond()).isNaN();
        bSessions.set(9);
        await(Duration.ofSeconds(30), "a sees b's newer figures", () -> a.instances().get(1).sessions() == 9);
      } finally {
        b.close();
      }
      await(Duration.ofSeconds(30), () -> "b forgotten after its tombstone: " + a.instances(),
          () -> a.instances().size() == 1 && a.instances().get(0).instanceId().equals("a"));
    }
  }
}

package com.qoder.kafka.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.qoder.kafka.config.ConfigException;
import com.qoder.kafka.config.ConfigLoader;
import com.qoder.kafka.config.ConnectorConfig;
import com.qoder.kafka.kafka.KafkaClientProperties;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;

class ClusterSettingsTest {

  private static ConnectorConfig load(Map<String, String> overrides) {
    return ConfigLoader.load(null, Map.of("QODER_PAT", "t"), overrides);
  }

  @Test
  void groupIdIsDerivedFromTheConnectorName() {
    assertThat(load(Map.of("connector.name", "orders")).groupId()).isEqualTo("qoder-kafka.orders");
  }

  @Test
  void clusterDefaults() {
    ConnectorConfig c = load(Map.of());
    assertThat(c.duration(com.qoder.kafka.config.Settings.CLUSTER_SESSION_TIMEOUT)).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.duration(com.qoder.kafka.config.Settings.COMMIT_INTERVAL)).isEqualTo(Duration.ofMillis(100));
    assertThat(c.duration(com.qoder.kafka.config.Settings.TRANSACTION_TIMEOUT)).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.has(com.qoder.kafka.config.Settings.CLUSTER_INSTANCE_ID)).isFalse();
  }

  @Test
  void transactionTimeoutMustLeaveRoomForCommits() {
    assertThatThrownBy(() -> load(Map.of("connector.commit-interval", "1s", "connector.transaction-timeout", "5s")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("connector.transaction-timeout");
  }

  @Test
  void instanceIdMustBeUsableInATransactionalIdAndAUserAgent() {
    assertThatThrownBy(() -> load(Map.of("cluster.instance-id", "pod 1 (x)")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.instance-id");
    assertThat(load(Map.of("cluster.instance-id", "pod-1.eu_west")).string(
        com.qoder.kafka.config.Settings.CLUSTER_INSTANCE_ID)).isEqualTo("pod-1.eu_west");
  }

  @Test
  void defaultInstanceIdsDifferBetweenStarts() {
    String a = ClusterOptions.defaultInstanceId();
    assertThat(a).matches("[A-Za-z0-9._-]{1,100}");
    assertThat(ClusterOptions.transactionalId("orders", "pod-1")).isEqualTo("qoder-kafka.orders.pod-1");
  }

  @Test
  void membershipConsumerUsesTheClassicProtocolWithCooperativeAssignment() {
    ClusterOptions o = new ClusterOptions("localhost:9092", KafkaClientProperties.empty()
        .with("group.protocol", "consumer").with("group.instance.id", "static"), "qoder-kafka.orders", "pod-1",
        "qoder-kafka.orders.offsets", 12, true, Duration.ofSeconds(9), Duration.ofMillis(100), Duration.ofSeconds(10),
        Duration.ofSeconds(30));
    Map<String, Object> c = o.consumerConfig();
    assertThat(c).containsEntry(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic")
        .containsEntry(ConsumerConfig.GROUP_ID_CONFIG, "qoder-kafka.orders")
        .containsEntry(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 9000)
        .containsEntry(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 3000)
        .containsEntry(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, RebalanceAwareAssignor.class.getName())
        .containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)
        .doesNotContainKey(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    assertThat(new RebalanceAwareAssignor().name()).isEqualTo("cooperative-sticky");
  }

  @Test
  void optionsAreValidatedTogether() {
    assertThatThrownBy(() -> new ClusterOptions("x:1", KafkaClientProperties.empty(), " ", "a b", "t", 0, false,
        Duration.ZERO, Duration.ofMillis(100), Duration.ofSeconds(10), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("groupId").hasMessageContaining("instanceId").hasMessageContaining("offsetsPartitions")
        .hasMessageContaining("sessionTimeout");
  }
}

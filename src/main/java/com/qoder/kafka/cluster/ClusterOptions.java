package com.qoder.kafka.cluster;

import com.qoder.kafka.kafka.KafkaClientProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * How one instance takes part in the connector's consumer group.
 *
 * @param bootstrapServers Kafka bootstrap servers
 * @param clientProperties pass-through client properties (security and the like)
 * @param groupId the group all instances of the connector join ({@code ConnectorConfig.groupId()})
 * @param instanceId this instance's id: client ids, transactional id, logs, status
 * @param offsetsTopic the compacted offsets topic; its partitions are what the group assigns
 * @param offsetsPartitions its partition count; session id → partition as the producer hashes keys
 * @param exactlyOnce whether pages are written in transactions fenced by the group (KIP-447)
 * @param sessionTimeout consumer {@code session.timeout.ms}: how long a silent member keeps its
 *     partitions; the heartbeat interval is a third of it
 * @param commitInterval exactly-once: how often the open transaction is committed
 * @param transactionTimeout exactly-once: the producer's {@code transaction.timeout.ms}
 * @param revocationTimeout how long giving partitions up may wait for their pollers to stop
 */
public record ClusterOptions(
    String bootstrapServers,
    KafkaClientProperties clientProperties,
    String groupId,
    String instanceId,
    String offsetsTopic,
    int offsetsPartitions,
    boolean exactlyOnce,
    Duration sessionTimeout,
    Duration commitInterval,
    Duration transactionTimeout,
    Duration revocationTimeout) {

  /**
   * {@code max.poll.interval.ms}, also the classic protocol's rebalance timeout. The membership
   * thread never blocks for long (restores run beside it), so Kafka's default is plenty.
   */
  static final Duration MAX_POLL_INTERVAL = Duration.ofMinutes(5);

  public ClusterOptions {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(clientProperties, "clientProperties");
    List<String> problems = new ArrayList<>();
    if (groupId == null || groupId.isBlank()) {
      problems.add("groupId must not be blank");
    }
    if (instanceId == null || !instanceId.matches("[A-Za-z0-9._-]{1,100}")) {
      problems.add("instanceId must be 1-100 letters, digits, '.', '_' or '-', was " + instanceId);
    }
    if (offsetsTopic == null || offsetsTopic.isBlank()) {
      problems.add("offsetsTopic must not be blank");
    }
    if (offsetsPartitions < 1) {
      problems.add("offsetsPartitions must be >= 1, was " + offsetsPartitions);
    }
    positive(problems, "sessionTimeout", sessionTimeout);
    positive(problems, "commitInterval", commitInterval);
    positive(problems, "transactionTimeout", transactionTimeout);
    positive(problems, "revocationTimeout", revocationTimeout);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("invalid cluster settings: " + String.join("; ", problems));
    }
  }

  private static void positive(List<String> problems, String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      problems.add(name + " must be positive, was " + d);
    }
  }

  /**
   * The transactional id of an instance: unique per instance, so instances never fence each other's
   * producers; stable across restarts when the instance id is, so a restarted instance aborts the
   * transaction its previous incarnation left open at once instead of after the transaction timeout.
   */
  public static String transactionalId(String connectorName, String instanceId) {
    return "qoder-kafka." + connectorName + "." + instanceId;
  }

  /**
   * What the transactional ids of all instances in this group start with: the group id
   * ({@code qoder-kafka.<connector name>}) and a dot, as {@link #transactionalId} builds them. A new
   * owner fences the producers with this prefix that left a transaction open on its partitions.
   */
  public String transactionalIdPrefix() {
    return groupId + ".";
  }

  /** The membership consumer's configuration: it only joins the group, it never reads records. */
  Map<String, Object> consumerConfig() {
    Map<String, Object> c = new HashMap<>(clientProperties.toClientConfig());
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, groupId + "-" + instanceId);
    // Classic protocol: the consumer protocol (KIP-848) takes the session timeout from the broker's
    // group config (45 s minimum by default); the connector's failover time is a connector setting.
    c.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
    c.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, RebalanceAwareAssignor.class.getName());
    c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) sessionTimeout.toMillis());
    c.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) Math.max(100, sessionTimeout.toMillis() / 3));
    c.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) MAX_POLL_INTERVAL.toMillis());
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    // Dynamic membership: a stopping instance leaves at once, so its sessions move at once.
    c.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    return c;
  }

  /** The admin client's configuration (fencing, stable offsets, the group's description). */
  Map<String, Object> adminConfig() {
    Map<String, Object> c = new HashMap<>(clientProperties.toClientConfig());
    c.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    c.put(AdminClientConfig.CLIENT_ID_CONFIG, groupId + "-" + instanceId + "-admin");
    return c;
  }

  /** {@code <host>-<pid>-<4 hex>}: unique among running instances, new at every start. */
  public static String defaultInstanceId() {
    String host = System.getenv("HOSTNAME");
    if (host == null || host.isBlank()) {
      host = "host";
    }
    host = host.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "-");
    if (host.length() > 60) {
      host = host.substring(0, 60);
    }
    return host + "-" + ProcessHandle.current().pid() + "-"
        + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
  }
}

package com.qoder.kafka.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up checks and creation of the connector's topics, through Kafka's Admin client.
 *
 * <ul>
 *   <li>{@link #ensureOffsetsTopic}: creates the offsets topic if absent (compacted); refuses an
 *       existing one whose {@code cleanup.policy} is not exactly {@code compact} — with
 *       {@code delete}, Kafka would drop the offsets of quiet sessions after {@code retention.ms}
 *       and the connector would re-deliver or skip their history.
 *   <li>{@link #ensureDataTopics}: creates missing data topics when allowed, otherwise fails with
 *       the list of missing topics (the producer must never depend on broker auto-creation).
 *   <li>{@link #checkRecordLimits}: the largest record each existing data topic accepts
 *       ({@code max.message.bytes}), with what to change where that is below the connector's
 *       {@code kafka.max-record-bytes};
 *   <li>{@link #describeGroup}: the members of the connector's consumer group (admin commands
 *       refuse to rewrite offsets while instances run).
 * </ul>
 *
 * <p>Blocking: every method waits for the cluster (bounded by the timeout given at creation). Call
 * at start-up or from the CLI, never on a Reactor or Netty thread. Not for concurrent use.
 */
public final class TopicAdmin implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TopicAdmin.class);
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  private final Admin admin;
  private final String bootstrapServers;
  private final Duration timeout;

  private TopicAdmin(Admin admin, String bootstrapServers, Duration timeout) {
    this.admin = admin;
    this.bootstrapServers = bootstrapServers;
    this.timeout = timeout;
  }

  public static TopicAdmin create(String bootstrapServers, KafkaClientProperties clientProperties) {
    return create(bootstrapServers, clientProperties, DEFAULT_TIMEOUT);
  }

  public static TopicAdmin create(String bootstrapServers, KafkaClientProperties clientProperties, Duration timeout) {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(timeout, "timeout");
    Map<String, Object> config = new HashMap<>(clientProperties.toClientConfig());
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "qoder-kafka-connector-admin");
    int timeoutMs = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
    // Kafka requires request.timeout.ms <= default.api.timeout.ms.
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(timeoutMs, 30_000));
    try {
      return new TopicAdmin(Admin.create(config), bootstrapServers, timeout);
    } catch (org.apache.kafka.common.KafkaException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new TopicConfigurationException("cannot create a Kafka admin client for " + bootstrapServers + ": "
          + cause.getMessage() + "; check bootstrap servers and the client properties", e);
    }
  }

  /**
   * Makes sure the offsets topic exists and is compacted; returns its partition count (which
   * defines session ownership in scale-out, see {@code offsets.OffsetStore#partitionFor}).
   *
   * @throws TopicConfigurationException if the topic exists with another cleanup policy, or the
   *     cluster cannot be reached or refuses the request
   */
  public int ensureOffsetsTopic(TopicSpec spec) {
    Objects.requireNonNull(spec, "spec");
    if (!"compact".equals(spec.configs().get("cleanup.policy"))) {
      throw new IllegalArgumentException("the offsets topic spec must set cleanup.policy=compact, has "
          + spec.configs().get("cleanup.policy"));
    }
    Optional<TopicDescription> existing = describe(spec.name());
    if (existing.isEmpty()) {
      create(List.of(spec));
      awaitVisible(spec.name());
    }
    String policy = cleanupPolicy(spec.name());
    Set<String> policies = Arrays.stream(policy.split(",")).map(String::trim).collect(Collectors.toSet());
    if (!policies.equals(Set.of("compact"))) {
      throw new TopicConfigurationException("offsets topic '" + spec.name() + "' has cleanup.policy=" + policy
          + "; the connector needs a compacted topic: with 'delete' Kafka removes the offsets of quiet sessions "
          + "after retention.ms and the connector would deliver their history again or lose its place. Fix: "
          + "kafka-configs.sh --bootstrap-server " + bootstrapServers + " --alter --entity-type topics "
          + "--entity-name " + spec.name() + " --add-config cleanup.policy=compact — or configure a new offsets "
          + "topic name and let the connector create it.");
    }
    int partitions = awaitVisible(spec.name()).partitions().size();
    if (existing.isPresent()) {
      log.info("Offsets topic '{}' is compacted, {} partitions", spec.name(), partitions);
    }
    return partitions;
  }

  /**
   * Makes sure the data topics exist. Missing topics are created with their spec when
   * {@code createMissing}; otherwise this fails listing all of them.
   *
   * @return the partition count of each topic
   * @throws TopicConfigurationException when topics are missing and may not be created, or the
   *     cluster cannot be reached or refuses the request
   */
  public Map<String, Integer> ensureDataTopics(Collection<TopicSpec> specs, boolean createMissing) {
    Map<String, TopicSpec> byName = new HashMap<>();
    specs.forEach(s -> byName.putIfAbsent(s.name(), s));
    List<TopicSpec> missing = new ArrayList<>();
    for (TopicSpec spec : byName.values()) {
      if (describe(spec.name()).isEmpty()) {
        missing.add(spec);
      }
    }
    if (!missing.isEmpty()) {
      List<String> names = missing.stream().map(TopicSpec::name).sorted().toList();
      if (!createMissing) {
        throw new TopicConfigurationException("missing Kafka topics " + names + " on " + bootstrapServers
            + " and topic creation is disabled in the connector configuration. Fix: create them (kafka-topics.sh "
            + "--bootstrap-server " + bootstrapServers + " --create --topic <name> --partitions <n> "
            + "--replication-factor <r>) or enable topic creation.");
      }
      create(missing);
      log.info("Created Kafka topics {}", names);
    }
    Map<String, Integer> partitions = new HashMap<>();
    for (String name : byName.keySet()) {
      partitions.put(name, awaitVisible(name).partitions().size());
    }
    return partitions;
  }

  /**
   * What the existing {@code topics} accept, against records of up to {@code maxRecordBytes}: each
   * topic's record limit ({@link TopicSpec#maxRecordBytesWithin} its effective
   * {@code max.message.bytes}, at most {@code maxRecordBytes}), and one actionable problem per topic
   * whose limit is lower — naming the topic, its current {@code max.message.bytes} (and the broker's
   * {@code message.max.bytes} when it is readable), and the command or setting that fixes it. Topics
   * that do not exist are left out. The caller decides whether a problem is fatal; the connector logs
   * it and sends larger records of the topic to the dead-letter topic (with a marker in their place).
   */
  public RecordLimits checkRecordLimits(Collection<String> topics, int maxRecordBytes) {
    Map<String, Integer> maxMessageBytes;
    try {
      maxMessageBytes = maxMessageBytes(topics);
    } catch (TopicConfigurationException e) {
      if (!(e.getCause() instanceof AuthorizationException)) {
        throw e;
      }
      // Only a check: without DESCRIBE_CONFIGS the connector still runs, trusting the topics.
      return new RecordLimits(Map.of(), List.of("cannot check max.message.bytes of topics " + topics + ": "
          + e.getMessage() + "; the connector assumes they take records of kafka.max-record-bytes (" + maxRecordBytes
          + " bytes). Grant DESCRIBE_CONFIGS on them to have this checked at start-up."));
    }
    OptionalInt broker = OptionalInt.empty();
    boolean brokerRead = false;
    Map<String, Integer> limits = new java.util.LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (String topic : new java.util.LinkedHashSet<>(topics)) {
      Integer current = maxMessageBytes.get(topic);
      if (current == null) {
        continue;
      }
      int limit = Math.min(maxRecordBytes, TopicSpec.maxRecordBytesWithin(current));
      limits.put(topic, limit);
      if (limit < maxRecordBytes) {
        if (!brokerRead) {
          broker = brokerMessageMaxBytes();
          brokerRead = true;
        }
        problems.add(tooSmall(topic, current, broker, maxRecordBytes, limit, bootstrapServers));
      }
    }
    return new RecordLimits(Map.copyOf(limits), List.copyOf(problems));
  }

  /**
   * Outcome of {@link #checkRecordLimits}.
   *
   * @param limits the largest record (as {@link OutboundRecord#estimatedSizeInBytes()} counts it)
   *     each existing topic surely accepts, for {@link KafkaSink#limitRecordSize}
   * @param problems one message per topic below the wanted size, saying what to change
   */
  public record RecordLimits(Map<String, Integer> limits, List<String> problems) {}

  static String tooSmall(String topic, int current, OptionalInt brokerMessageMaxBytes, int maxRecordBytes,
      int limit, String bootstrapServers) {
    int needed = TopicSpec.maxMessageBytesFor(maxRecordBytes);
    return "topic '" + topic + "' has max.message.bytes=" + current
        + (brokerMessageMaxBytes.isPresent() ? " (the broker's message.max.bytes is "
            + brokerMessageMaxBytes.getAsInt() + ")" : "")
        + ", so records above " + limit + " bytes cannot go there: such events go to the dead-letter topic, with a"
        + " marker in their place, instead of up to the " + maxRecordBytes + " bytes of kafka.max-record-bytes."
        + " Fix: kafka-configs.sh --bootstrap-server " + bootstrapServers + " --alter --entity-type topics"
        + " --entity-name " + topic + " --add-config " + TopicSpec.MAX_MESSAGE_BYTES + "=" + needed
        + " (kafka.max-record-bytes plus room for compression framing), or set kafka.max-record-bytes to " + limit
        + " to accept what the topic takes.";
  }

  /** The effective {@code max.message.bytes} of each existing topic of {@code topics}. */
  public Map<String, Integer> maxMessageBytes(Collection<String> topics) {
    Map<String, Integer> out = new HashMap<>();
    List<ConfigResource> resources = new ArrayList<>();
    for (String topic : new java.util.LinkedHashSet<>(topics)) {
      if (describe(topic).isPresent()) {
        resources.add(new ConfigResource(ConfigResource.Type.TOPIC, topic));
      }
    }
    if (resources.isEmpty()) {
      return out;
    }
    Map<ConfigResource, Config> configs = await(admin.describeConfigs(resources).all(),
        "describe the configuration of topics " + resources.stream().map(ConfigResource::name).toList());
    configs.forEach((resource, config) -> {
      ConfigEntry entry = config.get(TopicSpec.MAX_MESSAGE_BYTES);
      // Absent only on brokers that do not report it: Kafka's default then applies.
      out.put(resource.name(), entry == null || entry.value() == null ? TopicSpec.KAFKA_DEFAULT_MESSAGE_MAX_BYTES
          : Integer.parseInt(entry.value()));
    });
    return out;
  }

  /**
   * The broker's {@code message.max.bytes} (the default of topics without their own
   * {@code max.message.bytes}), read from one broker; empty when it cannot be read (no
   * DESCRIBE_CONFIGS on the cluster, or a cluster that does not answer): it only adds context.
   */
  public OptionalInt brokerMessageMaxBytes() {
    try {
      Collection<org.apache.kafka.common.Node> nodes = await(admin.describeCluster().nodes(), "describe the cluster");
      if (nodes.isEmpty()) {
        return OptionalInt.empty();
      }
      ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER,
          Integer.toString(nodes.iterator().next().id()));
      Config config = await(admin.describeConfigs(List.of(broker)).values().get(broker),
          "describe the configuration of broker " + broker.name());
      ConfigEntry entry = config.get("message.max.bytes");
      return entry == null || entry.value() == null ? OptionalInt.empty()
          : OptionalInt.of(Integer.parseInt(entry.value()));
    } catch (RuntimeException e) {
      log.debug("cannot read the broker's message.max.bytes: {}", e.getMessage());
      return OptionalInt.empty();
    }
  }

  /** The partition count of {@code topic}, or empty if it does not exist. */
  public Optional<Integer> partitionCount(String topic) {
    return describe(topic).map(d -> d.partitions().size());
  }

  /**
   * The consumer group {@code groupId} and its members with their assigned partitions; a group
   * that does not exist is {@link ConnectorGroup#absent absent} (state {@code DEAD}, no members).
   * Admin commands that rewrite offsets use it to refuse while instances are running.
   */
  public ConnectorGroup describeGroup(String groupId) {
    Objects.requireNonNull(groupId, "groupId");
    ConsumerGroupDescription d;
    try {
      d = await(admin.describeConsumerGroups(List.of(groupId)).describedGroups().get(groupId),
          "describe consumer group '" + groupId + "'");
    } catch (TopicConfigurationException e) {
      if (e.getCause() instanceof GroupIdNotFoundException) {
        return ConnectorGroup.absent(groupId);
      }
      if (e.getCause() instanceof GroupAuthorizationException) {
        throw new TopicConfigurationException("not authorized to describe consumer group '" + groupId + "' on "
            + bootstrapServers + "; grant this principal DESCRIBE on the group", e.getCause());
      }
      throw e;
    }
    List<ConnectorGroup.Member> members = new ArrayList<>();
    for (MemberDescription m : d.members()) {
      List<TopicPartition> assigned = new ArrayList<>(m.assignment().topicPartitions());
      assigned.sort(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
      members.add(new ConnectorGroup.Member(m.consumerId(), m.clientId(), m.host(), assigned));
    }
    members.sort(Comparator.comparing(ConnectorGroup.Member::clientId).thenComparing(ConnectorGroup.Member::memberId));
    return new ConnectorGroup(groupId, d.groupState().name(), members);
  }

  /** The effective {@code cleanup.policy} of an existing topic. */
  public String cleanupPolicy(String topic) {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    Config config = await(admin.describeConfigs(List.of(resource)).values().get(resource),
        "describe the configuration of topic '" + topic + "'");
    ConfigEntry entry = config.get("cleanup.policy");
    return entry == null || entry.value() == null ? "delete" : entry.value();
  }

  private Optional<TopicDescription> describe(String topic) {
    try {
      return Optional.of(await(admin.describeTopics(List.of(topic)).topicNameValues().get(topic),
          "describe topic '" + topic + "'"));
    } catch (TopicConfigurationException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /**
   * A topic just created is not visible to every request at once (metadata propagates
   * asynchronously), so start-up polls briefly instead of failing.
   */
  private TopicDescription awaitVisible(String topic) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Optional<TopicDescription> d = describe(topic);
      if (d.isPresent()) {
        return d.get();
      }
      if (System.nanoTime() > deadline) {
        throw new TopicConfigurationException("topic '" + topic + "' is still not visible " + timeout
            + " after it was created; is another tool deleting it?");
      }
      try {
        TimeUnit.MILLISECONDS.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TopicConfigurationException("interrupted while waiting for topic '" + topic + "'", e);
      }
    }
  }

  /**
   * Waits until every partition of a just created topic answers on its leader (its end offset can be
   * listed there). Before that, a produce request can fail with NOT_LEADER_OR_FOLLOWER and be retried;
   * if a later request of the same idempotent producer was accepted meanwhile — a broker takes any
   * first sequence on an empty partition — the retry is refused as out of sequence until it expires
   * (KAFKA-15591): a session stalled for good with an unbounded delivery timeout, records lost with a
   * bounded one. Seen here against the connector's producer and the tools' own writers.
   *
   * @throws TopicConfigurationException when a partition does not answer within {@code timeout}
   */
  public static void awaitWritable(Admin admin, String topic, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(timeout.toMillis(),
            TimeUnit.MILLISECONDS).get(topic);
        Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
        d.partitions().forEach(p -> ends.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        admin.listOffsets(ends).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
          throw new TopicConfigurationException("the partitions of topic '" + topic + "' did not become writable: "
              + e.getCause().getMessage(), e.getCause());
        }
      } catch (java.util.concurrent.TimeoutException e) {
        throw new TopicConfigurationException("the partitions of topic '" + topic + "' did not answer within "
            + timeout.toMillis() + " ms after it was created", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TopicConfigurationException("interrupted while waiting for topic '" + topic + "'", e);
      }
      try {
        TimeUnit.MILLISECONDS.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TopicConfigurationException("interrupted while waiting for topic '" + topic + "'", e);
      }
    }
  }

  private void create(List<TopicSpec> specs) {
    for (TopicSpec spec : specs) {
      NewTopic topic = new NewTopic(spec.name(),
          spec.partitions() == TopicSpec.BROKER_DEFAULT ? Optional.empty() : Optional.of(spec.partitions()),
          spec.replicationFactor() == TopicSpec.BROKER_DEFAULT ? Optional.empty()
              : Optional.of(spec.replicationFactor()))
          .configs(spec.configs());
      try {
        await(admin.createTopics(List.of(topic)).all(), "create topic '" + spec.name() + "' " + spec);
        log.info("Created Kafka topic '{}' (partitions={}, replication={}, configs={})", spec.name(),
            spec.partitions(), spec.replicationFactor(), spec.configs());
      } catch (TopicConfigurationException e) {
        // Another instance created it first: fine, the checks that follow apply to it as well.
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
      awaitWritable(admin, spec.name(), timeout);
    }
  }

  private <T> T await(KafkaFuture<T> future, String what) {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof AuthorizationException) {
        throw new TopicConfigurationException("not authorized to " + what + " on " + bootstrapServers + " ("
            + cause.getMessage() + "); grant the connector's principal DESCRIBE, DESCRIBE_CONFIGS and CREATE on "
            + "its topics, or create the topics beforehand", cause);
      }
      throw new TopicConfigurationException("could not " + what + " on " + bootstrapServers + ": "
          + cause.getMessage(), cause);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new TopicConfigurationException("could not " + what + ": Kafka at " + bootstrapServers
          + " did not answer within " + timeout.toMillis() + " ms; is the cluster reachable and are the security settings "
          + "right?", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TopicConfigurationException("interrupted while trying to " + what, e);
    }
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(5));
  }
}

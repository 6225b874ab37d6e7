package com.qoder.kafka.kafka;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.kafka.common.internals.Topic;

/**
 * A topic the connector needs: name, partitions, replication factor and topic configs used when
 * it has to be created. {@link #BROKER_DEFAULT} (-1) for partitions or replication factor means
 * "the broker's {@code num.partitions} / {@code default.replication.factor}".
 */
public record TopicSpec(String name, int partitions, short replicationFactor, Map<String, String> configs) {

  public static final int BROKER_DEFAULT = -1;

  /**
   * Offsets-topic settings, after Kafka Connect's offsets topic: compaction keeps the latest record
   * per key forever. Segments roll every 10 minutes (or 64 MiB) so the cleaner can compact them
   * soon — Kafka never compacts the active segment, and a restore reads every record the cleaner
   * has not removed yet. A dirty ratio of 0.1 keeps the duplicate share of the log low.
   */
  public static final Map<String, String> OFFSETS_TOPIC_CONFIGS = Map.of(
      "cleanup.policy", "compact",
      "segment.ms", "600000",
      "segment.bytes", "67108864",
      "min.cleanable.dirty.ratio", "0.1",
      "min.compaction.lag.ms", "0");

  public TopicSpec {
    Objects.requireNonNull(name, "name");
    try {
      Topic.validate(name);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("invalid topic name '" + name + "': " + e.getMessage(), e);
    }
    if (partitions < 1 && partitions != BROKER_DEFAULT) {
      throw new IllegalArgumentException("partitions of topic '" + name + "' must be >= 1 (or -1 for the "
          + "broker default), was " + partitions);
    }
    if (replicationFactor < 1 && replicationFactor != BROKER_DEFAULT) {
      throw new IllegalArgumentException("replication factor of topic '" + name + "' must be >= 1 (or -1 for "
          + "the broker default), was " + replicationFactor);
    }
    configs = Map.copyOf(Objects.requireNonNull(configs, "configs"));
  }

  /** A data topic with no topic-level configs. */
  public static TopicSpec data(String name, int partitions, short replicationFactor) {
    return new TopicSpec(name, partitions, replicationFactor, Map.of());
  }

  /** The offsets topic: {@link #OFFSETS_TOPIC_CONFIGS} plus {@code overrides}. */
  public static TopicSpec offsets(String name, int partitions, short replicationFactor, Map<String, String> overrides) {
    Map<String, String> configs = new TreeMap<>(OFFSETS_TOPIC_CONFIGS);
    configs.putAll(overrides);
    return new TopicSpec(name, partitions, replicationFactor, configs);
  }

  public static TopicSpec offsets(String name, int partitions, short replicationFactor) {
    return offsets(name, partitions, replicationFactor, Map.of());
  }
}

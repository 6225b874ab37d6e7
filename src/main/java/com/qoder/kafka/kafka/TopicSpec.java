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

  /** The topic config that bounds the size of one record batch the broker accepts. */
  public static final String MAX_MESSAGE_BYTES = "max.message.bytes";
  /** Kafka's default {@code message.max.bytes} (1 MiB + 12 bytes of log overhead), for when the broker's is unreadable. */
  public static final int KAFKA_DEFAULT_MESSAGE_MAX_BYTES = 1024 * 1024 + 12;
  /** Least compression headroom; see {@link #maxMessageBytesFor}. */
  private static final int MIN_HEADROOM = 16 * 1024;

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

  /**
   * The {@code max.message.bytes} a topic needs so that every record up to {@code maxRecordBytes}
   * (as {@link OutboundRecord#estimatedSizeInBytes()} counts it: uncompressed, with its framing) is
   * accepted. The broker compares the batch <em>after</em> compression, and compressing
   * incompressible bytes adds a little framing (lz4 and zstd a few bytes per 64–128 KiB block,
   * gzip 5 bytes per stored block, snappy a length per 32 KiB chunk: all well under 0.1 %), so the
   * topic gets 1/512 more, at least 16 KiB: 8 MiB of records need 8,404,992 bytes.
   */
  public static int maxMessageBytesFor(int maxRecordBytes) {
    if (maxRecordBytes < 1) {
      throw new IllegalArgumentException("maxRecordBytes must be positive, was " + maxRecordBytes);
    }
    long v = (long) maxRecordBytes + Math.max(MIN_HEADROOM, maxRecordBytes / 512);
    return (int) Math.min(Integer.MAX_VALUE, v);
  }

  /**
   * The largest record a topic with this {@code max.message.bytes} surely accepts: the inverse of
   * {@link #maxMessageBytesFor} (at least 1).
   */
  public static int maxRecordBytesWithin(int maxMessageBytes) {
    long r = maxMessageBytes - Math.max(MIN_HEADROOM, (long) maxMessageBytes / 513);
    while (r > 1 && maxMessageBytesFor((int) r) > maxMessageBytes) {
      r--; // integer rounding of the /512 term: at most a step or two
    }
    return (int) Math.max(1, r);
  }

  /** This spec with one more topic config (replacing a config of the same name). */
  public TopicSpec withConfig(String key, String value) {
    Map<String, String> c = new TreeMap<>(configs);
    c.put(key, value);
    return new TopicSpec(name, partitions, replicationFactor, c);
  }

  /** This spec with the {@code max.message.bytes} that records up to {@code maxRecordBytes} need. */
  public TopicSpec withMaxRecordBytes(int maxRecordBytes) {
    return withConfig(MAX_MESSAGE_BYTES, Integer.toString(maxMessageBytesFor(maxRecordBytes)));
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

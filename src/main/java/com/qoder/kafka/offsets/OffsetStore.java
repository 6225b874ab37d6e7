package com.qoder.kafka.offsets;

import com.qoder.kafka.kafka.KafkaSink;
import com.qoder.kafka.kafka.KafkaSinkOptions;
import com.qoder.kafka.kafka.OutboundRecord;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The connector's positions, one record per {@link OffsetKey}, in a compacted Kafka topic.
 *
 * <h2>Partitioning — scale-out depends on it</h2>
 * A per-session record goes to {@code toPositive(murmur2(utf8(sessionId))) % partitions}: Kafka's
 * default partitioner ({@code BuiltInPartitioner.partitionForKey}) applied to the session id, not to
 * the whole key {@code events/sess_…}. So the events, the resources position and anything else of
 * one session share one offsets partition, and the member of the connector's consumer group that
 * owns that partition owns the session. Keys without a session (files, sessions list) hash their
 * whole key. Adding partitions to the offsets topic would move sessions between partitions: don't.
 *
 * <h2>Writes</h2>
 * Through the connector's {@link KafkaSink}, so they share its in-flight bound and, in
 * exactly-once mode, its transaction. Order between an event record and an offset record is only
 * guaranteed within a partition; correctness does not need more because the pipeline writes a
 * session's offset only after every event before it was acknowledged.
 *
 * <h2>Restore</h2>
 * Reads the partitions from the beginning up to the end offsets taken when the restore starts
 * ({@code read_committed}, so aborted transactional writes never count), keeping the latest value
 * per key; a tombstone removes the key. Policy for unreadable records: a corrupt record that is
 * later superseded (a newer value or a tombstone for the same key) is only counted and logged; a
 * corrupt record that is the latest for its key fails the restore with
 * {@link OffsetStoreException} naming key, partition and offset — silently starting that session
 * from scratch could re-deliver or skip its history. The fix is to inspect the record and, if it
 * cannot be repaired, delete the key ({@link #delete}) so the session restarts from the configured
 * start position.
 *
 * <p>Thread-safety: {@link #write} and {@link #delete} are non-blocking and thread-safe;
 * {@link #restore()} blocks (start-up, rebalance callbacks) and may run concurrently with writes.
 */
public final class OffsetStore {

  private static final Logger log = LoggerFactory.getLogger(OffsetStore.class);
  public static final Duration DEFAULT_RESTORE_TIMEOUT = Duration.ofMinutes(5);

  private final String topic;
  private final int partitions;
  private final KafkaSink sink;
  private final Duration restoreTimeout;

  private OffsetStore(String topic, int partitions, KafkaSink sink, Duration restoreTimeout) {
    this.topic = topic;
    this.partitions = partitions;
    this.sink = sink;
    this.restoreTimeout = restoreTimeout;
  }

  /**
   * A store over {@code topic}, which has {@code partitions} partitions (as returned by
   * {@link com.qoder.kafka.kafka.TopicAdmin#ensureOffsetsTopic}). Restores read with the sink's
   * bootstrap servers and client properties.
   */
  public static OffsetStore create(String topic, int partitions, KafkaSink sink, Duration restoreTimeout) {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(sink, "sink");
    Objects.requireNonNull(restoreTimeout, "restoreTimeout");
    if (partitions < 1) {
      throw new IllegalArgumentException("the offsets topic must have at least one partition, was " + partitions);
    }
    return new OffsetStore(topic, partitions, sink, restoreTimeout);
  }

  public static OffsetStore create(String topic, int partitions, KafkaSink sink) {
    return create(topic, partitions, sink, DEFAULT_RESTORE_TIMEOUT);
  }

  public String topic() {
    return topic;
  }

  public int partitions() {
    return partitions;
  }

  /** The offsets partition of {@code key} (see the class comment). */
  public int partitionFor(OffsetKey key) {
    return partitionFor(key, partitions);
  }

  /**
   * Kafka's default-partitioner hash: {@code toPositive(murmur2(bytes)) % numPartitions}, of the
   * session id for per-session keys, of a signal's target for signal keys, of the whole key otherwise.
   */
  public static int partitionFor(OffsetKey key, int numPartitions) {
    return partitionForSession(key.partitionKey(), numPartitions);
  }

  /** The partition Kafka's default partitioner picks for a record keyed by {@code sessionId}. */
  public static int partitionForSession(String sessionId, int numPartitions) {
    return Utils.toPositive(Utils.murmur2(sessionId.getBytes(StandardCharsets.UTF_8))) % numPartitions;
  }

  /** The Kafka record for {@code record}, for callers that batch it with other records (same transaction). */
  public OutboundRecord toOutboundRecord(OffsetRecord record) {
    return new OutboundRecord(topic, partitionFor(record.key()),
        record.key().asString().getBytes(StandardCharsets.UTF_8), OffsetCodec.encode(record), List.of(),
        record.key());
  }

  /** The tombstone that deletes {@code key}. */
  public OutboundRecord toTombstone(OffsetKey key) {
    return new OutboundRecord(topic, partitionFor(key), key.asString().getBytes(StandardCharsets.UTF_8), null,
        List.of(), key);
  }

  /** The value of {@code record} exactly as stored in the topic (version-1 JSON), for tools that show it. */
  public static String valueJson(OffsetRecord record) {
    return new String(OffsetCodec.encode(record), StandardCharsets.UTF_8);
  }

  /** The bytes of {@code record} exactly as stored in the topic, for tools that measure or copy them. */
  public static byte[] valueBytes(OffsetRecord record) {
    return OffsetCodec.encode(record);
  }

  /**
   * Reads a value stored under {@code key}, for tools that read the topic themselves.
   *
   * @throws IllegalArgumentException saying what is wrong with the value
   */
  public static OffsetRecord readValue(OffsetKey key, byte[] value) {
    return OffsetCodec.decode(key, value);
  }

  /**
   * Writes {@code record} ahead of records waiting for in-flight capacity; completes when Kafka
   * acknowledged it. A failed write moves nothing.
   */
  public Mono<RecordMetadata> write(OffsetRecord record) {
    return Mono.defer(() -> sink.sendAhead(toOutboundRecord(record)));
  }

  /** Deletes {@code key} with a tombstone (used by {@code offsets reset}); completes when acknowledged. */
  public Mono<RecordMetadata> delete(OffsetKey key) {
    return Mono.defer(() -> sink.send(toTombstone(key)));
  }

  /** Restores every partition. Blocks. */
  public Map<OffsetKey, OffsetRecord> restore() {
    return restore(IntStream.range(0, partitions).boxed().collect(Collectors.toSet()));
  }

  /**
   * Restores the latest record of every key in {@code partitionIds} (the partitions this member
   * owns). Blocks until the end offsets captured at the start were reached, or the restore timeout.
   *
   * @throws OffsetStoreException when a key's latest record is unreadable, or Kafka did not answer
   */
  public Map<OffsetKey, OffsetRecord> restore(Set<Integer> partitionIds) {
    for (int p : partitionIds) {
      if (p < 0 || p >= partitions) {
        throw new IllegalArgumentException("partition " + p + " is not a partition of offsets topic '" + topic
            + "' (0.." + (partitions - 1) + ")");
      }
    }
    if (partitionIds.isEmpty()) {
      return Map.of();
    }
    long started = System.nanoTime();
    long deadline = started + restoreTimeout.toNanos();
    List<TopicPartition> assigned = new TreeSet<>(partitionIds).stream()
        .map(p -> new TopicPartition(topic, p)).toList();
    Map<String, OffsetRecord> latest = new HashMap<>();
    Map<String, OffsetStoreException.CorruptEntry> corrupt = new LinkedHashMap<>();
    long records = 0;
    long superseded = 0;
    long misplaced = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig())) {
      consumer.assign(assigned);
      consumer.seekToBeginning(assigned);
      Map<TopicPartition, Long> end = consumer.endOffsets(assigned, remaining(deadline));
      while (!reachedEnd(consumer, assigned, end, deadline)) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          records++;
          String rawKey = keyText(r.key());
          OffsetStoreException.CorruptEntry previousCorruption = corrupt.remove(rawKey);
          if (previousCorruption != null) {
            superseded++;
          }
          OffsetKey key;
          try {
            key = OffsetKey.parse(rawKey);
          } catch (IllegalArgumentException e) {
            latest.remove(rawKey);
            corrupt.put(rawKey, new OffsetStoreException.CorruptEntry(rawKey, r.partition(), r.offset(),
                "unreadable key: " + e.getMessage()));
            continue;
          }
          if (partitionFor(key) != r.partition()) {
            misplaced++;
          }
          if (r.value() == null) {
            latest.remove(rawKey);
            continue;
          }
          try {
            latest.put(rawKey, OffsetCodec.decode(key, r.value()));
          } catch (IllegalArgumentException e) {
            // The newest value wins, even a corrupt one: an older good value is no longer the truth.
            latest.remove(rawKey);
            corrupt.put(rawKey, new OffsetStoreException.CorruptEntry(rawKey, r.partition(), r.offset(),
                e.getMessage()));
          }
        }
      }
    } catch (KafkaException e) {
      throw new OffsetStoreException("could not read offsets topic '" + topic + "' partitions " + new TreeSet<>(partitionIds)
          + ": " + e.getMessage() + "; is the cluster reachable and may the connector read the topic?", List.of(), e);
    }
    if (superseded > 0) {
      log.warn("Offsets topic '{}': {} unreadable records were superseded by later ones and ignored", topic,
          superseded);
    }
    if (misplaced > 0) {
      log.warn("Offsets topic '{}': {} records are not in the partition their session hashes to; was the partition "
          + "count of the topic changed? Session ownership in scale-out assumes it never changes.", topic, misplaced);
    }
    if (!corrupt.isEmpty()) {
      corrupt.values().forEach(c -> log.error("Offsets topic '{}': unreadable offset record, {}", topic, c));
      List<OffsetStoreException.CorruptEntry> entries = new ArrayList<>(corrupt.values());
      throw new OffsetStoreException(entries.size() + " offset record(s) in topic '" + topic + "' cannot be read "
          + "and are the latest for their key, so the connector cannot tell where these entities stand: "
          + entries.stream().limit(10).map(Object::toString).collect(Collectors.joining("; "))
          + (entries.size() > 10 ? "; …" : "") + ". Inspect them (kafka-console-consumer.sh --topic " + topic
          + " --property print.key=true --from-beginning); to start such an entity over from the configured start "
          + "position, delete its key (qoder-kafka offsets delete <key>).", entries, null);
    }
    Map<OffsetKey, OffsetRecord> result = new HashMap<>();
    latest.values().forEach(r -> result.put(r.key(), r));
    log.info("Restored {} offsets from {} records of topic '{}' partitions {} in {} ms", result.size(), records,
        topic, new TreeSet<>(partitionIds), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    return result;
  }

  private boolean reachedEnd(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> assigned,
      Map<TopicPartition, Long> end, long deadline) {
    for (TopicPartition tp : assigned) {
      // position() passes over transaction markers too, so it reaches the end offset exactly.
      if (consumer.position(tp, remaining(deadline)) < end.get(tp)) {
        if (System.nanoTime() > deadline) {
          throw new OffsetStoreException("restoring offsets from topic '" + topic + "' did not reach the end "
              + "offsets " + end + " within " + restoreTimeout + " (at " + tp + " position "
              + consumer.position(tp) + "); is the cluster slow or unreachable?", List.of(), null);
        }
        return false;
      }
    }
    return true;
  }

  private Map<String, Object> consumerConfig() {
    KafkaSinkOptions o = sink.options();
    Map<String, Object> c = new HashMap<>(o.clientProperties().toClientConfig());
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, o.bootstrapServers());
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, o.clientId() + "-offsets-restore");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.remove(ConsumerConfig.GROUP_ID_CONFIG); // assigned partitions, no group: a restore must not join one
    return c;
  }

  private static Duration remaining(long deadline) {
    return Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
  }

  /** The key as text; undecodable bytes are shown in hex so the error message can name them. */
  private static String keyText(byte[] key) {
    if (key == null) {
      return "<null key>";
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(key)).toString();
    } catch (CharacterCodingException e) {
      StringBuilder hex = new StringBuilder("0x");
      for (byte b : key) {
        hex.append(String.format("%02x", b));
      }
      return hex.toString();
    }
  }
}

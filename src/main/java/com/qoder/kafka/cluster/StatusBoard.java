package com.qoder.kafka.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the instances of one connector learn of each other for the status page's cluster view: each
 * publishes a small status record (partitions, sessions, rate, health), keyed by its instance id,
 * to a compacted topic every interval and a tombstone when it stops; each reads the whole topic.
 *
 * <p>Why a topic: the consumer group tells which members exist and what they own, but not how they
 * fare, and instances cannot call each other's ops servers (they bind 127.0.0.1 by default and do
 * not know each other's addresses). Compaction keeps one record per instance, so the topic stays as
 * small as the cluster. The records are not part of the data path: losing one only delays the view.
 *
 * <p>Bounded: at most {@value #MAX_INSTANCES} instances are kept, and an instance silent for
 * {@link #forgetAfter()} is forgotten (a crashed instance leaves no tombstone). One daemon thread
 * owns the consumer; the producer is a plain, non-transactional one of its own (the connector's may
 * be transactional). Thread-safe.
 */
public final class StatusBoard implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(StatusBoard.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Instances kept at most: the cluster view stays bounded whatever the topic holds. */
  static final int MAX_INSTANCES = 256;

  /** What one instance published about itself. */
  public record Published(String instanceId, String host, Instant at, List<Integer> partitions, long sessions,
      double eventsPerSecond, String health, String detail) {
    public Published {
      Objects.requireNonNull(instanceId, "instanceId");
      Objects.requireNonNull(at, "at");
      partitions = partitions == null ? List.of() : List.copyOf(partitions);
    }
  }

  private final String topic;
  private final String instanceId;
  private final Duration interval;
  private final Supplier<Published> self;
  private final KafkaProducer<byte[], byte[]> producer;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Map<String, Published> known = new ConcurrentHashMap<>();
  private final Thread thread;
  private volatile boolean running = true;

  private StatusBoard(Map<String, Object> clientConfig, String topic, String instanceId, Duration interval,
      Supplier<Published> self) {
    this.topic = topic;
    this.instanceId = instanceId;
    this.interval = interval;
    this.self = self;
    Map<String, Object> p = new HashMap<>(clientConfig);
    p.keySet().removeIf(k -> k.startsWith("transactional.") || k.equals("group.id"));
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "qoder-kafka-status-" + instanceId);
    p.put(ProducerConfig.ACKS_CONFIG, "1");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(10_000, interval.toMillis() * 2));
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(5_000, interval.toMillis()));
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    Map<String, Object> c = new HashMap<>(clientConfig);
    c.keySet().removeIf(k -> k.startsWith("transactional.") || k.equals("group.id"));
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, "qoder-kafka-status-reader-" + instanceId);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    this.producer = new KafkaProducer<>(p);
    this.consumer = new KafkaConsumer<>(c);
    this.thread = new Thread(this::run, "qoder-kafka-status-board-" + instanceId);
    this.thread.setDaemon(true);
  }

  /**
   * Starts publishing {@code self} every {@code interval} to {@code topic} (which must exist) and
   * reading the other instances' records.
   *
   * @param clientConfig Kafka client settings with {@code bootstrap.servers}
   */
  public static StatusBoard start(Map<String, Object> clientConfig, String topic, String instanceId,
      Duration interval, Supplier<Published> self) {
    StatusBoard b = new StatusBoard(clientConfig, topic, instanceId, interval, self);
    b.thread.start();
    return b;
  }

  /** How long an instance may stay silent before it is forgotten. */
  public Duration forgetAfter() {
    Duration ten = interval.multipliedBy(10);
    return ten.compareTo(Duration.ofMinutes(2)) < 0 ? Duration.ofMinutes(2) : ten;
  }

  /** An instance silent this long is shown as stale. */
  public Duration staleAfter() {
    return interval.multipliedBy(3);
  }

  /** The instances known now (this one included once it published), by instance id. */
  public List<Published> instances() {
    Instant cutoff = Instant.now().minus(forgetAfter());
    known.values().removeIf(p -> p.at().isBefore(cutoff) && !p.instanceId().equals(instanceId));
    List<Published> out = new ArrayList<>(known.values());
    out.sort(Comparator.comparing(Published::instanceId));
    return out;
  }

  private void run() {
    long nextPublish = System.nanoTime();
    try {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(i -> new TopicPartition(topic, i.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      while (running) {
        if (System.nanoTime() - nextPublish >= 0) {
          nextPublish = System.nanoTime() + interval.toNanos();
          publish();
        }
        long waitMs = Math.max(1, Math.min(500, TimeUnit.NANOSECONDS.toMillis(nextPublish - System.nanoTime())));
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(waitMs))) {
          take(r);
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      if (running) {
        log.warn("the cluster view stops: reading or writing status topic '{}' failed: {}", topic, e.toString());
      }
    }
  }

  private void publish() {
    Published me;
    try {
      me = self.get();
    } catch (RuntimeException e) {
      log.debug("status for the cluster view not available", e);
      return;
    }
    known.put(instanceId, me);
    producer.send(new ProducerRecord<>(topic, key(instanceId), encode(me)), (md, e) -> {
      if (e != null) {
        log.debug("publishing this instance's status to {} failed: {}", topic, e.toString());
      }
    });
  }

  private void take(ConsumerRecord<byte[], byte[]> r) {
    if (r.key() == null) {
      return;
    }
    String id = new String(r.key(), StandardCharsets.UTF_8);
    if (id.equals(instanceId)) {
      return; // this instance's own view of itself is current; an old record of it is not
    }
    if (r.value() == null) {
      known.remove(id);
      return;
    }
    try {
      Published p = decode(id, r.value());
      if (known.containsKey(id) || known.size() < MAX_INSTANCES) {
        known.put(id, p);
      }
    } catch (RuntimeException | java.io.IOException e) {
      log.debug("ignoring an unreadable status record of instance {}: {}", id, e.toString());
    }
  }

  static byte[] key(String instanceId) {
    return instanceId.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] encode(Published p) {
    ObjectNode n = JSON.createObjectNode();
    n.put("instanceId", p.instanceId());
    n.put("host", p.host());
    n.put("at", p.at().toString());
    p.partitions().forEach(n.putArray("partitions")::add);
    n.put("sessions", p.sessions());
    if (Double.isFinite(p.eventsPerSecond())) {
      n.put("eventsPerSecond", p.eventsPerSecond());
    }
    n.put("health", p.health());
    n.put("detail", p.detail());
    try {
      return JSON.writeValueAsBytes(n);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot encode a status record", e);
    }
  }

  static Published decode(String id, byte[] value) throws java.io.IOException {
    JsonNode n = JSON.readTree(value);
    List<Integer> parts = new ArrayList<>();
    n.path("partitions").forEach(x -> parts.add(x.asInt()));
    return new Published(id, n.path("host").asText(null), Instant.parse(n.path("at").asText()), parts,
        n.path("sessions").asLong(-1), n.has("eventsPerSecond") ? n.get("eventsPerSecond").asDouble() : Double.NaN,
        n.path("health").asText("UNKNOWN"), n.path("detail").isNull() ? null : n.path("detail").asText(null));
  }

  /** Stops reading and publishing; leaves a tombstone so the others forget this instance at once. */
  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      producer.send(new ProducerRecord<>(topic, key(instanceId), null));
      producer.close(Duration.ofSeconds(3));
    } catch (RuntimeException e) {
      log.debug("closing the status publisher: {}", e.toString());
    }
    try {
      consumer.close(Duration.ofSeconds(2));
    } catch (RuntimeException e) {
      log.debug("closing the status reader: {}", e.toString());
    }
  }
}

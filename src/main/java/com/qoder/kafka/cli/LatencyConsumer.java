package com.qoder.kafka.cli;

import com.qoder.kafka.kafka.CloudEventsHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a topic as a downstream consumer would and notes, for every record, when the event was
 * created upstream (its {@code ce_time} header, nanosecond precision) and when the record became
 * readable here. End-to-end latency is the difference; simulator and consumer share this JVM's
 * clock, so no clock skew enters the number.
 *
 * <p>Runs on its own thread; {@link #stop()} then {@link #createdAndReadNanos()} after {@link #join}.
 */
final class LatencyConsumer extends Thread {

  private final String bootstrap;
  private final String topic;
  private volatile boolean stopped;
  private volatile long read;
  private long[] created = new long[1 << 16];
  private long[] readAt = new long[1 << 16];
  private int count;
  private volatile RuntimeException failure;

  LatencyConsumer(String bootstrap, String topic) {
    super("bench-latency-consumer");
    setDaemon(true);
    this.bootstrap = bootstrap;
    this.topic = topic;
  }

  @Override
  public void run() {
    Map<String, Object> props = Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.CLIENT_ID_CONFIG, "bench-latency-consumer",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        // The broker answers a fetch as soon as one byte is there; the wait only bounds an empty poll.
        ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1,
        ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100,
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
      List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      while (!stopped) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
        long now = nowNanos();
        for (ConsumerRecord<byte[], byte[]> r : records) {
          Header h = r.headers().lastHeader(CloudEventsHeaders.TIME);
          if (h != null) {
            Instant t = Instant.parse(new String(h.value(), StandardCharsets.UTF_8));
            add(t.getEpochSecond() * 1_000_000_000L + t.getNano(), now);
          }
        }
        read += records.count();
      }
    } catch (RuntimeException e) {
      failure = e;
    }
  }

  private synchronized void add(long createdNanos, long readNanos) {
    if (count == created.length) {
      created = Arrays.copyOf(created, count * 2);
      readAt = Arrays.copyOf(readAt, count * 2);
    }
    created[count] = createdNanos;
    readAt[count] = readNanos;
    count++;
  }

  long recordsRead() {
    return read;
  }

  void finish() throws InterruptedException {
    stopped = true;
    join(10_000);
    if (failure != null) {
      throw new IllegalStateException("the latency consumer failed: " + failure.getMessage(), failure);
    }
  }

  /** Latencies in nanoseconds of the records created in {@code [fromNanos, toNanos)} (epoch nanoseconds). */
  synchronized long[] latenciesCreatedBetween(long fromNanos, long toNanos) {
    long[] out = new long[count];
    int n = 0;
    for (int i = 0; i < count; i++) {
      if (created[i] >= fromNanos && created[i] < toNanos) {
        out[n++] = readAt[i] - created[i];
      }
    }
    long[] result = Arrays.copyOf(out, n);
    Arrays.sort(result);
    return result;
  }

  static long nowNanos() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  /** The value at quantile {@code q} of sorted {@code values} (nearest rank), or NaN when empty. */
  static double quantile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }
}

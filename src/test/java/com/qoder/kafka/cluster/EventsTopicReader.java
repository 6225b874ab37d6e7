package com.qoder.kafka.cluster;

import com.qoder.kafka.kafka.CloudEventsHeaders;
import com.qoder.kafka.sim.GroundTruth;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the events topic from the beginning and compares it with the simulator's ground truth: an
 * event is {@code <session key>/<ce_id header>}; lost = in the truth but never read, duplicates =
 * read more than once.
 */
final class EventsTopicReader implements AutoCloseable {

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final List<TopicPartition> partitions;
  private final Map<String, Integer> seen = new HashMap<>();
  private long records;

  EventsTopicReader(String bootstrap, String topic, boolean readCommitted) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    consumer = new KafkaConsumer<>(c);
    partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
        .map(p -> new TopicPartition(topic, p.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
  }

  /** Reads until every expected event was seen and the end offsets taken then are reached, or the deadline. */
  Result readUntilComplete(Map<String, GroundTruth> truth, Duration deadline) {
    long until = System.nanoTime() + deadline.toNanos();
    while (true) {
      poll();
      if (missing(truth).isEmpty() || System.nanoTime() > until) {
        break;
      }
    }
    // Drain what is already there so duplicates written late are counted too.
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
    long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < drainUntil) {
      poll();
    }
    return result(truth);
  }

  private void poll() {
    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
      records++;
      Header id = r.headers().lastHeader(CloudEventsHeaders.ID);
      String key = new String(r.key(), StandardCharsets.UTF_8) + "/"
          + (id == null ? "?" : new String(id.value(), StandardCharsets.UTF_8));
      seen.merge(key, 1, Integer::sum);
    }
  }

  private List<String> missing(Map<String, GroundTruth> truth) {
    List<String> out = new ArrayList<>();
    for (GroundTruth t : truth.values()) {
      Set<String> deleted = Set.copyOf(t.deletedEventIds());
      for (String e : t.eventIds()) {
        if (!deleted.contains(e) && !seen.containsKey(t.sessionId() + "/" + e)) {
          out.add(t.sessionId() + "/" + e);
        }
      }
    }
    return out;
  }

  Result result(Map<String, GroundTruth> truth) {
    long expected = truth.values().stream().mapToLong(t -> t.eventIds().size() - t.deletedEventIds().size()).sum();
    List<String> missing = missing(truth);
    Map<String, Integer> dups = new LinkedHashMap<>();
    long duplicateRecords = 0;
    for (Map.Entry<String, Integer> e : seen.entrySet()) {
      if (e.getValue() > 1) {
        duplicateRecords += e.getValue() - 1;
        if (dups.size() < 10) {
          dups.put(e.getKey(), e.getValue());
        }
      }
    }
    return new Result(expected, records, seen.size(), missing.size(), missing.stream().limit(10).toList(),
        duplicateRecords, dups);
  }

  /**
   * @param expected events in the ground truth
   * @param records records read
   * @param distinct distinct events read
   * @param lost expected events never read
   * @param duplicates records beyond the first of each event
   */
  record Result(long expected, long records, long distinct, long lost, List<String> lostSample, long duplicates,
      Map<String, Integer> duplicateSample) {

    @Override
    public String toString() {
      return "expected " + expected + " events; read " + records + " records of " + distinct + " distinct events; lost "
          + lost + (lost > 0 ? " e.g. " + lostSample : "") + "; duplicates " + duplicates
          + (duplicates > 0 ? " e.g. " + duplicateSample : "");
    }
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}

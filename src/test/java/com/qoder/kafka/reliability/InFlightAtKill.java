package com.qoder.kafka.reliability;

import com.qoder.kafka.checker.DeliveryChecker;
import com.qoder.kafka.offsets.OffsetKey;
import com.qoder.kafka.offsets.OffsetSource;
import com.qoder.kafka.offsets.OffsetStore;
import com.qoder.kafka.sim.QoderSimulator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What a killed at-least-once connector had in flight, measured after the process is dead: per
 * session, the distinct events already in the events topic that come after the cursor stored in
 * the offsets topic (in the simulator's API order). A restart reads each session again from its
 * stored cursor, so it can produce again at most these events: their sum over the kills bounds the
 * duplicates of a kill loop by what was actually in flight, not by kills × sessions × page size.
 */
final class InFlightAtKill implements AutoCloseable {

  private final String bootstrap;
  private final Pipeline pipeline;
  private final KafkaConsumer<byte[], byte[]> offsets;
  private DeliveryChecker checker; // created once the events topic exists
  private List<TopicPartition> partitions = List.of();

  InFlightAtKill(String bootstrap, Pipeline p) {
    this.bootstrap = bootstrap;
    this.pipeline = p;
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    this.offsets = new KafkaConsumer<>(props);
  }

  /**
   * Events in flight at the kill just made: call after the process exited. A child killed before
   * it created the topics produced nothing.
   */
  long measure(QoderSimulator sim) {
    Set<String> topics = offsets.listTopics(Duration.ofSeconds(30)).keySet();
    if (!topics.contains(pipeline.eventsTopic())) {
      return 0;
    }
    if (checker == null) {
      checker = Fixtures.checker(bootstrap, pipeline);
    }
    if (partitions.isEmpty() && topics.contains(pipeline.offsetsTopic())) {
      partitions = offsets.partitionsFor(pipeline.offsetsTopic(), Duration.ofSeconds(30)).stream()
          .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
      offsets.assign(partitions);
    }
    checker.check(List.of()); // reads the events topic to its end; compares nothing
    Map<String, String> cursors = partitions.isEmpty() ? Map.of() : storedCursors();
    long inFlight = 0;
    for (String session : sim.sessionIds()) {
      List<String> apiOrder = sim.groundTruth(session).eventIds();
      String cursor = cursors.get(session);
      int after = cursor == null ? 0 : apiOrder.indexOf(cursor) + 1; // not found (-1): all of them
      Set<String> beyond = new HashSet<>(apiOrder.subList(after, apiOrder.size()));
      inFlight += checker.eventIds(session).stream().distinct().filter(beyond::contains).count();
    }
    return inFlight;
  }

  /** The cursor of every session's newest offset record (absent: no record, or a null cursor). */
  private Map<String, String> storedCursors() {
    offsets.seekToBeginning(partitions);
    Map<TopicPartition, Long> end = offsets.endOffsets(partitions, Duration.ofSeconds(30));
    Map<String, String> cursors = new HashMap<>();
    long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (partitions.stream().anyMatch(tp -> offsets.position(tp) < end.get(tp))) {
      if (System.nanoTime() > until) {
        throw new AssertionError("offsets topic not read to its end within 60 s");
      }
      for (ConsumerRecord<byte[], byte[]> r : offsets.poll(Duration.ofMillis(200))) {
        OffsetKey key = OffsetKey.parse(new String(r.key(), StandardCharsets.UTF_8));
        if (key.source() != OffsetSource.EVENTS) {
          continue;
        }
        String cursor = r.value() == null ? null : OffsetStore.readValue(key, r.value()).cursor();
        if (cursor == null) {
          cursors.remove(key.sessionId());
        } else {
          cursors.put(key.sessionId(), cursor);
        }
      }
    }
    return cursors;
  }

  @Override
  public void close() {
    offsets.close(Duration.ofSeconds(5));
    if (checker != null) {
      checker.close();
    }
  }
}

package com.qoder.kafka.reliability;

import com.qoder.kafka.kafka.KafkaTestSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads a change topic (files, sessions lifecycle) independently of the product: the Confluent
 * wire format parsed here (magic byte 0, 4-byte schema id) and the value decoded with Avro's
 * generic reader and the contract's {@code .avsc} file, not with the connector's codec.
 */
final class ChangeRecords implements AutoCloseable {

  /** One record: its key, and its value (null for a tombstone). */
  record Change(String key, GenericRecord value) {
    String field(String name) {
      Object v = value == null ? null : value.get(name);
      return v == null ? null : v.toString();
    }
  }

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final List<TopicPartition> partitions;
  private final GenericDatumReader<GenericRecord> reader;
  private final List<Change> read = new ArrayList<>();

  ChangeRecords(String bootstrap, String topic, String avsc) {
    Schema schema;
    try {
      schema = new Schema.Parser().parse(Path.of("schemas", avsc).toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("schemas/" + avsc, e);
    }
    reader = new GenericDatumReader<>(schema);
    consumer = new KafkaConsumer<>(KafkaTestSupport.consumerConfig(bootstrap));
    Fixtures.await(Duration.ofSeconds(60), "topic " + topic, () -> !consumer.partitionsFor(topic).isEmpty());
    partitions = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
  }

  /** Polls until {@code done} holds for everything read so far, or fails at the deadline. */
  List<Change> awaitUntil(Duration deadline, String what, Predicate<List<Change>> done) {
    Fixtures.await(deadline, what + " (" + read.size() + " records read)", () -> {
      poll();
      return done.test(read);
    });
    return List.copyOf(read);
  }

  /** Polls once (up to 50 ms); everything read so far. */
  List<Change> pollOnce() {
    poll();
    return List.copyOf(read);
  }

  /** Everything up to the end offsets of now. */
  List<Change> readToEnd() {
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
    Fixtures.await(Duration.ofSeconds(60), "the end of the topic",
        () -> {
          poll();
          return partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
        });
    return List.copyOf(read);
  }

  private void poll() {
    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
      read.add(new Change(new String(r.key(), java.nio.charset.StandardCharsets.UTF_8), decode(r.value())));
    }
  }

  private GenericRecord decode(byte[] v) {
    if (v == null) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(v);
    if (v.length < 5 || b.get() != 0) {
      throw new AssertionError("not the Confluent wire format (magic byte 0)");
    }
    b.getInt(); // the schema id
    try {
      return reader.read(null, DecoderFactory.get().binaryDecoder(v, 5, v.length - 5, null));
    } catch (IOException e) {
      throw new AssertionError("undecodable with the contract's schema: " + e, e);
    }
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}

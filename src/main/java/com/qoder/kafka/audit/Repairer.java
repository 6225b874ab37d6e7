package com.qoder.kafka.audit;

import com.qoder.kafka.api.SessionEvent;
import com.qoder.kafka.api.Timestamps;
import com.qoder.kafka.avro.AvroCodec;
import com.qoder.kafka.avro.EventMapper;
import com.qoder.kafka.avro.MappingResult;
import com.qoder.kafka.kafka.CloudEventsHeaders;
import com.qoder.kafka.registry.ConfluentWireFormat;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Produces a session's missing events to the events topic the way the connector does: the
 * product's Avro mapping ({@link EventMapper}), the Confluent wire format with the schema id
 * registered for the topic, the CloudEvents headers, key = session id (so the default partitioner
 * puts them in the session's partition) — plus the header {@value #REPAIRED_HEADER}{@code :
 * audit}. In exactly-once mode a session's repairs are one transaction.
 *
 * <p>The records follow everything already in the partition, so they arrive out of the API's
 * order; consumers that need order must sort by {@code created_at} or treat repaired records apart.
 *
 * <p>Blocking; one thread.
 */
final class Repairer implements AutoCloseable {

  /** Marks a record produced by a repair, not by the connector's poller. */
  static final String REPAIRED_HEADER = "qoder_kafka.repaired";
  static final String REPAIRED_BY_AUDIT = "audit";

  private final String topic;
  private final byte[] framePrefix;
  private final EventMapper mapper = new EventMapper();
  private final Producer<byte[], byte[]> producer;
  private final boolean transactional;
  private final Duration timeout;

  /** What a session's repair came to. */
  record Outcome(List<String> produced, List<String> unrepairable) {}

  Repairer(String topic, int schemaId, Map<String, Object> producerConfig, boolean transactional, Duration timeout) {
    this.topic = topic;
    this.framePrefix = ConfluentWireFormat.frame(schemaId, new byte[0]);
    this.producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer());
    this.transactional = transactional;
    this.timeout = timeout;
    if (transactional) {
      producer.initTransactions();
    }
  }

  Outcome repair(String sessionId, List<SessionEvent> missing) {
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(missing.size());
    List<String> produced = new ArrayList<>();
    List<String> unrepairable = new ArrayList<>();
    byte[] key = sessionId.getBytes(StandardCharsets.UTF_8);
    for (SessionEvent e : missing) {
      MappingResult<com.qoder.kafka.avro.v1.SessionEvent> r = mapper.map(e);
      if (r instanceof MappingResult.Mapped<com.qoder.kafka.avro.v1.SessionEvent> m) {
        List<Header> headers = new ArrayList<>(CloudEventsHeaders.of(e.id(), ceType(e.type()), "/sessions/" + sessionId,
            time(e), sessionId, CloudEventsHeaders.AVRO));
        headers.add(new RecordHeader(REPAIRED_HEADER, REPAIRED_BY_AUDIT.getBytes(StandardCharsets.UTF_8)));
        records.add(new ProducerRecord<>(topic, null, key, AvroCodec.encodeWithPrefix(m.record(), framePrefix),
            headers));
        produced.add(e.id());
      } else {
        // The connector sends such an event to the dead-letter topic with a marker in its place; a
        // repair does not write dead letters: reported for the operator instead.
        unrepairable.add(e.id());
      }
    }
    if (records.isEmpty()) {
      return new Outcome(List.of(), unrepairable);
    }
    if (transactional) {
      producer.beginTransaction();
    }
    try {
      List<Future<RecordMetadata>> acks = new ArrayList<>(records.size());
      for (ProducerRecord<byte[], byte[]> r : records) {
        acks.add(producer.send(r));
      }
      if (transactional) {
        producer.commitTransaction();
      } else {
        producer.flush();
      }
      for (Future<RecordMetadata> f : acks) {
        f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while repairing session " + sessionId, e);
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      if (transactional) {
        try {
          producer.abortTransaction();
        } catch (RuntimeException ignored) {
          // the producer is fenced or broken: the error below says what happened first
        }
      }
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new IllegalStateException("repairing session " + sessionId + " failed: " + cause.getMessage()
          + (transactional ? " (the transaction was aborted: nothing of it is visible)" : ""), cause);
    }
    return new Outcome(produced, unrepairable);
  }

  /** As the connector names the CloudEvents type of an event (EventPublisher). */
  private static String ceType(String type) {
    return "com.qoder.session." + (type == null || type.isEmpty() ? "unknown" : type);
  }

  private static Instant time(SessionEvent e) {
    try {
      return e.createdAt() == null ? null : Timestamps.toInstant(Timestamps.parseEpochNanos(e.createdAt()));
    } catch (IllegalArgumentException ex) {
      return null;
    }
  }

  @Override
  public void close() {
    producer.close(timeout);
  }
}

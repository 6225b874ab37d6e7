package com.qoder.kafka.cluster;

import com.qoder.kafka.offsets.OffsetRecord;
import com.qoder.kafka.offsets.OffsetStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import reactor.core.publisher.Mono;

/**
 * A transactional producer in memory: acknowledges every offset record at once (on the offsets
 * partition of its key, at increasing offsets) and records every call, so a test can see what went
 * into a transaction and how it ended. Failures are set per call kind.
 */
final class FakeTransactionalProducer implements TransactionalProducer {

  final List<String> calls = new CopyOnWriteArrayList<>();
  final List<OffsetRecord> sent = new CopyOnWriteArrayList<>();
  volatile Map<TopicPartition, OffsetAndMetadata> lastGroupOffsets;
  volatile RuntimeException sendFailure;
  volatile RuntimeException sendOffsetsFailure;
  volatile RuntimeException abortFailure;
  private final int partitions;
  private final AtomicLong nextOffset = new AtomicLong(100);

  FakeTransactionalProducer(int partitions) {
    this.partitions = partitions;
  }

  @Override
  public Mono<RecordMetadata> send(OffsetRecord record) {
    return Mono.defer(() -> {
      calls.add("send " + record.key().asString());
      if (sendFailure != null) {
        return Mono.error(sendFailure);
      }
      sent.add(record);
      int p = OffsetStore.partitionFor(record.key(), partitions);
      return Mono.just(new RecordMetadata(new TopicPartition("offsets", p), nextOffset.getAndIncrement(), 0, 0, 0,
          0));
    });
  }

  @Override
  public Mono<Void> flush() {
    return Mono.empty();
  }

  @Override
  public Mono<Void> begin() {
    return Mono.fromRunnable(() -> calls.add("begin"));
  }

  @Override
  public Mono<Void> sendOffsets(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata g) {
    return Mono.defer(() -> {
      calls.add("sendOffsets");
      lastGroupOffsets = offsets;
      return sendOffsetsFailure != null ? Mono.error(sendOffsetsFailure) : Mono.empty();
    });
  }

  @Override
  public Mono<Void> commit() {
    return Mono.fromRunnable(() -> calls.add("commit"));
  }

  @Override
  public Mono<Void> abort() {
    return Mono.defer(() -> {
      calls.add("abort");
      return abortFailure != null ? Mono.error(abortFailure) : Mono.empty();
    });
  }

  @Override
  public Duration callTimeout() {
    return Duration.ofSeconds(5);
  }
}

package com.qoder.kafka.cluster;

import com.qoder.kafka.kafka.KafkaSink;
import com.qoder.kafka.offsets.OffsetRecord;
import com.qoder.kafka.offsets.OffsetStore;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import reactor.core.publisher.Mono;

/**
 * What the exactly-once transactions need of the connector's transactional producer: offset
 * records sent into the open transaction, and the transaction calls. The seam between the
 * transaction rules ({@link TransactionCycle}, {@link PageTransactions}) and Kafka, so the rules can
 * be tested without a broker.
 */
interface TransactionalProducer {

  /** Sends an offset record in the open transaction; completes when Kafka acknowledged it. */
  Mono<RecordMetadata> send(OffsetRecord record);

  /** Completes when every record sent so far has its outcome. */
  Mono<Void> flush();

  Mono<Void> begin();

  Mono<Void> sendOffsets(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata groupMetadata);

  Mono<Void> commit();

  Mono<Void> abort();

  /** How long one transaction call may block: the producer's own bound (max.block + request timeout). */
  Duration callTimeout();

  static TransactionalProducer of(KafkaSink sink, OffsetStore offsets) {
    Duration callTimeout = sink.options().maxBlock().plus(sink.options().requestTimeout());
    return new TransactionalProducer() {
      @Override
      public Mono<RecordMetadata> send(OffsetRecord record) {
        return sink.send(offsets.toOutboundRecord(record));
      }

      @Override
      public Mono<Void> flush() {
        return sink.flush();
      }

      @Override
      public Mono<Void> begin() {
        return sink.beginTransaction();
      }

      @Override
      public Mono<Void> sendOffsets(Map<TopicPartition, OffsetAndMetadata> groupOffsets, ConsumerGroupMetadata g) {
        return sink.sendOffsetsToTransaction(groupOffsets, g);
      }

      @Override
      public Mono<Void> commit() {
        return sink.commitTransaction();
      }

      @Override
      public Mono<Void> abort() {
        return sink.abortTransaction();
      }

      @Override
      public Duration callTimeout() {
        return callTimeout;
      }
    };
  }
}

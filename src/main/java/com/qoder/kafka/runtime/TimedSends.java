package com.qoder.kafka.runtime;

import com.qoder.kafka.kafka.KafkaSink;
import com.qoder.kafka.kafka.OutboundRecord;
import com.qoder.kafka.kafka.SendResult;
import com.qoder.kafka.ops.ConnectorMetrics;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * {@link KafkaSink#sendAll} with {@code qoder_kafka_send_latency_seconds{topic,outcome}}: one
 * sample per record, the time from handing the batch to the producer to the batch's last answer.
 * Records of a batch are sent together, so this is each record's latency rounded up to its batch's.
 */
final class TimedSends {

  private TimedSends() {}

  static Mono<List<SendResult>> sendAll(KafkaSink sink, List<OutboundRecord> records, ConnectorMetrics metrics) {
    return Mono.defer(() -> {
      long t0 = System.nanoTime();
      return sink.sendAll(records)
          .doOnNext(results -> {
            long nanos = System.nanoTime() - t0;
            for (SendResult r : results) {
              metrics.kafkaSendNanos(r.record().topic(), nanos, r.acknowledged());
            }
          })
          .doOnError(e -> {
            long nanos = System.nanoTime() - t0;
            for (OutboundRecord r : records) {
              metrics.kafkaSendNanos(r.topic(), nanos, false);
            }
          });
    });
  }
}

package com.qoder.kafka.kafka;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;

/**
 * One record of a {@link KafkaSink} between submission and its outcome; also its producer callback.
 * Every outcome goes through here, so capacity is returned once, a too-large refusal teaches the
 * sink the topic's limit, and a fatal error stops the sink before the batch learns of it.
 */
final class Pending implements Callback {
  private final KafkaSink sink;
  final SubmittedBatch batch;
  final int index;
  final OutboundRecord record;
  final long bytes;
  /** A failure the producer reported synchronously inside send(): the record was not appended. */
  Exception immediateFailure;

  Pending(KafkaSink sink, SubmittedBatch batch, int index, OutboundRecord record, long bytes) {
    this.sink = sink;
    this.batch = batch;
    this.index = index;
    this.record = record;
    this.bytes = bytes;
  }

  @Override
  public void onCompletion(RecordMetadata metadata, Exception exception) {
    if (exception != null && sink.isSendingNow(this)) {
      immediateFailure = exception;
      return;
    }
    finish(metadata, exception);
  }

  /** Outcome of a record that held in-flight capacity. */
  void finish(RecordMetadata metadata, Throwable error) {
    sink.release(bytes);
    complete(metadata, error);
  }

  /** Outcome of a record that never got capacity (withdrawn, closing, failed sink). */
  void finishWithoutCapacity(Throwable error) {
    batch.handedOver();
    complete(null, error);
  }

  private void complete(RecordMetadata metadata, Throwable error) {
    if (error instanceof RecordTooLargeException && bytes > 0) {
      sink.learnTopicLimit(record, (int) bytes);
    }
    KafkaSinkException classified = error == null ? null : SendErrors.classify(error, record);
    if (classified instanceof KafkaFatalException f) {
      sink.enterFailedState(f);
    }
    batch.complete(index, metadata, classified);
  }
}

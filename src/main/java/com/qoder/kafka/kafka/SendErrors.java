package com.qoder.kafka.kafka;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TransactionAbortedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

/**
 * The one place that decides what a producer failure means (see {@link KafkaSinkException}).
 * Retriable broker errors never get here: the producer retries them itself until the delivery
 * timeout.
 */
final class SendErrors {

  private SendErrors() {}

  static KafkaSinkException classify(Throwable error, OutboundRecord record) {
    String topic = record.topic();
    Object correlation = record.correlation();
    // Already classified (for example by the size check before the producer saw the record).
    if (error instanceof KafkaSinkException k) {
      return k;
    }
    // This record alone can never be written: the caller dead-letters it.
    if (error instanceof RecordTooLargeException || error instanceof RecordBatchTooLargeException) {
      return new RecordRejectedException(RecordRejectedException.Reason.RECORD_TOO_LARGE, topic, correlation,
          "record for topic '" + topic + "' (" + record.estimatedSizeInBytes() + " bytes with framing) is "
              + "larger than Kafka accepts (producer max.request.size or the topic's max.message.bytes): "
              + error.getMessage(), error);
    }
    if (error instanceof InvalidRecordException || error instanceof CorruptRecordException) {
      return new RecordRejectedException(RecordRejectedException.Reason.INVALID_RECORD, topic, correlation,
          "the broker refused a record for topic '" + topic + "': " + error.getMessage(), error);
    }
    // The producer cannot continue: nothing written after this would be safe.
    if (error instanceof ProducerFencedException || error instanceof InvalidProducerEpochException
        || error instanceof FencedInstanceIdException) {
      return new KafkaFatalException("the Kafka producer was fenced (" + error.getMessage() + "): the group dropped this "
          + "instance (a pause longer than cluster.session-timeout) and the instance that took its sessions over "
          + "fenced it, or another process runs with the same cluster.instance-id; this instance must stop "
          + "writing, and a restart makes it rejoin", error);
    }
    if (error instanceof AuthenticationException) {
      return new KafkaFatalException("Kafka authentication failed (" + error.getMessage() + "); check "
          + "security.protocol and the sasl.*/ssl.* client properties", error);
    }
    if (error instanceof AuthorizationException) {
      return new KafkaFatalException("not authorized to write to Kafka (" + error.getMessage() + "); grant "
          + "WRITE and DESCRIBE on topic '" + topic + "' and IDEMPOTENT_WRITE on the cluster (or WRITE on the "
          + "transactional id in exactly-once mode) to the connector's principal", error);
    }
    if (error instanceof OutOfOrderSequenceException) {
      return new KafkaFatalException("the broker reported an out-of-order sequence for topic '" + topic
          + "' (" + error.getMessage() + "): records may have been lost on the broker side (unclean leader "
          + "election?); restart the connector so it resends from its last committed offsets", error);
    }
    if (error instanceof UnsupportedVersionException) {
      return new KafkaFatalException("the Kafka cluster does not support a feature the connector needs ("
          + error.getMessage() + "); idempotent producers need brokers 0.11+ and transactions 0.11+", error);
    }
    if (error instanceof InvalidTopicException) {
      return new KafkaFatalException("topic '" + topic + "' is not a valid topic name (" + error.getMessage()
          + "); fix the topic configuration", error);
    }
    // Not acknowledged, nothing wrong with the record: resending from the last offset is safe.
    if (error instanceof TransactionAbortedException) {
      return new KafkaDeliveryException("the transaction holding a record for topic '" + topic
          + "' was aborted; resend from the last committed offset", error, true);
    }
    if (error instanceof TimeoutException) {
      return new KafkaDeliveryException("Kafka did not acknowledge a record for topic '" + topic
          + "' within the delivery timeout (" + error.getMessage() + "); is the cluster reachable?", error, true);
    }
    if (error instanceof RetriableException) {
      return new KafkaDeliveryException("Kafka did not acknowledge a record for topic '" + topic + "': "
          + error.getMessage(), error, true);
    }
    if (error instanceof IllegalStateException || error instanceof InterruptedException) {
      return new KafkaDeliveryException("the Kafka producer is closed; record for topic '" + topic
          + "' not sent (" + error.getMessage() + ")", error, false);
    }
    String kind = error instanceof KafkaException ? "Kafka error" : "unexpected error";
    return new KafkaDeliveryException(kind + " while sending a record to topic '" + topic + "': " + error, error,
        false);
  }
}

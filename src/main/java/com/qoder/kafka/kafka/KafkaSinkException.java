package com.qoder.kafka.kafka;

/**
 * A record could not be delivered to Kafka. The three subtypes tell the caller what to do:
 *
 * <ul>
 *   <li>{@link RecordRejectedException}: this one record can never be written (too large,
 *       invalid); route it to the dead-letter topic and carry on.
 *   <li>{@link KafkaFatalException}: the producer cannot continue (fenced, not authorized, broken
 *       sequence); stop the connector or, in exactly-once mode, give up the partition.
 *   <li>{@link KafkaDeliveryException}: the record was not acknowledged (delivery timeout, sink
 *       closed, transaction aborted); the offset was not advanced, so re-sending from the last
 *       committed offset is safe (at-least-once).
 * </ul>
 */
public abstract sealed class KafkaSinkException extends RuntimeException
    permits RecordRejectedException, KafkaFatalException, KafkaDeliveryException {

  KafkaSinkException(String message, Throwable cause) {
    super(message, cause);
  }
}

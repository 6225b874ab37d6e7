package com.qoder.kafka.kafka;

/**
 * A record was not acknowledged, but nothing says it is bad: the delivery timeout expired, the
 * sink was closed before the broker answered, or the transaction holding it was aborted. The
 * caller's offset has not moved past the record, so sending again from that offset is safe
 * (at-least-once: the broker may already hold a copy).
 */
public final class KafkaDeliveryException extends KafkaSinkException {

  private final boolean retriable;

  KafkaDeliveryException(String message, Throwable cause, boolean retriable) {
    super(message, cause);
    this.retriable = retriable;
  }

  /** True when the same record may succeed later (timeouts, broker unavailability). */
  public boolean retriable() {
    return retriable;
  }
}

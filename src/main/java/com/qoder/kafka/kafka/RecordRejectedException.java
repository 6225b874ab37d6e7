package com.qoder.kafka.kafka;

/**
 * Kafka refuses this one record for good (for example {@code RecordTooLargeException}): retrying
 * cannot help. The caller routes the record to the dead-letter topic with {@link #reason()} and
 * advances its offset only once that dead-letter record is acknowledged.
 */
public final class RecordRejectedException extends KafkaSinkException {

  /** Why Kafka refused the record; stable names a dead-letter consumer can group by. */
  public enum Reason {
    /** Larger than the producer's {@code max.request.size} or the topic's {@code max.message.bytes}. */
    RECORD_TOO_LARGE,
    /** The broker refused the record's content (for example a compacted topic and a null key). */
    INVALID_RECORD
  }

  private final Reason reason;
  private final String topic;
  private final transient Object correlation;

  RecordRejectedException(Reason reason, String topic, Object correlation, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
    this.topic = topic;
    this.correlation = correlation;
  }

  public Reason reason() {
    return reason;
  }

  public String topic() {
    return topic;
  }

  /** The {@link OutboundRecord#correlation()} of the refused record. */
  public Object correlation() {
    return correlation;
  }
}

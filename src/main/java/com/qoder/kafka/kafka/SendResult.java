package com.qoder.kafka.kafka;

import java.util.Objects;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Outcome of one record of a batch: acknowledged by the broker ({@link #metadata()} set) or
 * rejected for good ({@link #rejection()} set — route it to the dead-letter topic). Failures that
 * are not about the record itself fail the whole batch instead (see {@link KafkaSinkException}).
 */
public record SendResult(OutboundRecord record, RecordMetadata metadata, RecordRejectedException rejection) {

  public SendResult {
    Objects.requireNonNull(record, "record");
    if ((metadata == null) == (rejection == null)) {
      throw new IllegalArgumentException("exactly one of metadata and rejection must be set");
    }
  }

  public boolean acknowledged() {
    return metadata != null;
  }

  public Object correlation() {
    return record.correlation();
  }
}

package com.qoder.kafka.kafka;

/**
 * The producer cannot go on: another instance took over its transactional id (fenced), the
 * credentials or ACLs do not allow writing, or the broker reported a broken idempotence sequence.
 * Once this is raised the sink refuses further records; the message says what to check.
 */
public final class KafkaFatalException extends KafkaSinkException {

  KafkaFatalException(String message, Throwable cause) {
    super(message, cause);
  }
}

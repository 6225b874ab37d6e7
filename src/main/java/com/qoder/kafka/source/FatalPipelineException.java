package com.qoder.kafka.source;

/**
 * A failure no retry can fix (the token was revoked, the producer was fenced, Kafka refused our
 * credentials): the connector stops cleanly with this message instead of looping.
 */
public class FatalPipelineException extends RuntimeException {

  public FatalPipelineException(String message, Throwable cause) {
    super(message, cause);
  }
}

package com.qoder.kafka.avro;

import java.util.Objects;

/** Thrown by {@link MappingResult#orElseThrow()} for a rejected item. */
public final class MappingException extends Exception {

  private static final long serialVersionUID = 1L;

  private final RejectReason reason;

  public MappingException(RejectReason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public RejectReason reason() {
    return reason;
  }
}

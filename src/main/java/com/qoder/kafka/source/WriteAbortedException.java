package com.qoder.kafka.source;

/**
 * Exactly-once: the transaction that held a write was aborted, so nothing written with it — the
 * records and the position that goes with them — became visible. The writer goes back to the
 * last position whose write succeeded (committed) before it writes again; at-least-once never
 * raises it.
 */
public class WriteAbortedException extends RuntimeException {

  public WriteAbortedException(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}

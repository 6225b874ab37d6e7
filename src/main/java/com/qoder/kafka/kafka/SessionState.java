package com.qoder.kafka.kafka;

/** Lifecycle of a tracked session, as stored in its offset record. */
public enum SessionState {
  /** Polled at the active interval. */
  ACTIVE,
  /** Quiet ({@code session.status_idle} seen or no events for a while): polled slowly. */
  IDLE,
  /** A {@code terminated} event was delivered: no more polling. */
  TERMINATED,
  /** The API answered 404: the session no longer exists. */
  GONE
}

package com.qoder.kafka.source;

/** Where a followed session stands; stored in the offsets topic. */
public enum SessionStatus {
  /** Polled; had events recently. */
  ACTIVE,
  /** Polled at a slower pace: the last event was session.status_idle or nothing came for a while. */
  IDLE,
  /** Ended by a {@code terminated} event; no longer polled. */
  TERMINATED,
  /** The API answered 404: the session was deleted; no longer polled. */
  GONE,
  /** The sessions list marked it released ({@code releasedAt}); drained once, no longer polled. */
  RELEASED;

  public boolean isFinal() {
    return this == TERMINATED || this == GONE || this == RELEASED;
  }
}

package com.qoder.kafka.source;

/**
 * Observes sessions for metrics, logs, the status page and the sessions topic. Implementations must
 * be cheap and must not throw; a failing listener never stops a poller.
 */
public interface SessionListener {

  SessionListener NOOP = new SessionListener() {};

  default void statusChanged(String sessionId, SessionStatus from, SessionStatus to) {}

  default void pageFetched(String sessionId, int events, int duplicates) {}

  /** One event of a fetched page, of {@code type} (null when it has none); before {@link #pageFetched}. */
  default void eventFetched(String sessionId, String type, boolean duplicate) {}

  default void delivered(String sessionId, int events, int deadLettered, long newestCreatedAtNanos) {}

  default void pollScheduled(String sessionId, long intervalMillis) {}

  default void error(String sessionId, Throwable error) {}
}

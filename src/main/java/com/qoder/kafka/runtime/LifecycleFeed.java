package com.qoder.kafka.runtime;

import com.qoder.kafka.source.LifecycleSource;
import com.qoder.kafka.source.SessionListener;
import com.qoder.kafka.source.SessionStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A session listener that also feeds poller status changes to the lifecycle source. */
final class LifecycleFeed implements SessionListener {

  private static final Logger log = LoggerFactory.getLogger(LifecycleFeed.class);

  private final SessionListener listener;
  private final LifecycleSource lifecycle;

  LifecycleFeed(SessionListener listener, LifecycleSource lifecycle) {
    this.listener = listener;
    this.lifecycle = lifecycle;
  }

  @Override
  public void statusChanged(String sessionId, SessionStatus from, SessionStatus to) {
    listener.statusChanged(sessionId, from, to);
    try {
      lifecycle.statusChanged(sessionId, from, to);
    } catch (RuntimeException e) {
      log.debug("lifecycle listener failed", e);
    }
  }

  @Override
  public void eventFetched(String sessionId, String type, boolean duplicate) {
    listener.eventFetched(sessionId, type, duplicate);
  }

  @Override
  public void pageFetched(String sessionId, int events, int duplicates) {
    listener.pageFetched(sessionId, events, duplicates);
  }

  @Override
  public void delivered(String sessionId, int events, int deadLettered, long newestCreatedAtNanos) {
    listener.delivered(sessionId, events, deadLettered, newestCreatedAtNanos);
  }

  @Override
  public void pollScheduled(String sessionId, long intervalMillis) {
    listener.pollScheduled(sessionId, intervalMillis);
  }

  @Override
  public void error(String sessionId, Throwable error) {
    listener.error(sessionId, error);
  }
}

package com.qoder.kafka.cluster;

import com.qoder.kafka.source.SessionState;
import com.qoder.kafka.source.SessionSupervisor;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * What the hand-over of sessions needs of the session table ({@link SessionSupervisor}): the seam
 * that lets {@link HandOver} be tested without pollers, an API or a broker.
 */
interface SessionTable {

  /** Puts restored progress in the table (not polled yet). */
  void restore(Collection<SessionState.Snapshot> snapshots);

  /** Starts polling the session if it is owned and not final; whether it is polled now. */
  boolean track(String sessionId);

  /** One discovery scan of an organization; its new sessions are tracked if owned. */
  Mono<Integer> scan(String organization);

  /** Stops the sessions' pollers after the step in hand; completes when stopped or at the timeout. */
  Mono<Void> stop(Collection<String> sessionIds, Duration timeout);

  /** Drops the sessions' state (pollers that have stopped). */
  void forget(Collection<String> sessionIds);

  /** Every session with state in the table. */
  List<String> sessionIds();

  /** Whether the session has state in the table (a poller may still run). */
  boolean has(String sessionId);

  static SessionTable of(SessionSupervisor s) {
    return new SessionTable() {
      @Override
      public void restore(Collection<SessionState.Snapshot> snapshots) {
        s.restore(snapshots);
      }

      @Override
      public boolean track(String sessionId) {
        return s.track(sessionId);
      }

      @Override
      public Mono<Integer> scan(String organization) {
        return s.scan(organization);
      }

      @Override
      public Mono<Void> stop(Collection<String> sessionIds, Duration timeout) {
        return s.stop(sessionIds, timeout);
      }

      @Override
      public void forget(Collection<String> sessionIds) {
        s.forget(sessionIds);
      }

      @Override
      public List<String> sessionIds() {
        return s.states().stream().map(SessionState::sessionId).toList();
      }

      @Override
      public boolean has(String sessionId) {
        return s.state(sessionId) != null;
      }
    };
  }
}

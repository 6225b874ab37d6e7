package com.qoder.kafka.source;

import com.qoder.kafka.api.QoderApiException;
import java.util.ArrayDeque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import reactor.core.publisher.Mono;

/**
 * How a {@link SessionPoller} recovers from errors: the documented 404 (asked twice before the
 * session is gone), a rejected cursor (earlier delivered ids, then a re-read from the first event),
 * other API errors, and failed offset writes (written again, with a backoff, before anything else).
 * Each returns the delay before the poller's next step.
 *
 * <p>Stateless: what recovery remembers stays in the poller's own fields, so a session costs no
 * extra object (tens of thousands are followed at once). Logs under {@code SessionPoller}'s logger,
 * the name operators and tests match.
 */
final class PollerRecovery {

  private static final Logger log = LoggerFactory.getLogger(SessionPoller.class);

  private PollerRecovery() {
  }

  /** An API error of a step: the delay before the next one, or the error that ends the poller. */
  static Mono<Long> onApiError(SessionPoller p, QoderApiException e, String cursor) {
    // Only the documented "session not found" ends a session. Any other 404 (a wrong base URL or
    // path prefix, a proxy) falls through: retried like a 5xx, reported, the cursor kept.
    if (e instanceof QoderApiException.NotFound nf && nf.isSessionGone()) {
      if (!p.goneSuspected) {
        // One answer is not enough to stop following a session for good: a replica that has not
        // seen the session yet, a deploy, a misrouted request can all answer the documented 404 once.
        // Ask again after a backoff (the longest poll interval); only a second 404 in a row ends it.
        p.goneSuspected = true;
        p.ctx.listener.error(p.state.sessionId(), e);
        warn(p.state.sessionId(), "the API answered 404 (" + e.getMessage() + "); asking again in "
            + p.maxMillis() + " ms before treating the session as gone", null);
        return Mono.just(p.maxMillis());
      }
      info(p.state.sessionId(), "the API answered 404 again (" + e.getMessage()
          + "): the session is gone; it is no longer polled");
      SessionStatus old = p.state.status();
      p.setStatus(old, SessionStatus.GONE);
      return writeOffset(p, SessionPoller.END);
    }
    if (e instanceof QoderApiException.Authentication) {
      return Mono.error(new FatalPipelineException(e.getMessage(), e));
    }
    p.ctx.listener.error(p.state.sessionId(), e);
    if (e instanceof QoderApiException.InvalidRequest && cursor != null) {
      return recoverFromRejectedCursor(p, cursor, e);
    }
    warn(p.state.sessionId(), e.getMessage() + "; next attempt in " + p.maxMillis() + " ms (cursor kept)",
        null);
    return Mono.just(p.maxMillis());
  }

  /**
   * A cursor can be rejected with 400 when the event it names was deleted (document 003, note 3).
   * Fall back to earlier delivered ids, newest first; when none is accepted, re-read the session
   * from its first event: events created before the newest delivered one, and the de-dup window,
   * drop what was already delivered.
   */
  private static Mono<Long> recoverFromRejectedCursor(SessionPoller p, String cursor, QoderApiException e) {
    if (p.fallbackCursors == null) {
      p.fallbackCursors = new ArrayDeque<>();
      List<String> recent = p.state.recentIds();
      for (int i = recent.size() - 1; i >= 0; i--) {
        if (!recent.get(i).equals(cursor)) {
          p.fallbackCursors.add(recent.get(i));
        }
      }
    }
    String next = p.fallbackCursors.poll();
    if (next != null) {
      warn(p.state.sessionId(), "cursor " + cursor + " rejected (" + e.getMessage()
          + "); retrying from the earlier event " + next, null);
      p.state.advance(next);
    } else {
      warn(p.state.sessionId(), "cursor " + cursor + " rejected and no earlier cursor accepted; re-reading"
          + " the session from its first event, skipping events created before the newest delivered one"
          + " (its position, stored with the offsets, so a restart during the re-read skips them too)", null);
      p.state.resetCursor();
      p.fallbackCursors = null;
    }
    return Mono.just(0L);
  }

  /**
   * Writes the session's offset record and goes on with {@code next}. A failed write is not the
   * end: the state in memory is ahead of the stored one, so the next step writes it again (after a
   * backoff, without a request) before anything else — a session whose final status was not written
   * ends only once it is.
   */
  static Mono<Long> writeOffset(SessionPoller p, long next) {
    return p.ctx.offsets.write(p.state.snapshot())
        .then(Mono.fromCallable(() -> {
          p.offsetUnwritten = false;
          p.writeFailures = 0;
          return next;
        }))
        .onErrorResume(e -> !(e instanceof FatalPipelineException), e -> {
          if (p.phase == SessionPoller.Phase.STOPPING) {
            // Moved to another instance or shutting down (or, exactly-once, its transaction was
            // aborted): the next owner resumes from the stored offsets; writing on would be wrong.
            log.debug("session {}: offset not written while stopping: {}", p.state.sessionId(), e.toString());
            return Mono.just(p.maxMillis());
          }
          p.offsetUnwritten = true;
          long backoff = Math.min(p.maxMillis(),
              p.ctx.options.minInterval().toMillis() << Math.min(p.writeFailures, 20));
          p.writeFailures++;
          warn(p.state.sessionId(), "the offset record could not be written (" + e + "); writing it again in "
              + backoff + " ms", null);
          p.ctx.listener.error(p.state.sessionId(), e);
          return Mono.just(backoff);
        });
  }

  static void warn(String sessionId, String msg, Throwable t) {
    MDC.put("session_id", sessionId);
    try {
      if (t != null && log.isDebugEnabled()) {
        log.warn("session {}: {}", sessionId, msg, t);
      } else {
        log.warn("session {}: {}", sessionId, msg);
      }
    } finally {
      MDC.remove("session_id");
    }
  }

  static void info(String sessionId, String msg) {
    MDC.put("session_id", sessionId);
    try {
      log.info("session {}: {}", sessionId, msg);
    } finally {
      MDC.remove("session_id");
    }
  }
}

package com.qoder.kafka.source;

import com.qoder.kafka.api.SessionEvent;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * Hands a session's new events to Kafka.
 *
 * <p>The returned Mono completes only when Kafka acknowledged every record made from the events,
 * dead letters included; only then does the poller move the session's cursor. It fails when some
 * record could not be delivered; the poller then keeps the cursor and reads the page again.
 *
 * <p>A page whose delivery succeeded is always followed by the session's {@link OffsetWriter#write}
 * before its next request (retried until it succeeds or the poller stops): in exactly-once mode that
 * write is what closes the page's part of the open transaction.
 */
public interface EventDelivery {

  Mono<Report> deliver(String sessionId, List<SessionEvent> events);

  /** What happened to a batch: records delivered to data topics and to the dead-letter topic. */
  record Report(int delivered, int deadLettered) {}
}

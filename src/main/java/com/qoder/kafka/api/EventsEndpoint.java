package com.qoder.kafka.api;

import static com.qoder.kafka.api.EndpointArguments.checkLimit;
import static com.qoder.kafka.api.EndpointArguments.emptyToNull;
import static com.qoder.kafka.api.EndpointArguments.requireCursor;
import static com.qoder.kafka.api.EndpointArguments.requireSessionId;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Document 002: a session's events, oldest first, {@code GET {prefix}/sessions/{sess_id}/events}.
 * {@code after_id} moves forward (toward newer events), {@code before_id} backward; a walk follows
 * {@code last_id} while {@code has_more}. Limits as the generic lists (1–{@value
 * QoderApi#EVENTS_MAX_LIMIT}).
 */
final class EventsEndpoint {

  private final RequestPipeline requests;
  private final PageParser parser;
  private final String pathPrefix;
  private final String endpoint;

  EventsEndpoint(RequestPipeline requests, PageParser parser, String pathPrefix) {
    this.requests = requests;
    this.parser = parser;
    this.pathPrefix = pathPrefix;
    this.endpoint = "GET " + pathPrefix + "/sessions/{session_id}/events";
  }

  Mono<Page<SessionEvent>> after(String sessionId, String afterId, int limit) {
    return Mono.defer(() -> page(sessionId, "after_id", emptyToNull(afterId), limit));
  }

  Mono<Page<SessionEvent>> before(String sessionId, String beforeId, int limit) {
    return Mono.defer(() -> {
      requireCursor("beforeId", beforeId, endpoint);
      return page(sessionId, "before_id", beforeId, limit);
    });
  }

  Flux<Page<SessionEvent>> walk(String sessionId, String afterId, int limit) {
    return Flux.defer(() -> {
      String sid = requireSessionId(sessionId, endpoint);
      checkLimit(limit, QoderApi.EVENTS_MAX_LIMIT, endpoint);
      return PageWalker.walk(emptyToNull(afterId),
          after -> page(sid, "after_id", after, limit),
          (after, page) -> PageWalker.nextById(endpoint, after, page));
    });
  }

  private Mono<Page<SessionEvent>> page(String sessionId, String cursorName, String cursor, int limit) {
    String sid = requireSessionId(sessionId, endpoint);
    checkLimit(limit, QoderApi.EVENTS_MAX_LIMIT, endpoint);
    String uri = pathPrefix + "/sessions/" + QueryString.encode(sid) + "/events"
        + new QueryString().add("limit", limit).add(cursorName, cursor);
    return requests.execute(new ApiRequest(endpoint, uri, null, sid),
        in -> parser.listPage(endpoint, in, SessionEvent::of, false));
  }
}

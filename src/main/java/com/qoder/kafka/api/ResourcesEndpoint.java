package com.qoder.kafka.api;

import static com.qoder.kafka.api.EndpointArguments.checkLimit;
import static com.qoder.kafka.api.EndpointArguments.emptyToNull;
import static com.qoder.kafka.api.EndpointArguments.requireSessionId;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Document 000: a session's resources, {@code GET {prefix}/sessions/{sess_id}/resources}. Two
 * cursor styles, mutually exclusive: an opaque {@code page} token (the previous page's {@code
 * next_page}) or {@code after_id}/{@code before_id}. The server silently clamps {@code limit}
 * above its cap, so the client refuses more than {@value QoderApi#RESOURCES_MAX_LIMIT}.
 */
final class ResourcesEndpoint {

  /** Where a resources walk stands: an opaque page token, or an id to continue after. */
  private record Cursor(String pageToken, String afterId) {}

  private final RequestPipeline requests;
  private final PageParser parser;
  private final String pathPrefix;
  private final String endpoint;

  ResourcesEndpoint(RequestPipeline requests, PageParser parser, String pathPrefix) {
    this.requests = requests;
    this.parser = parser;
    this.pathPrefix = pathPrefix;
    this.endpoint = "GET " + pathPrefix + "/sessions/{session_id}/resources";
  }

  Mono<Page<SessionResource>> byPageToken(String sessionId, String pageToken, int limit) {
    return Mono.defer(() -> request(sessionId, emptyToNull(pageToken), null, null, limit));
  }

  Mono<Page<SessionResource>> byId(String sessionId, String afterId, String beforeId, int limit) {
    return Mono.defer(() -> {
      String after = emptyToNull(afterId);
      String before = emptyToNull(beforeId);
      if ((after == null) == (before == null)) {
        throw new IllegalArgumentException(endpoint + ": give exactly one of afterId and"
            + " beforeId (document 000: they are mutually exclusive), got afterId=" + afterId
            + ", beforeId=" + beforeId);
      }
      return request(sessionId, null, after, before, limit);
    });
  }

  Flux<Page<SessionResource>> walk(String sessionId, int limit) {
    return Flux.defer(() -> {
      String sid = requireSessionId(sessionId, endpoint);
      checkLimit(limit, QoderApi.RESOURCES_MAX_LIMIT, endpoint);
      return PageWalker.walk(new Cursor(null, null),
          c -> request(sid, c.pageToken(), c.afterId(), null, limit),
          this::next);
    });
  }

  private Cursor next(Cursor current, Page<SessionResource> page) {
    if (!page.hasMore()) {
      return null;
    }
    if (page.nextCursor() != null) {
      if (page.nextCursor().equals(current.pageToken())) {
        throw new QoderApiException.MalformedResponse(endpoint,
            "has_more is true but next_page repeats the page token just used", null);
      }
      return new Cursor(page.nextCursor(), null);
    }
    // has_more without next_page: continue by id, which document 000 also offers.
    String next = PageWalker.nextById(endpoint, current.afterId(), page);
    return next == null ? null : new Cursor(null, next);
  }

  private Mono<Page<SessionResource>> request(String sessionId, String pageToken, String afterId,
      String beforeId, int limit) {
    String sid = requireSessionId(sessionId, endpoint);
    checkLimit(limit, QoderApi.RESOURCES_MAX_LIMIT, endpoint);
    int cursors = (pageToken == null ? 0 : 1) + (afterId == null ? 0 : 1) + (beforeId == null ? 0 : 1);
    if (cursors > 1) {
      throw new IllegalArgumentException(endpoint + ": page, after_id and before_id are"
          + " mutually exclusive (document 000)");
    }
    String uri = pathPrefix + "/sessions/" + QueryString.encode(sid) + "/resources"
        + new QueryString().add("limit", limit).add("page", pageToken).add("after_id", afterId)
            .add("before_id", beforeId);
    return requests.execute(new ApiRequest(endpoint, uri, null, sid),
        in -> parser.listPage(endpoint, in, SessionResource::of, true));
  }
}

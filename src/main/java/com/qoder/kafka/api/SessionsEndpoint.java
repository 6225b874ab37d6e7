package com.qoder.kafka.api;

import static com.qoder.kafka.api.EndpointArguments.checkLimit;
import static com.qoder.kafka.api.EndpointArguments.emptyToNull;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Document 004: the sessions of an organization, newest first, {@code GET /api/v1/sessions} (not
 * under the cloud path prefix), and one session, {@code GET /api/v1/sessions/{uuid}}. The
 * organization goes in the {@code X-Organization-Id} header; the list pages by a {@code before}
 * timestamp (strictly before, see {@link SessionsWalk}) and answers {@code nextCursor}; sessions
 * are named by UUID here, by {@code sess_} elsewhere.
 */
final class SessionsEndpoint {

  private static final String LIST_ENDPOINT = "GET " + QoderApiOptions.SESSIONS_PATH;
  private static final String ONE_ENDPOINT = "GET " + QoderApiOptions.SESSIONS_PATH + "/{sessionId}";

  private final RequestPipeline requests;
  private final PageParser parser;
  /** The organization of a request that names none (null: send no header). */
  private final String defaultOrganizationId;

  SessionsEndpoint(RequestPipeline requests, PageParser parser, String defaultOrganizationId) {
    this.requests = requests;
    this.parser = parser;
    this.defaultOrganizationId = defaultOrganizationId;
  }

  Mono<Page<SessionInfo>> page(String organizationId, String before, int limit) {
    return Mono.defer(() -> request(organizationId, emptyToNull(before), limit));
  }

  Flux<Page<SessionInfo>> walk(String organizationId, int limit) {
    return Flux.defer(() -> {
      checkLimit(limit, QoderApi.SESSIONS_MAX_LIMIT, LIST_ENDPOINT);
      SessionsWalk walk = new SessionsWalk(LIST_ENDPOINT, limit);
      return PageWalker.walk((String) null,
          before -> request(organizationId, before, limit).map(page -> walk.accept(before, page)),
          (before, page) -> walk.next());
    });
  }

  Mono<SessionInfo> one(String organizationId, String sessionId) {
    return Mono.defer(() -> {
      if (sessionId == null || sessionId.isBlank()) {
        throw new IllegalArgumentException(ONE_ENDPOINT + ": sessionId is missing");
      }
      // Document 004 names sessions by UUID; accept the sess_ spelling the other endpoints use.
      String uuid = SessionIds.toUuid(sessionId);
      String pathId = uuid != null ? uuid : sessionId;
      String uri = QoderApiOptions.SESSIONS_PATH + "/" + QueryString.encode(pathId);
      return requests.execute(
          new ApiRequest(ONE_ENDPOINT, uri, organization(organizationId), SessionIds.canonical(sessionId)),
          in -> parser.session(ONE_ENDPOINT, in));
    });
  }

  private Mono<Page<SessionInfo>> request(String organizationId, String before, int limit) {
    checkLimit(limit, QoderApi.SESSIONS_MAX_LIMIT, LIST_ENDPOINT);
    String uri = QoderApiOptions.SESSIONS_PATH + new QueryString().add("limit", limit).add("before", before);
    return requests.execute(new ApiRequest(LIST_ENDPOINT, uri, organization(organizationId), null),
        in -> parser.sessionsPage(LIST_ENDPOINT, in));
  }

  private String organization(String perCall) {
    String org = emptyToNull(perCall);
    if (org != null && org.chars().anyMatch(c -> c <= 0x20 || c == 0x7f)) {
      throw new IllegalArgumentException("organizationId must not contain spaces or control characters");
    }
    return org != null ? org : defaultOrganizationId;
  }
}

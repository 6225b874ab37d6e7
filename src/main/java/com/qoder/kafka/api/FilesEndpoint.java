package com.qoder.kafka.api;

import static com.qoder.kafka.api.EndpointArguments.checkLimit;
import static com.qoder.kafka.api.EndpointArguments.emptyToNull;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Document 001: files, newest first, {@code GET {prefix}/files}, optionally of one {@code
 * purpose}. Its cursors are named {@code after}/{@code before} (not {@code after_id}), and
 * {@code after} moves toward <em>older</em> files; a walk follows {@code last_id} while {@code
 * has_more}.
 */
final class FilesEndpoint {

  private final RequestPipeline requests;
  private final PageParser parser;
  private final String pathPrefix;
  private final String endpoint;

  FilesEndpoint(RequestPipeline requests, PageParser parser, String pathPrefix) {
    this.requests = requests;
    this.parser = parser;
    this.pathPrefix = pathPrefix;
    this.endpoint = "GET " + pathPrefix + "/files";
  }

  Mono<Page<QoderFile>> page(String purpose, String after, String before, int limit) {
    return Mono.defer(() -> {
      String a = emptyToNull(after);
      String b = emptyToNull(before);
      if (a != null && b != null) {
        throw new IllegalArgumentException(endpoint + ": after and before are two directions"
            + " of one cursor, give at most one (got after=" + after + ", before=" + before + ")");
      }
      return request(purpose, a, b, limit);
    });
  }

  Flux<Page<QoderFile>> walk(String purpose, int limit) {
    return Flux.defer(() -> {
      checkLimit(limit, QoderApi.LIST_MAX_LIMIT, endpoint);
      return PageWalker.walk((String) null, after -> request(purpose, after, null, limit),
          (after, page) -> PageWalker.nextById(endpoint, after, page));
    });
  }

  private Mono<Page<QoderFile>> request(String purpose, String after, String before, int limit) {
    checkLimit(limit, QoderApi.LIST_MAX_LIMIT, endpoint);
    String uri = pathPrefix + "/files" + new QueryString().add("purpose", emptyToNull(purpose))
        .add("limit", limit).add("after", after).add("before", before);
    return requests.execute(new ApiRequest(endpoint, uri, null, null),
        in -> parser.listPage(endpoint, in, QoderFile::of, false));
  }
}

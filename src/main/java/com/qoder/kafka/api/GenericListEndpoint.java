package com.qoder.kafka.api;

import static com.qoder.kafka.api.EndpointArguments.checkLimit;
import static com.qoder.kafka.api.EndpointArguments.emptyToNull;

import java.util.regex.Pattern;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Document 003: the generic list pagination of every collection under the path prefix ({@code
 * agents}, ...), newest first: {@code after_id} pages toward older records, {@code before_id}
 * back, never both (the server answers 400). A walk follows {@code last_id} while {@code has_more}.
 */
final class GenericListEndpoint {

  /** Collection names: path segments of letters, digits, '_', '-', '.'. */
  private static final Pattern COLLECTION =
      Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9_.-]*(/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*");

  private final RequestPipeline requests;
  private final PageParser parser;
  private final String pathPrefix;

  GenericListEndpoint(RequestPipeline requests, PageParser parser, String pathPrefix) {
    this.requests = requests;
    this.parser = parser;
    this.pathPrefix = pathPrefix;
  }

  Mono<Page<GenericItem>> page(String collection, String afterId, String beforeId, int limit) {
    return Mono.defer(() -> {
      String a = emptyToNull(afterId);
      String b = emptyToNull(beforeId);
      String endpoint = endpoint(collection);
      if (a != null && b != null) {
        throw new IllegalArgumentException(endpoint + ": before_id and after_id are mutually"
            + " exclusive (document 003: sending both returns 400)");
      }
      return request(collection, a, b, limit);
    });
  }

  Flux<Page<GenericItem>> walk(String collection, int limit) {
    return Flux.defer(() -> {
      String endpoint = endpoint(collection);
      checkLimit(limit, QoderApi.LIST_MAX_LIMIT, endpoint);
      return PageWalker.walk((String) null, after -> request(collection, after, null, limit),
          (after, page) -> PageWalker.nextById(endpoint, after, page));
    });
  }

  /** The endpoint template of one collection; refuses a name that is not a path below the prefix. */
  private String endpoint(String collection) {
    if (collection == null || !COLLECTION.matcher(collection).matches()) {
      throw new IllegalArgumentException("collection must be a path below " + pathPrefix
          + " such as 'agents', was '" + collection + "'");
    }
    return "GET " + pathPrefix + "/" + collection;
  }

  private Mono<Page<GenericItem>> request(String collection, String afterId, String beforeId, int limit) {
    String endpoint = endpoint(collection);
    checkLimit(limit, QoderApi.LIST_MAX_LIMIT, endpoint);
    StringBuilder path = new StringBuilder(pathPrefix);
    for (String segment : collection.split("/")) {
      path.append('/').append(QueryString.encode(segment));
    }
    String uri = path + new QueryString().add("limit", limit).add("after_id", afterId)
        .add("before_id", beforeId).toString();
    return requests.execute(new ApiRequest(endpoint, uri, null, null),
        in -> parser.listPage(endpoint, in, GenericItem::of, false));
  }
}

package com.qoder.kafka.api;

/**
 * Hook through which the ops layer counts what the client does on the wire.
 *
 * <p>Called from Netty event loops and timer threads: implementations must be thread-safe and
 * fast (increment a counter, record a timer). The client catches and logs anything an
 * implementation throws, so a broken metrics backend never breaks the data path.
 *
 * <p>{@code endpoint} is a low-cardinality template such as {@code GET
 * /api/v1/cloud/sessions/{session_id}/events}; it never contains ids, cursors or the token.
 */
public interface ApiMetrics {

  /** A hook that records nothing. */
  ApiMetrics NOOP = new ApiMetrics() {};

  /**
   * One HTTP attempt finished: {@code status} is the HTTP status, or 0 when no response arrived
   * (connection refused or reset, timeout); {@code nanos} is the attempt's duration.
   */
  default void request(String endpoint, int status, long nanos) {}

  /** The client will retry {@code endpoint}; {@code reason} is short, e.g. {@code 503} or {@code transport}. */
  default void retry(String endpoint, String reason) {}

  /** A 429 makes the client wait {@code waitMillis} before the next attempt. */
  default void rateLimited(String endpoint, long waitMillis) {}

  /**
   * {@code endpoint} answered a 404 that is not the API's documented "session not found": the
   * request most likely went to a wrong URL ({@code baseUrl}, path prefix, a proxy). {@code
   * message} is the classified, token-free message naming the URL. A later 2xx of the same
   * endpoint ({@link #request}) means the route works again.
   */
  default void misrouted(String endpoint, String baseUrl, String message) {}
}

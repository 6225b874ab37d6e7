package com.qoder.kafka.api;

/**
 * Checks of a caller's arguments shared by the endpoint families, run when a request is
 * subscribed and before it is sent (see {@link QoderApi}): the same mistake gets the same message
 * on every endpoint, prefixed by the endpoint it was made on.
 */
final class EndpointArguments {

  private EndpointArguments() {}

  /** The session id in the {@code sess_} spelling the events and resources endpoints name. */
  static String requireSessionId(String sessionId, String endpoint) {
    if (sessionId == null || sessionId.isBlank()) {
      throw new IllegalArgumentException(endpoint + ": sessionId is missing");
    }
    // The events and resources endpoints name sessions sess_...; accept the UUID spelling too.
    return SessionIds.canonical(sessionId.strip());
  }

  static void requireCursor(String name, String value, String endpoint) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(endpoint + ": " + name + " is required");
    }
  }

  static void checkLimit(int limit, int max, String endpoint) {
    if (limit < 1 || limit > max) {
      throw new IllegalArgumentException(endpoint + ": limit must be within 1.." + max
          + " (the documented range), was " + limit);
    }
  }

  /** An empty cursor means "no cursor", like null (see {@link QoderApi}). */
  static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}

package com.qoder.kafka.sim;

import java.util.Map;

/**
 * Counters of requests served since start or the last reset. Maps are immutable snapshots.
 *
 * @param total every request to the public API, control API excluded
 * @param byEndpoint requests per endpoint
 * @param bySession requests per canonical {@code sess_} id (events, resources and single-session reads)
 * @param byStatus requests per HTTP status (0: connection reset)
 */
public record RequestStats(long total, Map<Endpoint, Long> byEndpoint, Map<String, Long> bySession,
    Map<Integer, Long> byStatus) {

  public long endpoint(Endpoint e) {
    return byEndpoint.getOrDefault(e, 0L);
  }

  public long session(String sessionId) {
    return bySession.getOrDefault(sessionId, 0L);
  }

  public long status(int status) {
    return byStatus.getOrDefault(status, 0L);
  }
}

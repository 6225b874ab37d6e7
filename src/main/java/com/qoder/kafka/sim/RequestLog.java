package com.qoder.kafka.sim;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Counters and a bounded log of the requests to the public API. The log keeps the newest
 * {@code capacity} records; counters count everything since the last reset.
 *
 * <p>Thread-safe: one lock; each request touches it once, which costs far less than the request.
 */
final class RequestLog {

  private final int capacity;
  private final ArrayDeque<RequestRecord> ring;
  private final EnumMap<Endpoint, Long> byEndpoint = new EnumMap<>(Endpoint.class);
  private final Map<String, Long> bySession = new HashMap<>();
  private final Map<Integer, Long> byStatus = new HashMap<>();
  private long sequence;
  private long total;

  RequestLog(int capacity) {
    this.capacity = capacity;
    this.ring = new ArrayDeque<>(Math.min(capacity, 1024));
  }

  synchronized long nextSequence() {
    return ++sequence;
  }

  synchronized void record(long seq, Instant time, String method, String path, String query,
      Endpoint endpoint, String sessionId, int status, String fault, String userAgent) {
    total++;
    byEndpoint.merge(endpoint, 1L, Long::sum);
    if (sessionId != null) {
      bySession.merge(sessionId, 1L, Long::sum);
    }
    byStatus.merge(status, 1L, Long::sum);
    if (capacity > 0) {
      if (ring.size() == capacity) {
        ring.removeFirst();
      }
      ring.addLast(new RequestRecord(seq, time, method, path, query, endpoint, sessionId, status, fault,
          userAgent));
    }
  }

  synchronized List<RequestRecord> records() {
    return new ArrayList<>(ring);
  }

  synchronized RequestStats stats() {
    return new RequestStats(total, Map.copyOf(byEndpoint), Map.copyOf(bySession), Map.copyOf(byStatus));
  }

  synchronized void reset() {
    ring.clear();
    byEndpoint.clear();
    bySession.clear();
    byStatus.clear();
    total = 0;
  }
}

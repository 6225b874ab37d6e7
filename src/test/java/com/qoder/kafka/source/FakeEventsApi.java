package com.qoder.kafka.source;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.qoder.kafka.api.GenericItem;
import com.qoder.kafka.api.Page;
import com.qoder.kafka.api.QoderApi;
import com.qoder.kafka.api.QoderApiException;
import com.qoder.kafka.api.QoderFile;
import com.qoder.kafka.api.SessionEvent;
import com.qoder.kafka.api.SessionInfo;
import com.qoder.kafka.api.SessionResource;
import com.qoder.kafka.api.Timestamps;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * An in-process events endpoint (document 002) that behaves as badly as the documents allow:
 * several events may share a {@code created_at}, some events have none, a deleted event used as a
 * cursor is answered with 400 (document 003, note 3), and the API may answer a cursor as if it
 * were absent (a replay from the first event). Only {@link #eventsAfter} is served; a poller needs
 * nothing else. Thread-safe (one lock).
 */
final class FakeEventsApi implements QoderApi {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, History> sessions = new ConcurrentHashMap<>();
  private final AtomicLong requests = new AtomicLong();
  private long idCounter;

  /** One session's history, oldest first. */
  private static final class History {
    final List<SessionEvent> events = new ArrayList<>();
    final Set<String> deleted = new HashSet<>();
    int replaysLeft; // requests with a cursor still answered as if from the first event
    long clock = 1_767_225_600_000_000_000L; // 2026-01-01, epoch ns
  }

  private synchronized History history(String sessionId) {
    return sessions.computeIfAbsent(sessionId, k -> new History());
  }

  /** Appends {@code n} events, each {@code stepNanos} after the previous one (0: all at the same instant). */
  synchronized List<String> append(String sessionId, int n, long stepNanos) {
    History h = history(sessionId);
    List<String> ids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      h.clock += stepNanos;
      ids.add(add(sessionId, h, Timestamps.format(h.clock), "agent.message"));
    }
    return ids;
  }

  /** Appends one event without a {@code created_at} (a document the connector cannot order by time). */
  synchronized String appendUntimed(String sessionId) {
    return add(sessionId, history(sessionId), null, "agent.message");
  }

  synchronized String appendTerminated(String sessionId) {
    History h = history(sessionId);
    h.clock += 1_000;
    return add(sessionId, h, Timestamps.format(h.clock), "terminated");
  }

  private String add(String sessionId, History h, String createdAt, String type) {
    // Ids are neither time-ordered nor ordered at all: a hash of a counter.
    String id = "evt_" + Long.toHexString(DedupWindow.fingerprint(Long.toString(++idCounter))) + idCounter;
    ObjectNode json = JSON.createObjectNode().put("id", id).put("type", type).put("session_id", sessionId);
    if (createdAt != null) {
      json.put("created_at", createdAt);
    }
    json.putObject("data").put("text", "x".repeat(40));
    h.events.add(SessionEvent.of(json));
    return id;
  }

  /** Deletes the newest {@code n} events: a cursor naming one of them is answered with 400. */
  synchronized List<String> deleteNewest(String sessionId, int n) {
    History h = history(sessionId);
    List<String> gone = new ArrayList<>();
    for (int i = 0; i < n && !h.events.isEmpty(); i++) {
      String id = h.events.remove(h.events.size() - 1).id();
      h.deleted.add(id);
      gone.add(id);
    }
    return gone;
  }

  /** The next {@code requests} requests with a cursor are answered as if they had none. */
  synchronized void replayFromStart(String sessionId, int requests) {
    history(sessionId).replaysLeft = requests;
  }

  synchronized int replaysLeft(String sessionId) {
    return history(sessionId).replaysLeft;
  }

  synchronized List<String> eventIds(String sessionId) {
    return history(sessionId).events.stream().map(SessionEvent::id).toList();
  }

  long requests() {
    return requests.get();
  }

  @Override
  public Mono<Page<SessionEvent>> eventsAfter(String sessionId, String afterId, int limit) {
    return Mono.fromCallable(() -> page(sessionId, afterId, limit));
  }

  private synchronized Page<SessionEvent> page(String sessionId, String afterId, int limit) {
    requests.incrementAndGet();
    History h = history(sessionId);
    String endpoint = "GET /v1/sessions/" + sessionId + "/events";
    int from;
    if (afterId == null) {
      from = 0;
    } else if (h.replaysLeft > 0) {
      h.replaysLeft--;
      from = 0;
    } else if (h.deleted.contains(afterId)) {
      throw new QoderApiException.InvalidRequest(endpoint, "invalid_request_error", "after_id " + afterId
          + " does not exist");
    } else {
      int at = -1;
      for (int i = 0; i < h.events.size(); i++) {
        if (h.events.get(i).id().equals(afterId)) {
          at = i;
          break;
        }
      }
      if (at < 0) {
        throw new QoderApiException.InvalidRequest(endpoint, "invalid_request_error", "unknown after_id " + afterId);
      }
      from = at + 1;
    }
    int to = Math.min(h.events.size(), from + limit);
    List<SessionEvent> data = List.copyOf(h.events.subList(from, to));
    return new Page<>(data, data.isEmpty() ? null : data.get(0).id(),
        data.isEmpty() ? null : data.get(data.size() - 1).id(), to < h.events.size(), null);
  }

  // --- not served --------------------------------------------------------------------------------

  @Override
  public Mono<Page<SessionEvent>> eventsBefore(String sessionId, String beforeId, int limit) {
    return Mono.error(new UnsupportedOperationException("eventsBefore"));
  }

  @Override
  public Flux<Page<SessionEvent>> events(String sessionId, String afterId, int limit) {
    return Flux.error(new UnsupportedOperationException("events"));
  }

  @Override
  public Mono<Page<SessionResource>> resourcesPage(String sessionId, String pageToken, int limit) {
    return Mono.error(new UnsupportedOperationException("resourcesPage"));
  }

  @Override
  public Mono<Page<SessionResource>> resourcesById(String sessionId, String afterId, String beforeId, int limit) {
    return Mono.error(new UnsupportedOperationException("resourcesById"));
  }

  @Override
  public Flux<Page<SessionResource>> resources(String sessionId, int limit) {
    return Flux.error(new UnsupportedOperationException("resources"));
  }

  @Override
  public Mono<Page<QoderFile>> filesPage(String purpose, String after, String before, int limit) {
    return Mono.error(new UnsupportedOperationException("filesPage"));
  }

  @Override
  public Flux<Page<QoderFile>> files(String purpose, int limit) {
    return Flux.error(new UnsupportedOperationException("files"));
  }

  @Override
  public Mono<Page<GenericItem>> listPage(String collection, String afterId, String beforeId, int limit) {
    return Mono.error(new UnsupportedOperationException("listPage"));
  }

  @Override
  public Flux<Page<GenericItem>> list(String collection, int limit) {
    return Flux.error(new UnsupportedOperationException("list"));
  }

  @Override
  public Mono<Page<SessionInfo>> sessionsPage(String organizationId, String before, int limit) {
    return Mono.error(new UnsupportedOperationException("sessionsPage"));
  }

  @Override
  public Flux<Page<SessionInfo>> sessions(String organizationId, int limit) {
    return Flux.error(new UnsupportedOperationException("sessions"));
  }

  @Override
  public Mono<SessionInfo> session(String organizationId, String sessionId) {
    return Mono.error(new UnsupportedOperationException("session"));
  }
}

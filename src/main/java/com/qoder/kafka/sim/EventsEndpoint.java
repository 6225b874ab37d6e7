package com.qoder.kafka.sim;

import static com.qoder.kafka.sim.PageJson.stringOrNull;
import static com.qoder.kafka.sim.RequestChecks.DEFAULT_LIMIT;
import static com.qoder.kafka.sim.RequestChecks.LIST_MAX_LIMIT;
import static com.qoder.kafka.sim.RequestChecks.exclusive;
import static com.qoder.kafka.sim.RequestChecks.limit;
import static com.qoder.kafka.sim.RequestChecks.param;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Document 002, a session's events: {@code after_id}/{@code before_id} paging over the event log,
 * skipping deleted events, and the store of frozen pages the bench serves. Its own class because
 * it is the endpoint the connector reads hardest and the only one with a page cache.
 */
final class EventsEndpoint {

  private final SimData data;
  private final Faults faults;
  private final AnswerFaults answerFaults;
  private final ObjectMapper mapper;
  private final PageJson json;
  /**
   * Events pages rendered once and served as stored bytes (null: render every request). The bench
   * freezes a backfill's pages before its measured run so that the simulator's cost per page is a
   * map lookup, not JSON rendering, and the measurement is the connector's.
   */
  private volatile ConcurrentHashMap<String, byte[]> frozenEventPages;

  EventsEndpoint(SimData data, Faults faults, AnswerFaults answerFaults, ObjectMapper mapper, PageJson json) {
    this.data = data;
    this.faults = faults;
    this.answerFaults = answerFaults;
    this.mapper = mapper;
    this.json = json;
  }

  Answer events(ApiHandler.Route route, Map<String, List<String>> q) {
    int limit = limit(q, DEFAULT_LIMIT, LIST_MAX_LIMIT, false);
    String afterId = param(q, "after_id");
    String beforeId = param(q, "before_id");
    exclusive("before_id", beforeId, "after_id", afterId);
    SimSession s = RequestChecks.requireSession(data, route.rawSessionId());
    String sessionId = s.id;
    var frozen = frozenEventPages;
    if (frozen != null) {
      byte[] stored = frozen.get(pageKey(sessionId, afterId, beforeId, limit));
      if (stored != null) {
        return Answer.ok(stored);
      }
    }
    Answer answer = renderEvents(s, afterId, beforeId, limit);
    if (frozen != null && answer.headers().isEmpty()) {
      frozen.put(pageKey(sessionId, afterId, beforeId, limit), answer.body());
    }
    return answer;
  }

  private static String pageKey(String sessionId, String afterId, String beforeId, int limit) {
    return sessionId + '|' + afterId + '|' + beforeId + '|' + limit;
  }

  /**
   * From now on events pages are served from stored bytes: each distinct request is rendered once,
   * the first time it is asked (or by {@link #prerenderEventPages}'s own walk). Only for sessions
   * that no longer change and no faults: a stored page does not see later events, deletions or faults.
   */
  private void freezeEventPages() {
    if (frozenEventPages == null) {
      frozenEventPages = new ConcurrentHashMap<>();
    }
  }

  /** Renders and stores every page of a walk of {@code sessionId} from the start with {@code limit}; returns their bytes. */
  long prerenderEventPages(String sessionId, int limit) {
    freezeEventPages();
    SimSession s = RequestChecks.requireSession(data, sessionId);
    String after = null;
    long bytes = 0;
    while (true) {
      Answer a = renderEvents(s, after, null, limit);
      frozenEventPages.put(pageKey(s.id, after, null, limit), a.body());
      bytes += a.body().length;
      try {
        JsonNode page = mapper.readTree(a.body());
        if (!page.path("has_more").asBoolean() || page.path("last_id").isNull()) {
          return bytes;
        }
        after = page.path("last_id").asText();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private Answer renderEvents(SimSession s, String afterId, String beforeId, int limit) {
    String sessionId = s.id;
    return s.read(log -> {
      int from;
      int step;
      String fault = null;
      if (afterId != null) {
        from = eventIndex(log, afterId, "after_id", s) + 1;
        step = 1;
        answerFaults.rejectCursor(Endpoint.EVENTS, sessionId, "after_id", afterId,
            "an event of session '" + s.id + "'");
        if (faults.replayFromStart(sessionId)) {
          from = 0; // answers the cursor as if there were none
          fault = "replay_from_start";
        }
      } else if (beforeId != null) {
        from = eventIndex(log, beforeId, "before_id", s) - 1;
        step = -1;
        answerFaults.rejectCursor(Endpoint.EVENTS, sessionId, "before_id", beforeId,
            "an event of session '" + s.id + "'");
      } else {
        from = 0;
        step = 1;
      }
      if (faults.emptyPage(Endpoint.EVENTS, sessionId)) {
        return answerFaults.emptyListPage(false);
      }
      List<Integer> picked = new ArrayList<>(Math.min(limit, 128));
      int i = from;
      for (; i >= 0 && i < log.size() && picked.size() < limit; i += step) {
        if (!log.isDeleted(i)) {
          picked.add(i);
        }
      }
      boolean hasMore = false;
      for (; i >= 0 && i < log.size(); i += step) {
        if (!log.isDeleted(i)) {
          hasMore = true;
          break;
        }
      }
      if (step < 0) {
        Collections.reverse(picked); // oldest first within the page, as documented
      }
      boolean more = hasMore;
      byte[] body = json.render(g -> {
        g.writeStartObject();
        g.writeArrayFieldStart("data");
        for (int idx : picked) {
          EventRenderer.write(g, mapper, s, log, idx);
        }
        g.writeEndArray();
        stringOrNull(g, "first_id", picked.isEmpty() ? null : log.id(picked.get(0)));
        stringOrNull(g, "last_id", picked.isEmpty() ? null : log.id(picked.get(picked.size() - 1)));
        g.writeBooleanField("has_more", more);
        g.writeEndObject();
      });
      return fault == null ? Answer.ok(body) : new Answer(200, body, Map.of("x-sim-fault", fault));
    });
  }

  private static int eventIndex(EventLog log, String id, String name, SimSession s) {
    long[] parts = new long[2];
    int i = Ids.parse128(id, "evt_", parts) ? log.indexOf(parts[0], parts[1]) : -1;
    if (i < 0) {
      throw ApiError.invalidRequest(name + " '" + id + "' does not name an event of session '" + s.id
          + "' (it may have been deleted); restart paging from a known event id.");
    }
    return i;
  }
}

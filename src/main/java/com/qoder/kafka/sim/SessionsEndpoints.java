package com.qoder.kafka.sim;

import static com.qoder.kafka.sim.PageJson.stringOrNull;
import static com.qoder.kafka.sim.RequestChecks.SESSIONS_DEFAULT_LIMIT;
import static com.qoder.kafka.sim.RequestChecks.SESSIONS_MAX_LIMIT;
import static com.qoder.kafka.sim.RequestChecks.limit;
import static com.qoder.kafka.sim.RequestChecks.param;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.LongSupplier;

/**
 * Document 004, the sessions list and one session: the only endpoints scoped by organization
 * ({@code X-Organization-Id}) and paged by a timestamp ({@code before}/{@code nextCursor}) rather
 * than an id, in camelCase, so they share nothing with the other lists but the limit check.
 */
final class SessionsEndpoints {

  private final SimData data;
  private final Faults faults;
  private final PageJson json;
  private final LongSupplier nowNanos;

  SessionsEndpoints(SimData data, Faults faults, PageJson json, LongSupplier nowNanos) {
    this.data = data;
    this.faults = faults;
    this.json = json;
    this.nowNanos = nowNanos;
  }

  Answer sessions(Map<String, List<String>> q, String orgHeader) {
    int limit = limit(q, SESSIONS_DEFAULT_LIMIT, SESSIONS_MAX_LIMIT, false);
    String before = param(q, "before");
    long beforeNanos = Long.MAX_VALUE;
    if (before != null) {
      try {
        // Parsed with java.time: an instant past 2262 must page, not overflow a long of nanoseconds.
        Instant i = DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(before, Instant::from);
        beforeNanos = i.getEpochSecond() >= Long.MAX_VALUE / 1_000_000_000L ? Long.MAX_VALUE
            : i.getEpochSecond() <= Long.MIN_VALUE / 1_000_000_000L ? Long.MIN_VALUE
            : i.getEpochSecond() * 1_000_000_000L + i.getNano();
      } catch (DateTimeException e) {
        throw ApiError.invalidRequest("before must be an RFC 3339 timestamp such as 2026-05-18T03:40:48.888Z; got '"
            + before + "'.");
      }
    }
    String org = organization(orgHeader);
    ConcurrentSkipListMap<SimData.ListKey, SimSession> all = data.sessionsOf(org);
    if (faults.emptyPage(Endpoint.SESSIONS, null)) {
      // An empty page whose nextCursor lists the same sessions again: the one sent, else just
      // after the newest session (or now when there is none).
      String cursor = before != null ? before
          : SimTime.format(all.isEmpty() ? nowNanos.getAsLong() : all.lastKey().createdNanos() + 1);
      return new Answer(200, json.render(g -> {
        g.writeStartObject();
        g.writeStringField("object", "list");
        g.writeArrayFieldStart("data");
        g.writeEndArray();
        g.writeStringField("nextCursor", cursor);
        g.writeEndObject();
      }), Map.of("x-sim-fault", "empty_page"));
    }
    List<SimSession> page = new ArrayList<>(Math.min(limit, 128));
    boolean hasMore = false;
    // Strictly before, as document 004 says: a session whose createdAt equals the cursor is not on the page.
    for (SimSession s : all.headMap(SimData.ListKey.below(beforeNanos), false).descendingMap().values()) {
      if (s.isDeleted()) {
        continue;
      }
      if (page.size() == limit) {
        hasMore = true;
        break;
      }
      page.add(s);
    }
    boolean more = hasMore;
    return Answer.ok(json.render(g -> {
      g.writeStartObject();
      g.writeStringField("object", "list");
      g.writeArrayFieldStart("data");
      for (SimSession s : page) {
        writeSession(g, s);
      }
      g.writeEndArray();
      if (more) { // document 004: "absent when there are no more results"
        g.writeStringField("nextCursor", SimTime.format(page.get(page.size() - 1).createdNanos));
      }
      g.writeEndObject();
    }));
  }

  Answer session(ApiHandler.Route route, String orgHeader) {
    String org = organization(orgHeader);
    SimSession s = data.session(route.rawSessionId());
    if (s == null || !s.organization.equals(org)) {
      throw ApiError.notFound("Session '" + route.rawSessionId() + "' was not found.");
    }
    return Answer.ok(json.render(g -> writeSession(g, s)));
  }

  private String organization(String header) {
    if (header == null || header.isBlank()) {
      return data.defaultOrganization;
    }
    String org = header.trim();
    if (data.sessionsOf(org) == null) {
      throw ApiError.notFound("Organization '" + org + "' was not found or you are not a member of it.");
    }
    return org;
  }

  private static void writeSession(JsonGenerator g, SimSession s) throws IOException {
    g.writeStartObject();
    g.writeStringField("id", s.uuid);
    g.writeStringField("organization", s.organization);
    g.writeStringField("user", s.user);
    g.writeObjectFieldStart("device");
    g.writeStringField("id", s.device.id());
    g.writeStringField("platform", s.device.platform());
    g.writeStringField("type", s.device.type());
    g.writeStringField("name", s.device.name());
    g.writeStringField("osVersion", s.device.osVersion());
    g.writeEndObject();
    g.writeStringField("createdAt", SimTime.format(s.createdNanos));
    Long released = s.releasedNanos();
    stringOrNull(g, "releasedAt", released == null ? null : SimTime.format(released));
    g.writeEndObject();
  }
}

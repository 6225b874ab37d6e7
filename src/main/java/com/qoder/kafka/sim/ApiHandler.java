package com.qoder.kafka.sim;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.qoder.kafka.sim.Items.AgentItem;
import com.qoder.kafka.sim.Items.FileItem;
import com.qoder.kafka.sim.Items.ResourceItem;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * The five documents as code: routing, parameter validation, paging and the JSON of each
 * endpoint. Pure request → answer logic with no I/O; {@link SimServer} adds auth, faults and HTTP.
 *
 * <p>Paging semantics (the documents leave the direction of {@code has_more} open; this is the
 * common reading): a page walks from the cursor in the direction the cursor asks for, and {@code
 * has_more} says whether more items exist beyond the page in that same direction. A {@code
 * before} page is still returned in the endpoint's documented order.
 *
 * <p>Validation order: query parameters (400), then the session (404), then cursors (400).
 */
final class ApiHandler {

  /** Which endpoint a path names, with the session id as sent (either spelling) when it has one. */
  record Route(Endpoint endpoint, String rawSessionId) {
    String sessionId() {
      return rawSessionId == null ? null : Ids.canonicalSessionId(rawSessionId);
    }
  }

  static final int DEFAULT_LIMIT = 20; // documents 000, 002, 003
  static final int LIST_MAX_LIMIT = 100; // document 003: "range 1–100"
  static final int RESOURCES_MAX_LIMIT = 1000; // document 000: "server cap (currently 1000)"
  static final int SESSIONS_DEFAULT_LIMIT = 100; // document 004
  static final int SESSIONS_MAX_LIMIT = 500; // document 004

  private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");
  private static final String TOKEN_VERSION = "p1";

  private final SimData data;
  private final Faults faults;
  private final ObjectMapper mapper;
  private final java.util.function.LongSupplier nowNanos;
  /** Bumped to expire every resources page token issued so far. */
  private final AtomicInteger tokenGeneration = new AtomicInteger();
  /**
   * Events pages rendered once and served as stored bytes (null: render every request). The bench
   * freezes a backfill's pages before its measured run so that the simulator's cost per page is a
   * map lookup, not JSON rendering, and the measurement is the connector's.
   */
  private volatile java.util.concurrent.ConcurrentHashMap<String, byte[]> frozenEventPages;

  ApiHandler(SimData data, Faults faults, ObjectMapper mapper, java.util.function.LongSupplier nowNanos) {
    this.data = data;
    this.faults = faults;
    this.mapper = mapper;
    this.nowNanos = nowNanos;
  }

  void invalidateResourceCursors() {
    tokenGeneration.incrementAndGet();
  }

  // ---- routing -------------------------------------------------------------------------------

  static Route route(String path) {
    String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    String[] s = p.split("/", -1); // s[0] is "" (leading slash)
    int base;
    boolean cloud;
    if (s.length >= 3 && s[1].equals("v1")) {
      base = 2;
      cloud = false;
    } else if (s.length >= 5 && s[1].equals("api") && s[2].equals("v1") && s[3].equals("cloud")) {
      base = 4;
      cloud = true;
    } else if (s.length >= 4 && s[1].equals("api") && s[2].equals("v1") && s[3].equals("sessions")) {
      base = 3; // document 004 lives at /api/v1/sessions, outside /cloud
      cloud = false;
    } else {
      return new Route(Endpoint.UNKNOWN, null);
    }
    int rest = s.length - base;
    String head = s[base];
    if (rest == 1) {
      return switch (head) {
        case "files" -> new Route(Endpoint.FILES, null);
        case "agents" -> new Route(Endpoint.AGENTS, null);
        case "sessions" -> cloud ? new Route(Endpoint.UNKNOWN, null) : new Route(Endpoint.SESSIONS, null);
        default -> new Route(Endpoint.UNKNOWN, null);
      };
    }
    if (head.equals("sessions") && !s[base + 1].isEmpty()) {
      if (rest == 2 && !cloud) {
        return new Route(Endpoint.SESSION, s[base + 1]);
      }
      if (rest == 3 && s[base + 2].equals("events") && (cloud || base == 2)) {
        return new Route(Endpoint.EVENTS, s[base + 1]);
      }
      if (rest == 3 && s[base + 2].equals("resources") && (cloud || base == 2)) {
        return new Route(Endpoint.RESOURCES, s[base + 1]);
      }
    }
    return new Route(Endpoint.UNKNOWN, null);
  }

  Answer answer(Route route, String method, String path, Map<String, List<String>> query, String organizationHeader) {
    if (route.endpoint() == Endpoint.UNKNOWN) {
      throw ApiError.notFound("No endpoint at '" + path + "'. See the simulator README for the paths it serves.");
    }
    if (!method.equals("GET")) {
      throw ApiError.methodNotAllowed("Method " + method + " is not allowed on '" + path + "'; use GET.");
    }
    return switch (route.endpoint()) {
      case EVENTS -> events(route, query);
      case RESOURCES -> resources(route, query);
      case FILES -> files(query);
      case AGENTS -> agents(query);
      case SESSIONS -> sessions(query, organizationHeader);
      case SESSION -> session(route, organizationHeader);
      case UNKNOWN -> throw new IllegalStateException();
    };
  }

  // ---- document 002: events ------------------------------------------------------------------

  private Answer events(Route route, Map<String, List<String>> q) {
    int limit = limit(q, DEFAULT_LIMIT, LIST_MAX_LIMIT, false);
    String afterId = param(q, "after_id");
    String beforeId = param(q, "before_id");
    exclusive("before_id", beforeId, "after_id", afterId);
    SimSession s = requireSession(route.rawSessionId());
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
   * the first time it is asked (or by {@link #freezeEventPages}'s own walk). Only for sessions that
   * no longer change and no faults: a stored page does not see later events, deletions or faults.
   */
  void freezeEventPages() {
    if (frozenEventPages == null) {
      frozenEventPages = new java.util.concurrent.ConcurrentHashMap<>();
    }
  }

  /** Renders and stores every page of a walk of {@code sessionId} from the start with {@code limit}; returns their bytes. */
  long prerenderEventPages(String sessionId, int limit) {
    freezeEventPages();
    SimSession s = requireSession(sessionId);
    String after = null;
    long bytes = 0;
    while (true) {
      Answer a = renderEvents(s, after, null, limit);
      frozenEventPages.put(pageKey(s.id, after, null, limit), a.body());
      bytes += a.body().length;
      try {
        com.fasterxml.jackson.databind.JsonNode page = mapper.readTree(a.body());
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
        rejectCursor(Endpoint.EVENTS, sessionId, "after_id", afterId, "an event of session '" + s.id + "'");
        if (faults.replayFromStart(sessionId)) {
          from = 0; // answers the cursor as if there were none
          fault = "replay_from_start";
        }
      } else if (beforeId != null) {
        from = eventIndex(log, beforeId, "before_id", s) - 1;
        step = -1;
        rejectCursor(Endpoint.EVENTS, sessionId, "before_id", beforeId, "an event of session '" + s.id + "'");
      } else {
        from = 0;
        step = 1;
      }
      if (faults.emptyPage(Endpoint.EVENTS, sessionId)) {
        return emptyListPage(false);
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
        java.util.Collections.reverse(picked); // oldest first within the page, as documented
      }
      boolean more = hasMore;
      byte[] body = json(g -> {
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

  // ---- document 000: resources ---------------------------------------------------------------

  private Answer resources(Route route, Map<String, List<String>> q) {
    int limit = limit(q, DEFAULT_LIMIT, RESOURCES_MAX_LIMIT, true);
    String page = param(q, "page");
    String afterId = param(q, "after_id");
    String beforeId = param(q, "before_id");
    exclusive("page", page, "after_id", afterId);
    exclusive("page", page, "before_id", beforeId);
    exclusive("before_id", beforeId, "after_id", afterId);
    SimSession s = requireSession(route.rawSessionId());
    ItemStore<ResourceItem> store = s.resources;
    int step = 1;
    int from = 0;
    if (page != null) {
      String[] token = decodeToken(page, s);
      step = token[0].equals("b") ? -1 : 1;
      if (token[1].isEmpty()) { // issued by an empty page that had no cursor: the start of the list
        from = store.end(step);
      } else {
        int at = store.indexOf(token[1]);
        if (at < 0) {
          throw ApiError.invalidRequest("page token points at resource '" + token[1]
              + "', which no longer exists; restart from the first page (no page parameter).");
        }
        from = at + step;
      }
    } else if (afterId != null) {
      from = resourceIndex(store, afterId, "after_id", s) + 1;
      rejectCursor(Endpoint.RESOURCES, s.id, "after_id", afterId, "a resource of session '" + s.id + "'");
    } else if (beforeId != null) {
      step = -1;
      from = resourceIndex(store, beforeId, "before_id", s) - 1;
      rejectCursor(Endpoint.RESOURCES, s.id, "before_id", beforeId, "a resource of session '" + s.id + "'");
    }
    if (faults.emptyPage(Endpoint.RESOURCES, s.id)) {
      // next_page continues from exactly where this request stood, so nothing is skipped.
      String same = page != null ? page
          : encodeToken(s, beforeId != null ? "b" : "a", afterId != null ? afterId : beforeId != null ? beforeId : "");
      return emptyResourcesPage(same);
    }
    ItemStore.Slice<ResourceItem> slice = store.walk(from, step, limit, r -> true);
    String next = !slice.hasMore() ? null
        : encodeToken(s, step > 0 ? "a" : "b", slice.items().get(slice.items().size() - 1).id());
    if (step < 0) {
      slice = ItemStore.reversed(slice);
    }
    List<ResourceItem> items = slice.items();
    boolean hasMore = slice.hasMore();
    return Answer.ok(json(g -> {
      g.writeStartObject();
      g.writeArrayFieldStart("data");
      for (ResourceItem r : items) {
        g.writeStartObject();
        g.writeStringField("id", r.id());
        g.writeStringField("type", r.type());
        g.writeStringField("file_id", r.fileId());
        g.writeStringField("mount_path", r.mountPath());
        g.writeStringField("created_at", SimTime.format(r.createdNanos()));
        g.writeStringField("updated_at", SimTime.format(r.updatedNanos()));
        g.writeEndObject();
      }
      g.writeEndArray();
      stringOrNull(g, "first_id", items.isEmpty() ? null : items.get(0).id());
      stringOrNull(g, "last_id", items.isEmpty() ? null : items.get(items.size() - 1).id());
      g.writeBooleanField("has_more", hasMore);
      stringOrNull(g, "next_page", next);
      g.writeEndObject();
    }));
  }

  private static int resourceIndex(ItemStore<ResourceItem> store, String id, String name, SimSession s) {
    int i = store.indexOf(id);
    if (i < 0) {
      throw ApiError.invalidRequest(name + " '" + id + "' does not name a resource of session '" + s.id
          + "' (it may have been deleted).");
    }
    return i;
  }

  /** Opaque to clients: base64url of version, session, generation, direction and resource id. */
  private String encodeToken(SimSession s, String direction, String resourceId) {
    String raw = String.join("|", TOKEN_VERSION, s.id, Integer.toString(tokenGeneration.get()), direction, resourceId);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  /** Returns {direction, resourceId}; 400 when the token is not one this server issued for this session. */
  private String[] decodeToken(String token, SimSession s) {
    String[] parts;
    try {
      parts = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8).split("\\|", -1);
    } catch (IllegalArgumentException e) {
      parts = new String[0];
    }
    if (parts.length != 5 || !parts[0].equals(TOKEN_VERSION) || !parts[1].equals(s.id)
        || !(parts[3].equals("a") || parts[3].equals("b"))) {
      throw ApiError.invalidRequest("page token '" + token + "' is not valid for session '" + s.id
          + "'; pass the next_page value of a previous response unchanged.");
    }
    if (!parts[2].equals(Integer.toString(tokenGeneration.get())) || faults.invalidResourceCursor(s.id)) {
      throw ApiError.invalidRequest("page token has expired; restart from the first page (no page parameter).");
    }
    return new String[] {parts[3], parts[4]};
  }

  // ---- document 001: files -------------------------------------------------------------------

  private Answer files(Map<String, List<String>> q) {
    String purpose = param(q, "purpose");
    if (purpose != null && !SimData.PURPOSES.contains(purpose)) {
      throw ApiError.invalidRequest("purpose must be one of " + String.join(", ", SimData.PURPOSES)
          + "; got '" + purpose + "'.");
    }
    int limit = limit(q, DEFAULT_LIMIT, LIST_MAX_LIMIT, false);
    String after = param(q, "after");
    String before = param(q, "before");
    exclusive("before", before, "after", after);
    ItemStore.Slice<FileItem> slice = newestFirst(data.files, limit, after, before, "after", "before", "file",
        f -> purpose == null || purpose.equals(f.purpose()));
    rejectCursor(Endpoint.FILES, null, after != null ? "after" : "before", after != null ? after : before, "a file");
    if (faults.emptyPage(Endpoint.FILES, null)) {
      return emptyListPage(true);
    }
    List<FileItem> items = slice.items();
    return Answer.ok(json(g -> {
      g.writeStartObject();
      g.writeArrayFieldStart("data");
      for (FileItem f : items) {
        g.writeStartObject();
        g.writeStringField("created_at", SimTime.format(f.createdNanos()));
        g.writeStringField("file_id", f.fileId());
        g.writeStringField("filename", f.filename());
        g.writeObjectFieldStart("metadata");
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(f.metadata()).entrySet()) {
          g.writeStringField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
        g.writeStringField("mime_type", f.mimeType());
        g.writeStringField("purpose", f.purpose());
        g.writeNumberField("size_bytes", f.sizeBytes());
        g.writeStringField("status", f.status());
        g.writeStringField("updated_at", SimTime.format(f.updatedNanos()));
        g.writeEndObject();
      }
      g.writeEndArray();
      stringOrNull(g, "first_id", items.isEmpty() ? null : items.get(0).fileId());
      g.writeBooleanField("has_more", slice.hasMore());
      stringOrNull(g, "last_id", items.isEmpty() ? null : items.get(items.size() - 1).fileId());
      g.writeEndObject();
    }));
  }

  // ---- document 003: generic list (agents) ---------------------------------------------------

  private Answer agents(Map<String, List<String>> q) {
    int limit = limit(q, DEFAULT_LIMIT, LIST_MAX_LIMIT, false);
    String afterId = param(q, "after_id");
    String beforeId = param(q, "before_id");
    exclusive("before_id", beforeId, "after_id", afterId);
    ItemStore.Slice<AgentItem> slice = newestFirst(data.agents, limit, afterId, beforeId, "after_id", "before_id",
        "agent", a -> true);
    rejectCursor(Endpoint.AGENTS, null, afterId != null ? "after_id" : "before_id",
        afterId != null ? afterId : beforeId, "an agent");
    if (faults.emptyPage(Endpoint.AGENTS, null)) {
      return emptyListPage(false);
    }
    List<AgentItem> items = slice.items();
    return Answer.ok(json(g -> {
      g.writeStartObject();
      g.writeArrayFieldStart("data");
      for (AgentItem a : items) {
        g.writeStartObject();
        g.writeStringField("id", a.id());
        g.writeStringField("name", a.name());
        g.writeStringField("model", a.model());
        g.writeStringField("description", a.description());
        g.writeStringField("created_at", SimTime.format(a.createdNanos()));
        g.writeEndObject();
      }
      g.writeEndArray();
      stringOrNull(g, "first_id", items.isEmpty() ? null : items.get(0).id());
      stringOrNull(g, "last_id", items.isEmpty() ? null : items.get(items.size() - 1).id());
      g.writeBooleanField("has_more", slice.hasMore());
      g.writeEndObject();
    }));
  }

  /**
   * Newest-first paging over a creation-ordered store: {@code after} walks toward older items,
   * {@code before} toward newer ones (the page is then reversed back to newest first).
   */
  private static <T> ItemStore.Slice<T> newestFirst(ItemStore<T> store, int limit, String after, String before,
      String afterName, String beforeName, String what, java.util.function.Predicate<T> filter) {
    if (after != null) {
      return store.walk(cursor(store, after, afterName, what) - 1, -1, limit, filter);
    }
    if (before != null) {
      return ItemStore.reversed(store.walk(cursor(store, before, beforeName, what) + 1, 1, limit, filter));
    }
    return store.walk(store.end(-1), -1, limit, filter);
  }

  private static int cursor(ItemStore<?> store, String id, String name, String what) {
    int i = store.indexOf(id);
    if (i < 0) {
      throw ApiError.invalidRequest(name + " '" + id + "' does not name an existing " + what
          + " (it may have been deleted); restart from the first page.");
    }
    return i;
  }

  // ---- document 004: sessions ----------------------------------------------------------------

  private Answer sessions(Map<String, List<String>> q, String orgHeader) {
    int limit = limit(q, SESSIONS_DEFAULT_LIMIT, SESSIONS_MAX_LIMIT, false);
    String before = param(q, "before");
    long beforeNanos = Long.MAX_VALUE;
    if (before != null) {
      try {
        // Parsed with java.time: an instant past 2262 must page, not overflow a long of nanoseconds.
        java.time.Instant i = java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(before,
            java.time.Instant::from);
        beforeNanos = i.getEpochSecond() >= Long.MAX_VALUE / 1_000_000_000L ? Long.MAX_VALUE
            : i.getEpochSecond() <= Long.MIN_VALUE / 1_000_000_000L ? Long.MIN_VALUE
            : i.getEpochSecond() * 1_000_000_000L + i.getNano();
      } catch (java.time.DateTimeException e) {
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
      return new Answer(200, json(g -> {
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
    return Answer.ok(json(g -> {
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

  private Answer session(Route route, String orgHeader) {
    String org = organization(orgHeader);
    SimSession s = data.session(route.rawSessionId());
    if (s == null || !s.organization.equals(org)) {
      throw ApiError.notFound("Session '" + route.rawSessionId() + "' was not found.");
    }
    return Answer.ok(json(g -> writeSession(g, s)));
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

  // ---- answer faults -------------------------------------------------------------------------

  /** 400 for a valid cursor when the cursor_rejected fault fires; no cursor, no draw. */
  private void rejectCursor(Endpoint e, String sessionId, String name, String cursor, String what) {
    if (cursor != null && faults.cursorRejected(e, sessionId)) {
      throw ApiError.invalidRequest(name + " '" + cursor + "' does not name " + what
          + " (it may have been deleted); restart paging from a known id.").causedBy("cursor_rejected");
    }
  }

  /** {@code {"data":[],"first_id":null,"last_id":null,"has_more":true}} in the endpoint's field order. */
  private Answer emptyListPage(boolean filesOrder) {
    return new Answer(200, json(g -> {
      g.writeStartObject();
      g.writeArrayFieldStart("data");
      g.writeEndArray();
      g.writeNullField("first_id");
      if (filesOrder) { // document 001 puts has_more before last_id
        g.writeBooleanField("has_more", true);
        g.writeNullField("last_id");
      } else {
        g.writeNullField("last_id");
        g.writeBooleanField("has_more", true);
      }
      g.writeEndObject();
    }), Map.of("x-sim-fault", "empty_page"));
  }

  private Answer emptyResourcesPage(String nextPage) {
    return new Answer(200, json(g -> {
      g.writeStartObject();
      g.writeArrayFieldStart("data");
      g.writeEndArray();
      g.writeNullField("first_id");
      g.writeNullField("last_id");
      g.writeBooleanField("has_more", true);
      g.writeStringField("next_page", nextPage);
      g.writeEndObject();
    }), Map.of("x-sim-fault", "empty_page"));
  }

  // ---- shared validation ---------------------------------------------------------------------

  private SimSession requireSession(String rawId) {
    SimSession s = data.session(rawId);
    if (s == null) {
      throw ApiError.notFound("Session '" + rawId + "' was not found.");
    }
    return s;
  }

  /**
   * Parses {@code limit}: absent gives the default; a non-integer or non-positive value is 400;
   * above {@code max} is 400 unless {@code clamp} (document 000 clamps silently).
   */
  static int limit(Map<String, List<String>> q, int defaultLimit, int max, boolean clamp) {
    String raw = param(q, "limit");
    if (raw == null) {
      return defaultLimit;
    }
    String range = clamp ? "a positive integer (values above " + max + " are clamped)"
        : "an integer between 1 and " + max;
    if (!INTEGER.matcher(raw).matches()) {
      throw ApiError.invalidRequest("limit must be " + range + "; got '" + raw + "'.");
    }
    BigInteger v = new BigInteger(raw);
    if (v.signum() <= 0) {
      throw ApiError.invalidRequest("limit must be " + range + "; got '" + raw + "'.");
    }
    if (v.compareTo(BigInteger.valueOf(max)) > 0) {
      if (clamp) {
        return max;
      }
      throw ApiError.invalidRequest("limit must be " + range + "; got '" + raw + "'.");
    }
    return v.intValueExact();
  }

  static String param(Map<String, List<String>> q, String name) {
    List<String> v = q.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  private static void exclusive(String a, String va, String b, String vb) {
    if (va != null && vb != null) {
      throw ApiError.invalidRequest(a + " and " + b + " are mutually exclusive; send at most one of them.");
    }
  }

  private static void stringOrNull(JsonGenerator g, String name, String value) throws IOException {
    if (value == null) {
      g.writeNullField(name);
    } else {
      g.writeStringField(name, value);
    }
  }

  interface JsonWriter {
    void write(JsonGenerator g) throws IOException;
  }

  byte[] json(JsonWriter w) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
    try (JsonGenerator g = mapper.getFactory().createGenerator(out)) {
      w.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}

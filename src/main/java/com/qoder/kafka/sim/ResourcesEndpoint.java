package com.qoder.kafka.sim;

import static com.qoder.kafka.sim.PageJson.stringOrNull;
import static com.qoder.kafka.sim.RequestChecks.DEFAULT_LIMIT;
import static com.qoder.kafka.sim.RequestChecks.RESOURCES_MAX_LIMIT;
import static com.qoder.kafka.sim.RequestChecks.exclusive;
import static com.qoder.kafka.sim.RequestChecks.limit;
import static com.qoder.kafka.sim.RequestChecks.param;

import com.qoder.kafka.sim.Items.ResourceItem;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Document 000, a session's resources: the only endpoint with an opaque {@code next_page} token
 * besides {@code after_id}/{@code before_id}, and a limit that clamps instead of failing. The
 * token rules (what it encodes, when it expires) live here beside the paging they serve.
 */
final class ResourcesEndpoint {

  private static final String TOKEN_VERSION = "p1";

  private final SimData data;
  private final Faults faults;
  private final AnswerFaults answerFaults;
  private final PageJson json;
  /** Bumped to expire every resources page token issued so far. */
  private final AtomicInteger tokenGeneration = new AtomicInteger();

  ResourcesEndpoint(SimData data, Faults faults, AnswerFaults answerFaults, PageJson json) {
    this.data = data;
    this.faults = faults;
    this.answerFaults = answerFaults;
    this.json = json;
  }

  void invalidateCursors() {
    tokenGeneration.incrementAndGet();
  }

  Answer resources(ApiHandler.Route route, Map<String, List<String>> q) {
    int limit = limit(q, DEFAULT_LIMIT, RESOURCES_MAX_LIMIT, true);
    String page = param(q, "page");
    String afterId = param(q, "after_id");
    String beforeId = param(q, "before_id");
    exclusive("page", page, "after_id", afterId);
    exclusive("page", page, "before_id", beforeId);
    exclusive("before_id", beforeId, "after_id", afterId);
    SimSession s = RequestChecks.requireSession(data, route.rawSessionId());
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
      answerFaults.rejectCursor(Endpoint.RESOURCES, s.id, "after_id", afterId,
          "a resource of session '" + s.id + "'");
    } else if (beforeId != null) {
      step = -1;
      from = resourceIndex(store, beforeId, "before_id", s) - 1;
      answerFaults.rejectCursor(Endpoint.RESOURCES, s.id, "before_id", beforeId,
          "a resource of session '" + s.id + "'");
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
    return Answer.ok(json.render(g -> {
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

  /** The empty-page fault in document 000's shape: it also carries a {@code next_page}. */
  private Answer emptyResourcesPage(String nextPage) {
    return new Answer(200, json.render(g -> {
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
}

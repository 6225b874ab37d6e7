package com.qoder.kafka.sim;

import static com.qoder.kafka.sim.PageJson.stringOrNull;
import static com.qoder.kafka.sim.RequestChecks.DEFAULT_LIMIT;
import static com.qoder.kafka.sim.RequestChecks.LIST_MAX_LIMIT;
import static com.qoder.kafka.sim.RequestChecks.exclusive;
import static com.qoder.kafka.sim.RequestChecks.limit;
import static com.qoder.kafka.sim.RequestChecks.param;

import com.qoder.kafka.sim.Items.AgentItem;
import com.qoder.kafka.sim.Items.FileItem;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Documents 001 (files) and 003 (the generic list, served as agents): account-wide lists, newest
 * first, that share one paging rule and differ only in cursor names, filters and field order.
 */
final class FilesAndAgentsEndpoints {

  private final SimData data;
  private final Faults faults;
  private final AnswerFaults answerFaults;
  private final PageJson json;

  FilesAndAgentsEndpoints(SimData data, Faults faults, AnswerFaults answerFaults, PageJson json) {
    this.data = data;
    this.faults = faults;
    this.answerFaults = answerFaults;
    this.json = json;
  }

  // ---- document 001: files -------------------------------------------------------------------

  Answer files(Map<String, List<String>> q) {
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
    answerFaults.rejectCursor(Endpoint.FILES, null, after != null ? "after" : "before",
        after != null ? after : before, "a file");
    if (faults.emptyPage(Endpoint.FILES, null)) {
      return answerFaults.emptyListPage(true);
    }
    List<FileItem> items = slice.items();
    return Answer.ok(json.render(g -> {
      g.writeStartObject();
      g.writeArrayFieldStart("data");
      for (FileItem f : items) {
        g.writeStartObject();
        g.writeStringField("created_at", SimTime.format(f.createdNanos()));
        g.writeStringField("file_id", f.fileId());
        g.writeStringField("filename", f.filename());
        g.writeObjectFieldStart("metadata");
        for (Map.Entry<String, String> e : new TreeMap<>(f.metadata()).entrySet()) {
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

  Answer agents(Map<String, List<String>> q) {
    int limit = limit(q, DEFAULT_LIMIT, LIST_MAX_LIMIT, false);
    String afterId = param(q, "after_id");
    String beforeId = param(q, "before_id");
    exclusive("before_id", beforeId, "after_id", afterId);
    ItemStore.Slice<AgentItem> slice = newestFirst(data.agents, limit, afterId, beforeId, "after_id", "before_id",
        "agent", a -> true);
    answerFaults.rejectCursor(Endpoint.AGENTS, null, afterId != null ? "after_id" : "before_id",
        afterId != null ? afterId : beforeId, "an agent");
    if (faults.emptyPage(Endpoint.AGENTS, null)) {
      return answerFaults.emptyListPage(false);
    }
    List<AgentItem> items = slice.items();
    return Answer.ok(json.render(g -> {
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
      String afterName, String beforeName, String what, Predicate<T> filter) {
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
}

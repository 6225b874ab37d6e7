package com.qoder.kafka.source;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.qoder.kafka.api.GenericItem;
import com.qoder.kafka.api.Page;
import com.qoder.kafka.api.QoderApi;
import com.qoder.kafka.api.QoderApiException;
import com.qoder.kafka.api.QoderFile;
import com.qoder.kafka.api.SessionEvent;
import com.qoder.kafka.api.SessionInfo;
import com.qoder.kafka.api.SessionResource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The files list of document 001 in process: newest first by {@code created_at} (files created at
 * the same instant in reverse order of creation, a stable order), {@code after=<file_id>} pages
 * toward older files, a cursor naming a deleted file is a 400. Timestamps are written with
 * {@code java.time} (second precision when the instant has no fraction, as in the document's
 * example), so many files share one. Every request is counted. Only the files endpoint is served.
 */
final class FakeFilesApi implements QoderApi {

  /** One file; {@code seq} orders files of one instant. */
  record File(String id, Instant createdAt, long seq, String status) {}

  private final Map<String, File> files = new LinkedHashMap<>();
  private long seq;
  private int requests;
  private int rejected;
  /** Told of each files request (its cursor, null for a first page) before it is answered. */
  volatile java.util.function.Consumer<String> onRequest = after -> { };

  synchronized String create(Instant createdAt) {
    seq++;
    String id = String.format("file_%016x%016x", createdAt.getEpochSecond(), seq);
    files.put(id, new File(id, createdAt, seq, "ready"));
    return id;
  }

  synchronized void delete(String id) {
    files.remove(id);
  }

  synchronized void update(String id, String status) {
    File f = files.get(id);
    files.put(id, new File(id, f.createdAt(), f.seq(), status));
  }

  synchronized List<String> ids() {
    return newestFirst().stream().map(File::id).toList();
  }

  synchronized int requests() {
    return requests;
  }

  synchronized int rejected() {
    return rejected;
  }

  private List<File> newestFirst() {
    List<File> all = new ArrayList<>(files.values());
    all.sort((a, b) -> a.createdAt().equals(b.createdAt()) ? Long.compare(b.seq(), a.seq())
        : b.createdAt().compareTo(a.createdAt()));
    return all;
  }

  @Override
  public synchronized Mono<Page<QoderFile>> filesPage(String purpose, String after, String before, int limit) {
    requests++;
    onRequest.accept(after);
    if (limit < 1 || limit > LIST_MAX_LIMIT) {
      return Mono.error(new QoderApiException.InvalidRequest("GET /v1/files", "invalid_request_error",
          "limit out of range"));
    }
    List<File> all = newestFirst();
    int from = 0;
    if (after != null) {
      File cursor = files.get(after);
      if (cursor == null) {
        rejected++;
        return Mono.error(new QoderApiException.InvalidRequest("GET /v1/files", "invalid_request_error",
            "no such file: " + after));
      }
      from = all.indexOf(cursor) + 1;
    }
    List<File> slice = all.subList(from, Math.min(all.size(), from + limit));
    List<QoderFile> data = slice.stream().map(FakeFilesApi::json).map(QoderFile::of).toList();
    boolean more = from + slice.size() < all.size();
    return Mono.just(new Page<>(data, slice.isEmpty() ? null : slice.get(0).id(),
        slice.isEmpty() ? null : slice.get(slice.size() - 1).id(), more, null));
  }

  private static ObjectNode json(File f) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("created_at", f.createdAt().toString());
    o.put("file_id", f.id());
    o.put("filename", f.id() + ".txt");
    o.putObject("metadata");
    o.put("mime_type", "text/plain");
    o.put("purpose", "agent_output");
    o.put("size_bytes", 10);
    o.put("status", f.status());
    o.put("updated_at", f.createdAt().toString());
    return o;
  }

  @Override
  public Flux<Page<QoderFile>> files(String purpose, int limit) {
    throw new UnsupportedOperationException("the files source pages with filesPage");
  }

  // --- not served ---------------------------------------------------------------------------------

  @Override
  public Mono<Page<SessionEvent>> eventsAfter(String sessionId, String afterId, int limit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Mono<Page<SessionEvent>> eventsBefore(String sessionId, String beforeId, int limit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Flux<Page<SessionEvent>> events(String sessionId, String afterId, int limit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Mono<Page<SessionResource>> resourcesPage(String sessionId, String pageToken, int limit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Mono<Page<SessionResource>> resourcesById(String sessionId, String afterId, String beforeId, int limit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Flux<Page<SessionResource>> resources(String sessionId, int limit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Mono<Page<GenericItem>> listPage(String collection, String afterId, String beforeId, int limit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Flux<Page<GenericItem>> list(String collection, int limit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Mono<Page<SessionInfo>> sessionsPage(String organizationId, String before, int limit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Flux<Page<SessionInfo>> sessions(String organizationId, int limit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Mono<SessionInfo> session(String organizationId, String sessionId) {
    throw new UnsupportedOperationException();
  }
}

package com.qoder.kafka.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.reactivestreams.Publisher;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The control API under {@code /_sim/}: JSON over HTTP mirroring the public control methods of
 * {@link QoderSimulator}, for tests and tools outside the JVM. Runs on the bounded-elastic
 * scheduler because a call may append many events. Errors use the API's error envelope (400 for
 * bad arguments, 404 for unknown ids).
 */
final class ControlHandler {

  private final QoderSimulator sim;
  private final ObjectMapper mapper;

  ControlHandler(QoderSimulator sim) {
    this.sim = sim;
    this.mapper = sim.mapper();
  }

  Publisher<Void> handle(HttpServerRequest req, HttpServerResponse res, String path,
      Map<String, List<String>> query) {
    String method = req.method().name();
    return req.receive().aggregate().asString().defaultIfEmpty("")
        .publishOn(Schedulers.boundedElastic())
        .map(body -> {
          try {
            JsonNode json = body.isBlank() ? mapper.createObjectNode() : mapper.readTree(body);
            return new Answer(200, mapper.writeValueAsBytes(dispatch(method, path, query, json)), Map.of());
          } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return Answer.error(mapper, ApiError.invalidRequest("request body is not JSON: " + e.getOriginalMessage()));
          } catch (IOException e) {
            return Answer.error(mapper, ApiError.invalidRequest("request body could not be read: " + e.getMessage()));
          } catch (IllegalArgumentException e) {
            return Answer.error(mapper, ApiError.invalidRequest(e.getMessage()));
          } catch (NoSuchElementException e) {
            return Answer.error(mapper, ApiError.notFound(e.getMessage()));
          } catch (ApiError e) {
            return Answer.error(mapper, e);
          }
        })
        .flatMap(answer -> SimServer.send(res, 0, answer));
  }

  private JsonNode dispatch(String method, String path, Map<String, List<String>> query, JsonNode body)
      throws IOException {
    String[] p = path.substring(1).split("/"); // p[0] == "_sim"
    String route = method + " " + shape(p);
    return switch (route) {
      case "GET /_sim/info" -> info();
      case "GET /_sim/sessions" -> mapper.valueToTree(sim.sessionIds());
      case "POST /_sim/sessions" -> {
        int count = body.path("count").asInt(1);
        String createdAt = text(body, "created_at");
        List<String> ids;
        if (count == 1 && createdAt == null) {
          ids = List.of(sim.createSession(text(body, "organization"), body.path("events").asInt(0)));
        } else {
          java.time.Instant at = null;
          if (createdAt != null) {
            try {
              at = SimTime.instant(SimTime.parseEpochNanos(createdAt));
            } catch (java.time.DateTimeException e) {
              throw new IllegalArgumentException("created_at must be an RFC 3339 timestamp; got '" + createdAt + "'");
            }
          }
          ids = sim.createSessionsAt(text(body, "organization"), at, count, body.path("events").asInt(0));
        }
        ObjectNode out = mapper.createObjectNode().put("session_id", ids.get(0))
            .put("uuid", Ids.sessionUuid(ids.get(0)));
        out.set("session_ids", mapper.valueToTree(ids));
        out.put("created_at", SimTime.format(SimTime.epochNanos(sim.sessionCreatedAt(ids.get(0)))));
        yield out;
      }
      case "DELETE /_sim/sessions/*" -> {
        sim.deleteSession(p[2]);
        yield ok();
      }
      case "POST /_sim/sessions/*/events" -> {
        EventSpec spec = new EventSpec(text(body, "type"),
            body.get("fields") instanceof ObjectNode o ? o : null, body.path("content_bytes").asInt(0));
        List<String> ids = sim.appendEvents(p[2], body.path("count").asInt(1), spec);
        ObjectNode out = mapper.createObjectNode();
        out.set("event_ids", mapper.valueToTree(ids));
        yield out;
      }
      case "DELETE /_sim/sessions/*/events/*" -> {
        sim.deleteEvent(p[2], p[4]);
        yield ok();
      }
      case "POST /_sim/sessions/*/terminate" -> mapper.createObjectNode().put("event_id", sim.terminateSession(p[2]));
      case "POST /_sim/sessions/*/release" -> mapper.createObjectNode().put("released", sim.releaseSession(p[2]));
      case "GET /_sim/sessions/*/ground-truth" -> mapper.valueToTree(sim.groundTruth(p[2]));
      case "GET /_sim/ground-truth" -> mapper.valueToTree(sim.groundTruth());
      case "GET /_sim/sessions/*/resources" -> mapper.valueToTree(sim.resourceIds(p[2]));
      case "POST /_sim/sessions/*/resources" ->
          mapper.createObjectNode().put("resource_id", sim.createResource(p[2], text(body, "file_id")));
      case "PATCH /_sim/sessions/*/resources/*" -> {
        sim.updateResource(p[2], p[4], text(body, "mount_path"));
        yield ok();
      }
      case "DELETE /_sim/sessions/*/resources/*" -> {
        sim.deleteResource(p[2], p[4]);
        yield ok();
      }
      case "POST /_sim/resources/invalidate-cursors" -> {
        sim.invalidateResourceCursors();
        yield ok();
      }
      case "GET /_sim/files" -> mapper.valueToTree(sim.fileIds());
      case "POST /_sim/files" -> {
        String purpose = text(body, "purpose") == null ? "user_upload" : text(body, "purpose");
        if (body.has("count")) {
          List<String> ids = sim.createFiles(purpose, body.get("count").asInt());
          ObjectNode out = mapper.createObjectNode().put("file_id", ids.get(ids.size() - 1));
          out.set("file_ids", mapper.valueToTree(ids));
          yield out;
        }
        yield mapper.createObjectNode().put("file_id",
            sim.createFile(purpose, text(body, "filename"), stringMap(body.get("metadata"))));
      }
      case "PATCH /_sim/files/*" -> {
        sim.updateFile(p[2], text(body, "status"), body.has("metadata") ? stringMap(body.get("metadata")) : null);
        yield ok();
      }
      case "DELETE /_sim/files/*" -> {
        sim.deleteFile(p[2]);
        yield ok();
      }
      case "GET /_sim/agents" -> mapper.valueToTree(sim.agentIds());
      case "POST /_sim/agents" -> mapper.createObjectNode().put("agent_id", sim.createAgent());
      case "DELETE /_sim/agents/*" -> {
        sim.deleteAgent(p[2]);
        yield ok();
      }
      case "GET /_sim/stats" -> stats();
      case "DELETE /_sim/stats", "POST /_sim/stats/reset" -> {
        sim.resetRequestLog();
        yield ok();
      }
      case "GET /_sim/requests" -> requests(RequestChecks.param(query, "limit"));
      case "GET /_sim/faults" -> FaultsJson.toJson(sim.faults(), mapper);
      case "PUT /_sim/faults", "PATCH /_sim/faults", "POST /_sim/faults" -> {
        FaultsJson.apply(sim.faults(), body);
        yield FaultsJson.toJson(sim.faults(), mapper);
      }
      case "DELETE /_sim/faults" -> FaultsJson.toJson(sim.faults().clear(), mapper);
      case "POST /_sim/token/revoke" -> {
        sim.faults().revokeToken();
        yield ok();
      }
      case "POST /_sim/token/restore" -> {
        sim.faults().restoreToken();
        yield ok();
      }
      case "GET /_sim/live" -> live(sim.liveMode());
      case "PUT /_sim/live", "PATCH /_sim/live", "POST /_sim/live" -> {
        LiveMode m = sim.liveMode();
        sim.liveMode(new LiveMode(body.path("enabled").asBoolean(m.enabled()),
            body.path("events_per_second").asDouble(m.eventsPerSecond()),
            body.path("new_sessions_per_second").asDouble(m.newSessionsPerSecond()),
            body.path("releases_per_second").asDouble(m.releasesPerSecond()),
            body.path("terminations_per_second").asDouble(m.terminationsPerSecond())));
        yield live(sim.liveMode());
      }
      default -> throw new NoSuchElementException("no control operation " + method + " " + path
          + "; see docs/SIMULATOR.md for the list");
    };
  }

  /** The path with ids replaced by {@code *}, e.g. {@code /_sim/sessions/*}{@code /events}. */
  private static String shape(String[] p) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < p.length; i++) {
      boolean idSlot = (i == 2 && (p[1].equals("sessions") || p[1].equals("files") || p[1].equals("agents")))
          || (i == 4 && p[1].equals("sessions"));
      sb.append('/').append(idSlot ? "*" : p[i]);
    }
    return sb.toString();
  }

  private ObjectNode info() {
    ObjectNode o = mapper.createObjectNode();
    o.put("base_url", sim.baseUrl());
    o.put("sessions", sim.sessionIds().size());
    o.put("events", sim.totalEvents());
    o.put("files", sim.fileIds().size());
    o.set("organizations", mapper.valueToTree(sim.organizations()));
    o.set("live", live(sim.liveMode()));
    return o;
  }

  private ObjectNode stats() {
    RequestStats s = sim.requestStats();
    ObjectNode o = mapper.createObjectNode().put("total", s.total());
    ObjectNode ep = o.putObject("by_endpoint");
    s.byEndpoint().forEach((k, v) -> ep.put(k.label(), v));
    ObjectNode ss = o.putObject("by_session");
    s.bySession().forEach(ss::put);
    ObjectNode st = o.putObject("by_status");
    s.byStatus().forEach((k, v) -> st.put(Integer.toString(k), v));
    return o;
  }

  private ArrayNode requests(String limitText) {
    List<RequestRecord> all = sim.requestLog();
    int limit = all.size();
    if (limitText != null) {
      try {
        limit = Math.max(0, Math.min(all.size(), Integer.parseInt(limitText)));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("limit must be an integer; got '" + limitText + "'");
      }
    }
    ArrayNode out = mapper.createArrayNode();
    for (RequestRecord r : all.subList(all.size() - limit, all.size())) {
      ObjectNode o = out.addObject();
      o.put("sequence", r.sequence());
      o.put("time", r.time().toString());
      o.put("method", r.method());
      o.put("path", r.path());
      o.put("query", r.query());
      o.put("endpoint", r.endpoint().label());
      o.put("session_id", r.sessionId());
      o.put("status", r.status());
      o.put("fault", r.fault());
      o.put("user_agent", r.userAgent());
    }
    return out;
  }

  private ObjectNode live(LiveMode m) {
    return mapper.createObjectNode().put("enabled", m.enabled())
        .put("events_per_second", m.eventsPerSecond())
        .put("new_sessions_per_second", m.newSessionsPerSecond())
        .put("releases_per_second", m.releasesPerSecond())
        .put("terminations_per_second", m.terminationsPerSecond());
  }

  private ObjectNode ok() {
    return mapper.createObjectNode().put("ok", true);
  }

  private static String text(JsonNode body, String field) {
    JsonNode v = body.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static Map<String, String> stringMap(JsonNode node) {
    Map<String, String> out = new LinkedHashMap<>();
    if (node != null && node.isObject()) {
      node.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
    } else if (node != null && !node.isNull()) {
      throw new IllegalArgumentException("metadata must be a JSON object of strings");
    }
    return out;
  }
}

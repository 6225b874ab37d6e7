package com.qoder.kafka.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.qoder.kafka.sim.Faults.NotFoundStyle;
import com.qoder.kafka.sim.Faults.Trigger;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The JSON form of {@link Faults} that the control API reads and writes ({@code /_sim/faults}).
 * Apart from {@code Faults} because it is a wire format with its own keys (snake_case, one object
 * per fault), and every change goes through the public setters so it is validated the same way
 * as a change made in Java.
 */
final class FaultsJson {

  private FaultsJson() {}

  static ObjectNode toJson(Faults f, ObjectMapper mapper) {
    ObjectNode o = mapper.createObjectNode();
    trigger(o.putObject("latency"), f.latency).put("fixed_ms", f.latencyFixedMs).put("jitter_ms", f.latencyJitterMs);
    trigger(o.putObject("rate_limit"), f.rateLimit).put("retry_after_seconds", f.retryAfterSeconds)
        .put("http_date", f.retryAfterHttpDate).put("retry_after_raw", f.retryAfterRaw);
    trigger(o.putObject("permission_denied"), f.permissionDenied);
    trigger(o.putObject("empty_page"), f.emptyPage);
    trigger(o.putObject("replay_from_start"), f.replayFromStart);
    trigger(o.putObject("cursor_rejected"), f.cursorRejected);
    ArrayNode statuses = trigger(o.putObject("server_error"), f.serverError).putArray("statuses");
    for (int s : f.serverStatuses) {
      statuses.add(s);
    }
    trigger(o.putObject("connection_reset"), f.connectionReset);
    trigger(o.putObject("malformed_body"), f.malformedBody);
    trigger(o.putObject("invalid_resource_cursor"), f.invalidResourceCursor);
    trigger(o.putObject("route_not_found"), f.routeNotFound).put("style", f.routeNotFoundStyle.label());
    o.putObject("unknown_event_type").put("probability", f.unknownEventTypeProbability);
    o.putObject("oversized_event").put("probability", f.oversizedEventProbability)
        .put("bytes", f.oversizedEventBytes);
    o.putObject("event_timestamp_ties").put("probability", f.eventTimestampTieProbability);
    o.put("token_revoked", f.tokenRevoked);
    ArrayNode sc = o.putArray("scope");
    f.scope.forEach(e -> sc.add(e.label()));
    return o;
  }

  private static ObjectNode trigger(ObjectNode node, FaultRule rule) {
    node.put("probability", rule.trigger.probability()).put("count", rule.remaining.get());
    ArrayNode sessions = node.putArray("sessions");
    rule.trigger.sessions().stream().sorted().forEach(sessions::add);
    return node;
  }

  /**
   * Applies the JSON form (as returned by GET /_sim/faults): only the keys present change.
   *
   * @throws IllegalArgumentException naming the bad key or value
   */
  static void apply(Faults f, JsonNode json) {
    if (!json.isObject()) {
      throw new IllegalArgumentException("faults must be a JSON object");
    }
    for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      JsonNode v = json.get(key);
      switch (key) {
        case "latency" -> f.latency(trigger(v, f.latency), v.path("fixed_ms").asLong(f.latencyFixedMs),
            v.path("jitter_ms").asLong(f.latencyJitterMs));
        case "rate_limit" -> {
          f.rateLimit(trigger(v, f.rateLimit), v.path("retry_after_seconds").asInt(f.retryAfterSeconds));
          f.retryAfterAsHttpDate(v.path("http_date").asBoolean(f.retryAfterHttpDate));
          if (v.has("retry_after_raw")) {
            f.retryAfterRaw(v.get("retry_after_raw").isNull() ? null : v.get("retry_after_raw").asText());
          }
        }
        case "permission_denied" -> f.permissionDenied(trigger(v, f.permissionDenied));
        case "empty_page" -> f.emptyPage(trigger(v, f.emptyPage));
        case "replay_from_start" -> f.replayFromStart(trigger(v, f.replayFromStart));
        case "cursor_rejected" -> f.cursorRejected(trigger(v, f.cursorRejected));
        case "server_error" -> {
          int[] s = f.serverStatuses;
          if (v.has("statuses")) {
            s = new int[v.get("statuses").size()];
            for (int i = 0; i < s.length; i++) {
              s[i] = v.get("statuses").get(i).asInt();
            }
          }
          f.serverError(trigger(v, f.serverError), s);
        }
        case "connection_reset" -> f.connectionReset(trigger(v, f.connectionReset));
        case "malformed_body" -> f.malformedBody(trigger(v, f.malformedBody));
        case "invalid_resource_cursor" -> f.invalidResourceCursor(trigger(v, f.invalidResourceCursor));
        case "route_not_found" -> f.routeNotFound(trigger(v, f.routeNotFound),
            v.has("style") ? NotFoundStyle.ofLabel(v.get("style").asText()) : f.routeNotFoundStyle);
        case "unknown_event_type" ->
            f.unknownEventTypes(v.path("probability").asDouble(f.unknownEventTypeProbability));
        case "event_timestamp_ties" -> f.eventTimestampTies(
            v.path("probability").asDouble(f.eventTimestampTieProbability));
        case "oversized_event" -> f.oversizedEvents(v.path("probability").asDouble(f.oversizedEventProbability),
            v.path("bytes").asInt(f.oversizedEventBytes));
        case "token_revoked" -> {
          if (v.asBoolean()) {
            f.revokeToken();
          } else {
            f.restoreToken();
          }
        }
        case "scope" -> {
          Endpoint[] es = new Endpoint[v.size()];
          for (int i = 0; i < es.length; i++) {
            es[i] = Endpoint.ofLabel(v.get(i).asText());
          }
          f.scope(es);
        }
        case "clear" -> {
          if (v.asBoolean()) {
            f.clear();
          }
        }
        default -> throw new IllegalArgumentException("unknown fault '" + key + "'; known: latency, rate_limit, "
            + "permission_denied, server_error, connection_reset, malformed_body, invalid_resource_cursor, "
            + "route_not_found, empty_page, replay_from_start, cursor_rejected, unknown_event_type, "
            + "oversized_event, event_timestamp_ties, token_revoked, scope, clear");
      }
    }
  }

  private static Trigger trigger(JsonNode v, FaultRule current) {
    if (!v.isObject()) {
      throw new IllegalArgumentException("fault settings must be objects such as {\"probability\":0.1,\"count\":2}");
    }
    Set<String> sessions = current.trigger.sessions();
    if (v.has("sessions")) {
      JsonNode list = v.get("sessions");
      if (!list.isArray()) {
        throw new IllegalArgumentException("a fault's sessions must be an array of session ids, e.g. [\"sess_…\"]");
      }
      Set<String> ids = new LinkedHashSet<>();
      list.forEach(id -> ids.add(id.asText()));
      sessions = ids;
    }
    return new Trigger(v.path("probability").asDouble(current.trigger.probability()),
        v.path("count").asInt(current.remaining.get()), sessions);
  }
}

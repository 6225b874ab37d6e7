package com.qoder.kafka.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.qoder.kafka.ops.StatusSnapshot.ErrorEntry;
import com.qoder.kafka.ops.StatusSnapshot.SessionStat;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.TemporalAccessor;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON bodies of the ops endpoints, built as explicit trees so the wire format does not depend
 * on reflection over records, and so non-finite doubles become {@code null} instead of the invalid
 * JSON tokens {@code NaN}/{@code Infinity}.
 */
final class OpsJson {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private OpsJson() {}

  static String write(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      // Trees of plain nodes always serialise; this is a bug, not an input problem.
      throw new IllegalStateException("cannot serialise ops JSON", e);
    }
  }

  static ObjectNode object() {
    return F.objectNode();
  }

  static String error(String error, String detail) {
    ObjectNode n = F.objectNode().put("error", error);
    if (detail != null) {
      n.put("detail", detail);
    }
    return write(n);
  }

  static ObjectNode health(HealthStatus status) {
    ObjectNode n = F.objectNode().put("status", status.state().name());
    if (status.detail() != null) {
      n.put("detail", status.detail());
    }
    return n;
  }

  static ObjectNode readiness(List<Map.Entry<String, HealthStatus>> results) {
    boolean up = results.stream().allMatch(e -> e.getValue().isUp());
    ObjectNode root = F.objectNode().put("status", up ? "UP" : "DOWN");
    ObjectNode checks = root.putObject("checks");
    for (Map.Entry<String, HealthStatus> e : results) {
      checks.set(e.getKey(), health(e.getValue()));
    }
    return root;
  }

  static ObjectNode status(StatusSnapshot s, Instant now) {
    ObjectNode n = F.objectNode();
    n.put("connectorName", s.connectorName());
    n.put("startedAt", s.startedAt().toString());
    n.put("now", now.toString());
    n.put("uptimeSeconds", Math.max(0, Duration.between(s.startedAt(), now).toSeconds()));
    n.put("eventsDelivered", s.eventsDelivered());
    n.set("eventsPerSecond", number(s.eventsPerSecond()));
    ObjectNode states = n.putObject("sessionsByState");
    new TreeMap<>(s.sessionsByState()).forEach((k, v) -> states.put(k, v == null ? 0 : v));
    ObjectNode lag = n.putObject("lagSeconds");
    lag.set("p50", number(s.lagP50Seconds()));
    lag.set("p99", number(s.lagP99Seconds()));
    n.set("busiest", sessions(s.busiest()));
    n.set("mostLagging", sessions(s.mostLagging()));
    ArrayNode errors = n.putArray("recentErrors");
    for (ErrorEntry e : s.recentErrors()) {
      ObjectNode en = errors.addObject();
      en.put("at", e.at().toString());
      en.put("sessionId", e.sessionId());
      en.put("message", e.message());
    }
    ObjectNode extra = n.putObject("extra");
    new TreeMap<>(s.extra()).forEach((k, v) -> extra.set(k, value(v)));
    ObjectNode trend = n.putObject("trend");
    trend.put("intervalSeconds", s.trend().interval().toMillis() / 1000.0);
    ArrayNode samples = trend.putArray("samples");
    for (Trend.Sample t : s.trend().samples()) {
      ObjectNode o = samples.addObject();
      o.put("at", t.at().toString());
      o.set("eventsPerSecond", number(t.eventsPerSecond()));
      o.set("lagP99Seconds", number(t.lagP99Seconds()));
      o.set("requestsPerSecond", number(t.requestsPerSecond()));
    }
    ArrayNode cluster = n.putArray("cluster");
    for (StatusSnapshot.InstanceView i : s.cluster()) {
      ObjectNode o = cluster.addObject();
      o.put("instanceId", i.instanceId());
      o.put("host", i.host());
      o.put("self", i.self());
      o.put("inGroup", i.inGroup());
      ArrayNode parts = o.putArray("partitions");
      i.partitions().forEach(parts::add);
      o.put("sessions", i.sessions());
      o.set("eventsPerSecond", number(i.eventsPerSecond()));
      o.put("health", i.health());
      o.put("detail", i.detail());
      o.put("lastSeen", i.lastSeen() == null ? null : i.lastSeen().toString());
    }
    ObjectNode sections = n.putObject("sections");
    new TreeMap<>(s.sections()).forEach((k, rows) -> sections.set(k, value(rows)));
    return n;
  }

  private static ArrayNode sessions(List<SessionStat> stats) {
    ArrayNode a = F.arrayNode();
    for (SessionStat st : stats) {
      ObjectNode o = a.addObject();
      o.put("sessionId", st.sessionId());
      o.put("eventsDelivered", st.eventsDelivered());
      o.set("eventsPerSecond", number(st.eventsPerSecond()));
      o.set("lagSeconds", number(st.lagSeconds()));
      o.put("state", st.state());
    }
    return a;
  }

  static JsonNode number(double d) {
    return Double.isFinite(d) ? F.numberNode(d) : NullNode.instance;
  }

  /** Plain values as JSON; anything else (including temporal values) as its string form. */
  static JsonNode value(Object v) {
    if (v == null) {
      return NullNode.instance;
    }
    if (v instanceof Double d) {
      return number(d);
    }
    if (v instanceof Float f) {
      return number(f);
    }
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return F.numberNode(((Number) v).longValue());
    }
    if (v instanceof Number num) {
      return number(num.doubleValue());
    }
    if (v instanceof Boolean b) {
      return F.booleanNode(b);
    }
    if (v instanceof TemporalAccessor || v instanceof Duration) {
      return F.textNode(v.toString());
    }
    if (v instanceof Map<?, ?> m) {
      ObjectNode o = F.objectNode();
      m.forEach((k, val) -> o.set(String.valueOf(k), value(val)));
      return o;
    }
    if (v instanceof Iterable<?> it) {
      ArrayNode a = F.arrayNode();
      it.forEach(x -> a.add(value(x)));
      return a;
    }
    return F.textNode(String.valueOf(v));
  }
}

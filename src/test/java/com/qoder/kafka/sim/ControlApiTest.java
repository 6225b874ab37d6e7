package com.qoder.kafka.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The /_sim control API over HTTP, and the request log and counters it exposes. */
class ControlApiTest {

  static QoderSimulator sim;
  static SimHttp http;

  @BeforeAll
  static void start() {
    sim = QoderSimulator.builder().seed(8).sessions(3).eventsPerSession(10).build().start();
    http = new SimHttp(sim);
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  @Test
  void sessionLifecycle() {
    JsonNode created = http.control("POST", "/_sim/sessions", "{\"organization\":\"org_research\",\"events\":3}").json();
    String id = created.get("session_id").asText();
    assertThat(created.get("uuid").asText()).hasSize(36);
    assertThat(http.get("/api/v1/sessions/" + created.get("uuid").asText(), sim.token(), "org_research").status())
        .isEqualTo(200);

    JsonNode appended = http.control("POST", "/_sim/sessions/" + id + "/events", "{\"count\":4}").json();
    assertThat(appended.get("event_ids")).hasSize(4);
    JsonNode custom = http.control("POST", "/_sim/sessions/" + id + "/events",
        "{\"type\":\"agent.future_thing\",\"fields\":{\"x_new\":{\"a\":[1,2]}},\"count\":1}").json();
    String customId = custom.get("event_ids").get(0).asText();

    JsonNode truth = http.control("GET", "/_sim/sessions/" + id + "/ground-truth", null).json();
    assertThat(truth.get("eventIds")).hasSize(8);
    assertThat(truth.get("eventIds").get(7).asText()).isEqualTo(customId);

    JsonNode last = http.get("/v1/sessions/" + id + "/events?limit=1&after_id=" + truth.get("eventIds").get(6).asText())
        .json().get("data").get(0);
    assertThat(last.get("type").asText()).isEqualTo("agent.future_thing");
    assertThat(last.get("x_new").get("a").get(1).asInt()).isEqualTo(2);

    JsonNode term = http.control("POST", "/_sim/sessions/" + id + "/terminate", null).json();
    assertThat(term.get("event_id").asText()).startsWith("evt_");
    JsonNode lastPage = http.get("/v1/sessions/" + id + "/events?limit=1&after_id=" + customId).json();
    assertThat(lastPage.get("data").get(0).get("type").asText()).isEqualTo("terminated");
    assertThat(http.control("GET", "/_sim/sessions/" + id + "/ground-truth", null).json().get("terminated").asBoolean())
        .isTrue();

    assertThat(http.control("POST", "/_sim/sessions/" + id + "/release", null).json().get("released").asBoolean()).isTrue();
    assertThat(http.control("DELETE", "/_sim/sessions/" + id, null).status()).isEqualTo(200);
    assertThat(http.get("/v1/sessions/" + id + "/events").status()).isEqualTo(404);
    SimHttp.Resp gone = http.control("POST", "/_sim/sessions/" + id + "/events", "{}");
    assertThat(gone.status()).isEqualTo(404);
    assertThat(gone.errorType()).isEqualTo("not_found_error");
  }

  @Test
  void deletingAnEventMakesItsCursorA400() {
    String s = sim.sessionIds().get(0);
    String ev = sim.groundTruth(s).eventIds().get(2);
    assertThat(http.control("DELETE", "/_sim/sessions/" + s + "/events/" + ev, null).status()).isEqualTo(200);
    assertThat(http.get("/v1/sessions/" + s + "/events?after_id=" + ev).status()).isEqualTo(400);
  }

  @Test
  void resourcesAndFiles() {
    String s = sim.sessionIds().get(1);
    String rid = http.control("POST", "/_sim/sessions/" + s + "/resources", "{}").json().get("resource_id").asText();
    assertThat(http.control("GET", "/_sim/sessions/" + s + "/resources", null).json().toString()).contains(rid);
    assertThat(http.control("PATCH", "/_sim/sessions/" + s + "/resources/" + rid, "{\"mount_path\":\"/mnt/x\"}")
        .status()).isEqualTo(200);
    JsonNode page = http.get("/api/v1/cloud/sessions/" + s + "/resources?limit=1000").json();
    assertThat(page.toString()).contains("/mnt/x");
    assertThat(http.control("DELETE", "/_sim/sessions/" + s + "/resources/" + rid, null).status()).isEqualTo(200);
    assertThat(http.get("/api/v1/cloud/sessions/" + s + "/resources?limit=1000").body()).doesNotContain(rid);

    String fid = http.control("POST", "/_sim/files", "{\"purpose\":\"tool_output\",\"filename\":\"a.txt\","
        + "\"metadata\":{\"k\":\"v\"}}").json().get("file_id").asText();
    JsonNode newest = http.get("/v1/files?limit=1").json().get("data").get(0);
    assertThat(newest.get("file_id").asText()).isEqualTo(fid);
    assertThat(newest.get("metadata").get("k").asText()).isEqualTo("v");
    assertThat(http.control("PATCH", "/_sim/files/" + fid, "{\"status\":\"failed\"}").status()).isEqualTo(200);
    assertThat(http.get("/v1/files?limit=1").json().get("data").get(0).get("status").asText()).isEqualTo("failed");
    assertThat(http.control("DELETE", "/_sim/files/" + fid, null).status()).isEqualTo(200);
    assertThat(http.control("DELETE", "/_sim/files/" + fid, null).status()).isEqualTo(404);
    assertThat(http.control("POST", "/_sim/files", "{\"purpose\":\"bogus\"}").status()).isEqualTo(400);
  }

  @Test
  void faultsLiveAndTokenThroughJson() {
    JsonNode f = http.control("PUT", "/_sim/faults",
        "{\"rate_limit\":{\"count\":1,\"retry_after_seconds\":7},\"scope\":[\"agents\"]}").json();
    assertThat(f.get("rate_limit").get("count").asInt()).isEqualTo(1);
    SimHttp.Resp limited = http.get("/v1/agents");
    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.header("Retry-After")).isEqualTo("7");
    assertThat(http.get("/v1/agents").status()).isEqualTo(200);
    assertThat(http.control("PUT", "/_sim/faults", "{\"nonsense\":{}}").status()).isEqualTo(400);
    assertThat(http.control("PUT", "/_sim/faults", "{\"rate_limit\":{\"probability\":2}}").status()).isEqualTo(400);
    assertThat(http.control("DELETE", "/_sim/faults", null).json().get("rate_limit").get("count").asInt()).isZero();

    assertThat(http.control("POST", "/_sim/token/revoke", null).status()).isEqualTo(200);
    assertThat(http.get("/v1/agents").status()).isEqualTo(401);
    assertThat(http.control("POST", "/_sim/token/restore", null).status()).isEqualTo(200);
    assertThat(http.get("/v1/agents").status()).isEqualTo(200);

    JsonNode live = http.control("PUT", "/_sim/live", "{\"events_per_second\":3}").json();
    assertThat(live.get("enabled").asBoolean()).isFalse();
    assertThat(live.get("events_per_second").asDouble()).isEqualTo(3.0);
    sim.liveMode(LiveMode.off());
    assertThat(http.control("PUT", "/_sim/live", "{\"events_per_second\":-1}").status()).isEqualTo(400);
  }

  @Test
  void resourcesCursorInvalidationThroughJson() {
    String s = sim.createSession();
    for (int i = 0; i < 3; i++) {
      sim.createResource(s);
    }
    String path = "/api/v1/cloud/sessions/" + s + "/resources?limit=1";
    String token = http.get(path).json().get("next_page").asText();
    http.control("POST", "/_sim/resources/invalidate-cursors", null);
    assertThat(http.get(path + "&page=" + token).status()).isEqualTo(400);
  }

  @Test
  void requestLogAndCountersPerEndpointAndSession() {
    http.control("DELETE", "/_sim/stats", null);
    String s = sim.sessionIds().get(2);
    String uuid = Ids.sessionUuid(s);
    http.get("/v1/sessions/" + s + "/events?limit=2");
    http.get("/api/v1/cloud/sessions/" + uuid + "/events?limit=3");
    http.get("/api/v1/cloud/sessions/" + s + "/resources");
    http.get("/v1/files");
    http.get("/nope");
    JsonNode stats = http.control("GET", "/_sim/stats", null).json();
    assertThat(stats.get("total").asInt()).isEqualTo(5);
    assertThat(stats.get("by_endpoint").get("events").asInt()).isEqualTo(2);
    assertThat(stats.get("by_endpoint").get("resources").asInt()).isEqualTo(1);
    assertThat(stats.get("by_session").get(s).asInt()).isEqualTo(3);
    assertThat(stats.get("by_status").get("404").asInt()).isEqualTo(1);
    JsonNode log = http.control("GET", "/_sim/requests?limit=5", null).json();
    List<String> queries = new ArrayList<>();
    log.forEach(r -> queries.add(r.get("query").asText()));
    assertThat(queries).containsExactly("limit=2", "limit=3", "", "", "");
    assertThat(log.get(1).get("session_id").asText()).isEqualTo(s);
    assertThat(log.get(1).get("path").asText()).contains(uuid);
    assertThat(log.get(4).get("status").asInt()).isEqualTo(404);
    RequestStats javaStats = sim.requestStats();
    assertThat(javaStats.endpoint(Endpoint.FILES)).isEqualTo(1);
    assertThat(javaStats.session(s)).isEqualTo(3);
    sim.resetRequestLog();
    assertThat(sim.requestStats().total()).isZero();
    assertThat(sim.requestLog()).isEmpty();
  }

  @Test
  void requestLogIsBounded() {
    try (QoderSimulator small = QoderSimulator.builder().sessions(0).requestLogCapacity(3).build().start()) {
      SimHttp h = new SimHttp(small);
      for (int i = 0; i < 5; i++) {
        h.get("/v1/files?limit=" + (i + 1));
      }
      assertThat(small.requestLog()).extracting(RequestRecord::query).containsExactly("limit=3", "limit=4", "limit=5");
      assertThat(small.requestLog()).extracting(RequestRecord::sequence).containsExactly(3L, 4L, 5L);
      assertThat(small.requestStats().total()).isEqualTo(5);
    }
  }

  @Test
  void infoAndUnknownOperations() {
    JsonNode info = http.control("GET", "/_sim/info", null).json();
    assertThat(info.get("base_url").asText()).isEqualTo(sim.baseUrl());
    assertThat(info.get("organizations").get(0).asText()).isEqualTo("org_default");
    assertThat(http.control("GET", "/_sim/what", null).status()).isEqualTo(404);
    assertThat(http.control("POST", "/_sim/sessions", "{not json").status()).isEqualTo(400);
  }
}

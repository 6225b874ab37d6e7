package com.qoder.kafka.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.qoder.kafka.sim.Faults.Trigger;
import java.io.UncheckedIOException;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every fault switch: on, off again, scoped, deterministic for a seed. */
class FaultsTest {

  static QoderSimulator sim;
  static SimHttp http;
  static String session;
  static String events;

  @BeforeAll
  static void start() {
    sim = QoderSimulator.builder().seed(77).sessions(2).eventsPerSession(50).maxResourcesPerSession(0)
        .terminatedFraction(0).releasedFraction(0).build().start();
    session = sim.sessionIds().get(0);
    events = "/v1/sessions/" + session + "/events";
    http = new SimHttp(sim);
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  @AfterEach
  void clear() {
    sim.faults().clear();
    sim.resetRequestLog();
  }

  @Test
  void latencyDelaysTheAnswer() {
    sim.faults().latency(Trigger.next(1), 400, 0);
    long t0 = System.nanoTime();
    assertThat(http.get(events).status()).isEqualTo(200);
    assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(400);
    assertThat(sim.requestLog().get(0).fault()).isEqualTo("latency");
    assertThat(http.get(events).status()).isEqualTo(200);
    assertThat(sim.requestLog().get(1).fault()).isNull();
  }

  @Test
  void rateLimitAnswers429WithRetryAfterSecondsThenRecovers() {
    sim.faults().rateLimit(Trigger.next(2), 3);
    for (int i = 0; i < 2; i++) {
      SimHttp.Resp r = http.get(events);
      assertThat(r.status()).isEqualTo(429);
      assertThat(r.errorType()).isEqualTo("rate_limit_error");
      assertThat(r.header("Retry-After")).isEqualTo("3");
    }
    assertThat(http.get(events).status()).isEqualTo(200);
    assertThat(sim.requestStats().status(429)).isEqualTo(2);
  }

  @Test
  void rateLimitCanSendRetryAfterAsHttpDate() {
    sim.faults().rateLimit(Trigger.always(), 120).retryAfterAsHttpDate(true);
    SimHttp.Resp r = http.get(events);
    assertThat(r.status()).isEqualTo(429);
    ZonedDateTime when = ZonedDateTime.parse(r.header("Retry-After"), DateTimeFormatter.RFC_1123_DATE_TIME);
    assertThat(when.toInstant()).isAfter(java.time.Instant.now().plusSeconds(100));
  }

  @Test
  void serverErrorsUseTheConfiguredStatuses() {
    sim.faults().serverError(Trigger.next(2), 502);
    SimHttp.Resp r = http.get(events);
    assertThat(r.status()).isEqualTo(502);
    assertThat(r.errorType()).isEqualTo("api_error");
    assertThat(http.get(events).status()).isEqualTo(502);
    assertThat(http.get(events).status()).isEqualTo(200);
    sim.faults().serverError(Trigger.always());
    for (int i = 0; i < 20; i++) {
      assertThat(http.get(events).status()).isIn(500, 502, 503);
    }
  }

  @Test
  void connectionResetGivesNoAnswer() {
    // java.net.http retries a GET once on a fresh connection when a pooled one fails: reset both.
    sim.faults().connectionReset(Trigger.next(2));
    assertThatThrownBy(() -> http.get(events)).isInstanceOf(UncheckedIOException.class)
        .hasRootCauseInstanceOf(java.io.IOException.class);
    assertThat(http.get(events).status()).isEqualTo(200);
    assertThat(sim.requestLog()).extracting(RequestRecord::status).containsExactly(0, 0, 200);
    RequestRecord reset = sim.requestLog().get(0);
    assertThat(reset.status()).isZero();
    assertThat(reset.fault()).isEqualTo("connection_reset");
    assertThat(reset.sessionId()).isEqualTo(session);
  }

  @Test
  void malformedBodyIsA200ThatIsNotJson() {
    sim.faults().malformedBody(Trigger.next(1));
    SimHttp.Resp r = http.get(events);
    assertThat(r.status()).isEqualTo(200);
    assertThatThrownBy(r::json).isInstanceOf(UncheckedIOException.class);
    assertThat(http.get(events).json().get("data")).isNotEmpty();
    assertThat(sim.requestLog().get(0).fault()).isEqualTo("malformed_body");
  }

  @Test
  void revokedTokenAnswers401UntilRestoredWhileTheControlApiStillWorks() {
    sim.faults().revokeToken();
    SimHttp.Resp r = http.get(events);
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.errorType()).isEqualTo("authentication_error");
    assertThat(http.get("/api/v1/sessions").status()).isEqualTo(401);
    assertThat(http.control("POST", "/_sim/token/restore", null).status()).isEqualTo(200);
    assertThat(http.get(events).status()).isEqualTo(200);
  }

  @Test
  void invalidResourceCursorRejectsAValidTokenOnce() {
    String s = sim.createSession();
    for (int i = 0; i < 4; i++) {
      sim.createResource(s);
    }
    String path = "/api/v1/cloud/sessions/" + s + "/resources";
    String token = http.get(path + "?limit=2").json().get("next_page").asText();
    sim.faults().invalidResourceCursor(Trigger.next(1));
    assertThat(http.get(path + "?page=" + token).status()).isEqualTo(400);
    assertThat(http.get(path + "?page=" + token).status()).isEqualTo(200);
  }

  @Test
  void routeNotFoundAnswersAMisrouted404InEachStyleBeforeTheTokenCheck() {
    sim.faults().routeNotFound(Trigger.next(1), Faults.NotFoundStyle.HTML).revokeToken();
    SimHttp.Resp html = http.get(events);
    assertThat(html.status()).isEqualTo(404);
    assertThat(html.header("Content-Type")).isEqualTo("text/html");
    assertThat(html.body()).contains("<h1>404 Not Found</h1>");
    assertThat(sim.requestLog().get(0).fault()).isEqualTo("route_not_found");
    assertThat(http.get(events).status()).as("after the fault: the token check").isEqualTo(401);
    sim.faults().restoreToken();

    sim.faults().routeNotFound(Trigger.next(1), Faults.NotFoundStyle.GATEWAY_JSON);
    SimHttp.Resp gateway = http.get(events);
    assertThat(gateway.status()).isEqualTo(404);
    assertThat(gateway.json().get("message").asText()).isEqualTo("no Route matched with those values");

    sim.faults().routeNotFound(Trigger.next(1), Faults.NotFoundStyle.API_NO_ENDPOINT);
    SimHttp.Resp api = http.get(events);
    assertThat(api.status()).isEqualTo(404);
    assertThat(api.errorType()).isEqualTo("not_found_error");
    assertThat(api.json().get("error").get("message").asText()).contains("No endpoint at").doesNotContain("Session '");
    assertThat(http.get(events).status()).isEqualTo(200);

    // A deleted session's 404 is the documented one, naming the session.
    String deleted = sim.createSession();
    sim.deleteSession(deleted);
    SimHttp.Resp gone = http.get("/v1/sessions/" + deleted + "/events");
    assertThat(gone.status()).isEqualTo(404);
    assertThat(gone.json().get("error").get("message").asText()).isEqualTo("Session '" + deleted + "' was not found.");
  }

  @Test
  void routeNotFoundIsSetThroughTheControlApi() {
    assertThat(http.control("PUT", "/_sim/faults", "{\"route_not_found\":{\"count\":1,\"style\":\"gateway_json\"}}")
        .status()).isEqualTo(200);
    JsonNode f = http.control("GET", "/_sim/faults", null).json().get("route_not_found");
    assertThat(f.get("style").asText()).isEqualTo("gateway_json");
    assertThat(f.get("count").asInt()).isEqualTo(1);
    assertThat(http.get(events).status()).isEqualTo(404);
    assertThat(http.control("PUT", "/_sim/faults", "{\"route_not_found\":{\"style\":\"xml\"}}").status())
        .isEqualTo(400);
  }

  @Test
  void scopeLimitsRequestFaultsToTheNamedEndpoints() {
    sim.faults().rateLimit(Trigger.always(), 1).scope(Endpoint.FILES);
    assertThat(http.get(events).status()).isEqualTo(200);
    assertThat(http.get("/v1/files").status()).isEqualTo(429);
  }

  @Test
  void unknownEventTypesCarryExtraFields() {
    sim.faults().unknownEventTypes(1.0);
    List<String> ids = sim.appendEvents(session, 3);
    JsonNode page = http.get(events + "?limit=3&before_id=" + sim.appendEvents(session, 1).get(0)).json();
    assertThat(EventsEndpointTest.ids(page)).isEqualTo(ids);
    for (JsonNode e : page.get("data")) {
      assertThat(List.of(SimSession.UNKNOWN_TYPES)).contains(e.get("type").asText());
      assertThat(e.get("tool").get("input").isObject()).isTrue();
      assertThat(e.has("x_parent_id")).isTrue();
      assertThat(e.get("session_id").asText()).isEqualTo(session);
    }
  }

  @Test
  void oversizedEventsInHistoryAndThroughTheControlApi() {
    try (QoderSimulator big = QoderSimulator.builder().seed(1).sessions(1).eventsPerSession(12)
        .faults(f -> f.oversizedEvents(1.0, 2 * 1024 * 1024)).build().start()) {
      SimHttp h = new SimHttp(big);
      JsonNode page = h.get("/v1/sessions/" + big.sessionIds().get(0) + "/events?limit=100").json();
      int oversized = 0;
      for (JsonNode e : page.get("data")) {
        if (e.get("type").asText().equals("agent.message")) {
          assertThat(e.get("content").get(0).get("text").asText()).hasSize(2 * 1024 * 1024);
          oversized++;
        }
      }
      assertThat(oversized).isPositive();
    }
    String id = sim.appendEvents(session, 1, EventSpec.ofType("user.message").withContentBytes(3_000_000)).get(0);
    JsonNode e = http.get(events + "?limit=1&before_id=" + sim.appendEvents(session, 1).get(0)).json().get("data").get(0);
    assertThat(e.get("id").asText()).isEqualTo(id);
    assertThat(e.get("content").asText()).hasSize(3_000_000);
  }

  @Test
  void faultDecisionsAreDeterministicForASeed() {
    List<Integer> first = statuses(123);
    assertThat(first).contains(200, 429, 503);
    assertThat(statuses(123)).isEqualTo(first);
  }

  private static List<Integer> statuses(long seed) {
    try (QoderSimulator s = QoderSimulator.builder().seed(seed).sessions(1).eventsPerSession(5)
        .faults(f -> f.rateLimit(Trigger.chance(0.3), 1).serverError(Trigger.chance(0.3), 503)).build().start()) {
      SimHttp h = new SimHttp(s);
      List<Integer> out = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        out.add(h.get("/v1/files?limit=1").status());
      }
      return out;
    }
  }

  @Test
  void invalidSettingsAreRejectedWithTheirName() {
    assertThatThrownBy(() -> Trigger.chance(1.5)).hasMessageContaining("probability");
    assertThatThrownBy(() -> Trigger.next(-1)).hasMessageContaining("count");
    assertThatThrownBy(() -> sim.faults().serverError(Trigger.always(), 404)).hasMessageContaining("500..599");
    assertThatThrownBy(() -> sim.faults().rateLimit(Trigger.always(), -1)).hasMessageContaining("Retry-After");
  }
}

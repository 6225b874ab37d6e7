package com.qoder.kafka.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.qoder.kafka.sim.Faults.Trigger;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The switches for behaviour the five documents allow but a friendly server never shows: empty
 * pages that say there is more, 403s, replays from the start, rejected cursors, a 429 with a huge
 * Retry-After for one session only, misrouted 404s for a session that is being drained.
 */
class AdversarialFaultsTest {

  static QoderSimulator sim;
  static SimHttp http;
  static String s0;
  static String s1;

  @BeforeAll
  static void start() {
    sim = QoderSimulator.builder().seed(21).sessions(2).eventsPerSession(40).files(30).agents(10)
        .maxResourcesPerSession(0).terminatedFraction(0).releasedFraction(0).organizations("org_default")
        .build().start();
    s0 = sim.sessionIds().get(0);
    s1 = sim.sessionIds().get(1);
    for (int i = 0; i < 5; i++) {
      sim.createResource(s0);
    }
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

  static String events(String session) {
    return "/api/v1/cloud/sessions/" + session + "/events";
  }

  static void assertEmptyButMore(JsonNode page) {
    assertThat(page.get("data")).isEmpty();
    assertThat(page.get("first_id").isNull()).isTrue();
    assertThat(page.get("last_id").isNull()).isTrue();
    assertThat(page.get("has_more").asBoolean()).isTrue();
  }

  @Test
  void emptyPageSaysHasMoreOnTheEventsFilesAndAgentsLists() {
    List<String> truth = sim.groundTruth(s0).eventIds();
    sim.faults().emptyPage(Trigger.next(1));
    SimHttp.Resp r = http.get(events(s0) + "?limit=5&after_id=" + truth.get(9));
    assertEmptyButMore(r.json());
    assertThat(r.header("x-sim-fault")).isEqualTo("empty_page");
    JsonNode next = http.get(events(s0) + "?limit=5&after_id=" + truth.get(9)).json();
    assertThat(next.get("data").get(0).get("id").asText()).isEqualTo(truth.get(10));

    sim.faults().emptyPage(Trigger.next(1));
    assertEmptyButMore(http.get("/v1/files?limit=10").json());
    assertThat(http.get("/v1/files?limit=10").json().get("data")).hasSize(10);

    sim.faults().emptyPage(Trigger.next(1));
    assertEmptyButMore(http.get("/api/v1/cloud/agents").json());
    assertThat(sim.requestLog()).extracting(RequestRecord::fault)
        .containsExactly("empty_page", null, "empty_page", null, "empty_page");
  }

  @Test
  void emptyResourcesPageHasANextPageThatSkipsNothing() {
    List<String> resources = sim.resourceIds(s0);
    String path = "/api/v1/cloud/sessions/" + s0 + "/resources?limit=2";
    sim.faults().emptyPage(Trigger.next(1));
    JsonNode empty = http.get(path).json();
    assertEmptyButMore(empty);
    JsonNode first = http.get(path + "&page=" + empty.get("next_page").asText()).json();
    assertThat(first.get("data").get(0).get("id").asText()).isEqualTo(resources.get(0));

    sim.faults().emptyPage(Trigger.next(1));
    JsonNode emptyAfter = http.get(path + "&after_id=" + resources.get(1)).json();
    assertEmptyButMore(emptyAfter);
    JsonNode after = http.get(path + "&page=" + emptyAfter.get("next_page").asText()).json();
    assertThat(after.get("data").get(0).get("id").asText()).isEqualTo(resources.get(2));
  }

  @Test
  void emptySessionsPageHasANextCursorThatListsTheSameSessions() {
    JsonNode normal = http.get("/api/v1/sessions").json();
    sim.faults().emptyPage(Trigger.next(1));
    JsonNode empty = http.get("/api/v1/sessions").json();
    assertThat(empty.get("data")).isEmpty();
    assertThat(empty.has("nextCursor")).isTrue();
    assertThat(http.get("/api/v1/sessions?before=" + empty.get("nextCursor").asText()).json().get("data"))
        .isEqualTo(normal.get("data"));
  }

  @Test
  void emptyPagesForOneSessionOnlyWhileTheOtherIsServed() {
    sim.faults().emptyPage(Trigger.always().forSessions(QoderSimulator.sessionUuid(s0)));
    for (int i = 0; i < 3; i++) {
      assertEmptyButMore(http.get(events(s0)).json());
      assertThat(http.get(events(s1)).json().get("data")).hasSize(20);
    }
    assertThat(sim.requestStats().session(s0)).isEqualTo(3);
    assertThat(sim.requestStats().session(s1)).isEqualTo(3);
  }

  @Test
  void permissionDeniedIs403WithTheErrorEnvelope() {
    sim.faults().permissionDenied(Trigger.next(2).forSessions(s0));
    assertThat(http.get(events(s1)).status()).isEqualTo(200);
    for (String path : List.of(events(s0), "/api/v1/sessions/" + QoderSimulator.sessionUuid(s0))) {
      SimHttp.Resp r = http.get(path);
      assertThat(r.status()).isEqualTo(403);
      assertThat(r.errorType()).isEqualTo("permission_error");
      assertThat(r.header("x-sim-fault")).isEqualTo("permission_denied");
    }
    assertThat(http.get(events(s0)).status()).isEqualTo(200);
    assertThat(http.get(events(s0), "wrong-token", null).status()).isEqualTo(401); // the token is checked first
    assertThat(sim.requestLog()).extracting(RequestRecord::sessionId).containsExactly(s1, s0, s0, s0, s0);
  }

  @Test
  void replayFromStartAnswersACursorAsIfThereWereNone() {
    List<String> truth = sim.groundTruth(s0).eventIds();
    sim.faults().replayFromStart(Trigger.next(1));
    assertThat(http.get(events(s0) + "?limit=5").json().get("data").get(0).get("id").asText())
        .as("no cursor: nothing to replay, the trigger stays armed").isEqualTo(truth.get(0));
    SimHttp.Resp replay = http.get(events(s0) + "?limit=5&after_id=" + truth.get(29));
    assertThat(replay.json().get("data")).extracting(e -> e.get("id").asText()).isEqualTo(truth.subList(0, 5));
    assertThat(replay.json().get("has_more").asBoolean()).isTrue();
    assertThat(replay.header("x-sim-fault")).isEqualTo("replay_from_start");
    assertThat(http.get(events(s0) + "?limit=5&after_id=" + truth.get(29)).json().get("data").get(0).get("id").asText())
        .isEqualTo(truth.get(30));

    sim.faults().replayFromStart(Trigger.always());
    assertThat(http.get(events(s0) + "?after_id=evt_00000000000000000000000000000000").status())
        .as("an unknown cursor is still 400").isEqualTo(400);
  }

  @Test
  void cursorRejectedAnswers400ForAValidCursorOnce() {
    List<String> truth = sim.groundTruth(s0).eventIds();
    sim.faults().cursorRejected(Trigger.next(1));
    assertThat(http.get(events(s0) + "?limit=5").status()).isEqualTo(200);
    SimHttp.Resp r = http.get(events(s0) + "?limit=5&after_id=" + truth.get(3));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.errorType()).isEqualTo("invalid_request_error");
    assertThat(r.header("x-sim-fault")).isEqualTo("cursor_rejected");
    assertThat(http.get(events(s0) + "?limit=5&after_id=" + truth.get(3)).status()).isEqualTo(200);

    String file = sim.fileIds().get(3);
    sim.faults().cursorRejected(Trigger.next(1));
    assertThat(http.get("/v1/files?after=" + file).status()).isEqualTo(400);
    assertThat(http.get("/v1/files?after=" + file).status()).isEqualTo(200);
    assertThat(sim.requestLog()).extracting(RequestRecord::fault)
        .containsExactly(null, "cursor_rejected", null, "cursor_rejected", null);
  }

  @Test
  void oneRateLimitWithADayLongRetryAfterForOneSessionOnly() {
    sim.faults().rateLimit(Trigger.next(1).forSessions(s0), 86_400);
    assertThat(http.get(events(s1)).status()).isEqualTo(200);
    assertThat(http.get("/v1/files").status()).isEqualTo(200);
    SimHttp.Resp limited = http.get(events(s0));
    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.header("Retry-After")).isEqualTo("86400");
    assertThat(http.get(events(s0)).status()).isEqualTo(200);
    assertThat(http.get(events(s1)).status()).isEqualTo(200);
  }

  @Test
  void retryAfterCanBeAnyTextOrAbsent() {
    sim.faults().rateLimit(Trigger.next(3), 1);
    sim.faults().retryAfterRaw("604800");
    assertThat(http.get(events(s0)).header("Retry-After")).isEqualTo("604800");
    sim.faults().retryAfterRaw("soon");
    assertThat(http.get(events(s0)).header("Retry-After")).isEqualTo("soon");
    sim.faults().retryAfterRaw("");
    SimHttp.Resp none = http.get(events(s0));
    assertThat(none.status()).isEqualTo(429);
    assertThat(none.header("Retry-After")).isNull();
  }

  @Test
  void misrouted404sFireForASessionBeingDrainedAfterRelease() {
    String drained = sim.createSession(null, 30);
    sim.releaseSession(drained);
    String uuid = QoderSimulator.sessionUuid(drained);
    sim.faults().routeNotFound(Trigger.next(3).forSessions(drained), Faults.NotFoundStyle.HTML);
    assertThat(http.get("/api/v1/sessions").status()).isEqualTo(200);
    SimHttp.Resp a = http.get(events(drained) + "?after_id=" + sim.groundTruth(drained).eventIds().get(9));
    assertThat(a.status()).isEqualTo(404);
    assertThat(a.header("Content-Type")).startsWith("text/html");
    assertThat(http.get("/api/v1/sessions/" + uuid).status()).isEqualTo(404);
    assertThat(http.get("/api/v1/cloud/sessions/" + drained + "/resources").status()).isEqualTo(404);
    // Then the session answers again: a misrouted 404 never meant it was gone.
    assertThat(http.get(events(drained)).json().get("data")).hasSize(20);
    JsonNode one = http.get("/api/v1/sessions/" + uuid).json();
    assertThat(one.get("releasedAt").isNull()).isFalse();
    assertThat(sim.requestLog()).extracting(RequestRecord::sessionId)
        .containsExactly(null, drained, drained, drained, drained, drained);
  }

  @Test
  void faultTriggersForSessionsRoundTripThroughTheControlApi() {
    String body = "{\"rate_limit\":{\"count\":1,\"retry_after_seconds\":86400,\"retry_after_raw\":\"-1\","
        + "\"sessions\":[\"" + QoderSimulator.sessionUuid(s0) + "\"]},\"empty_page\":{\"probability\":0.5},"
        + "\"permission_denied\":{\"count\":2},\"replay_from_start\":{\"count\":3},\"cursor_rejected\":{\"count\":4}}";
    JsonNode f = http.control("PUT", "/_sim/faults", body).json();
    assertThat(f.get("rate_limit").get("sessions")).extracting(JsonNode::asText).containsExactly(s0);
    assertThat(f.get("rate_limit").get("retry_after_raw").asText()).isEqualTo("-1");
    assertThat(f.get("empty_page").get("probability").asDouble()).isEqualTo(0.5);
    assertThat(f.get("permission_denied").get("count").asInt()).isEqualTo(2);
    assertThat(f.get("replay_from_start").get("count").asInt()).isEqualTo(3);
    assertThat(f.get("cursor_rejected").get("count").asInt()).isEqualTo(4);
    assertThat(http.control("PUT", "/_sim/faults", "{\"empty_page\":{\"sessions\":\"sess_x\"}}").status())
        .isEqualTo(400);
    JsonNode cleared = http.control("DELETE", "/_sim/faults", null).json();
    assertThat(cleared.get("rate_limit").get("sessions")).isEmpty();
    assertThat(cleared.get("rate_limit").get("retry_after_raw").isNull()).isTrue();
    assertThat(cleared.get("empty_page").get("probability").asDouble()).isZero();
  }
}

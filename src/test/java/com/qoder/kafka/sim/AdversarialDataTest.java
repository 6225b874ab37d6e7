package com.qoder.kafka.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.qoder.kafka.sim.Faults.Trigger;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Data the documents allow that a friendly server rarely shows: a burst of files between two
 * polls, one very large event at a known place, the cursor a caught-up client holds being deleted
 * while events keep arriving, a session that is gone (and how its 404 differs from a misrouted one),
 * and a request log that names the session of every session request.
 */
class AdversarialDataTest {

  @Test
  void aBurstOfFilesIsListedNewestFirstAndWalksCompletelyWithAfter() {
    try (QoderSimulator sim = QoderSimulator.builder().seed(3).sessions(0).files(40).agents(0).build().start()) {
      SimHttp http = new SimHttp(sim);
      List<String> before = sim.fileIds();
      List<String> burst = sim.createFiles("tool_output", 6_000);
      assertThat(burst).hasSize(6_000).doesNotHaveDuplicates();
      JsonNode first = http.get("/v1/files?limit=100").json();
      assertThat(first.get("first_id").asText()).isEqualTo(burst.get(5_999));
      Set<String> createdAt = new HashSet<>();
      first.get("data").forEach(f -> createdAt.add(f.get("created_at").asText()));
      assertThat(createdAt).hasSize(1);

      List<String> walked = http.walkIds("/v1/files?limit=100", "after", "file_id");
      assertThat(walked).hasSize(6_040).doesNotHaveDuplicates();
      List<String> newestFirst = new java.util.ArrayList<>(burst);
      java.util.Collections.reverse(newestFirst);
      assertThat(walked.subList(0, 6_000)).isEqualTo(newestFirst);
      assertThat(walked.subList(6_000, 6_040)).isEqualTo(before);

      // And backwards from the oldest file of the burst with before: the newer ones, newest first.
      JsonNode newer = http.get("/v1/files?limit=3&before=" + burst.get(0)).json();
      assertThat(newer.get("data")).extracting(f -> f.get("file_id").asText())
          .containsExactly(burst.get(3), burst.get(2), burst.get(1));

      JsonNode viaControl = http.control("POST", "/_sim/files", "{\"purpose\":\"agent_output\",\"count\":250}").json();
      assertThat(viaControl.get("file_ids")).hasSize(250);
      assertThat(sim.fileIds().get(0)).isEqualTo(viaControl.get("file_id").asText());
    }
  }

  @Test
  void oneLargeAgentMessageAtAKnownPosition() throws Exception {
    try (QoderSimulator sim = QoderSimulator.builder().seed(4).sessions(1).eventsPerSession(10).files(0).agents(0)
        .terminatedFraction(0).releasedFraction(0).build().start()) {
      SimHttp http = new SimHttp(sim);
      String s = sim.sessionIds().get(0);
      String twoMb = sim.appendEvent(s, EventSpec.agentMessage(2_000_000));
      String twentyMb = sim.appendEvent(s, EventSpec.agentMessage(20_000_000));
      sim.appendEvents(s, 2);
      List<String> truth = sim.groundTruth(s).eventIds();
      assertThat(truth.indexOf(twoMb)).isEqualTo(10);
      assertThat(truth.indexOf(twentyMb)).isEqualTo(11);

      SimHttp.Resp page = http.get("/v1/sessions/" + s + "/events?limit=3&after_id=" + truth.get(9));
      // 20,000,000 characters is exactly Jackson's default maxStringLength: read with room to spare.
      ObjectMapper lenient = new ObjectMapper(JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(100_000_000).build()).build());
      JsonNode data = lenient.readTree(page.raw().body()).get("data");
      assertThat(data).extracting(e -> e.get("id").asText()).containsExactly(twoMb, twentyMb, truth.get(12));
      assertThat(data.get(0).get("type").asText()).isEqualTo("agent.message");
      assertThat(data.get(0).get("content").get(0).get("text").asText()).hasSize(2_000_000);
      assertThat(data.get(1).get("content").get(0).get("text").asText()).hasSize(20_000_000);
      assertThat(page.raw().body().length).isGreaterThan(22_000_000);
      assertThatThrownBy(() -> EventSpec.agentMessage(EventSpec.MAX_CONTENT_BYTES + 1))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void eventsCanShareTheirPredecessorsCreatedAt() {
    try (QoderSimulator tied = QoderSimulator.builder().seed(12).sessions(3).eventsPerSession(200).files(0).agents(0)
        .faults(f -> f.eventTimestampTies(0.2)).build().start();
        QoderSimulator plain = QoderSimulator.builder().seed(12).sessions(3).eventsPerSession(200).files(0).agents(0)
            .build().start()) {
      assertThat(tied.sessionIds()).isEqualTo(plain.sessionIds());
      for (String id : tied.sessionIds()) { // same turns; ids of time-ordered events follow their (tied) times
        assertThat(tied.eventsJson(id)).extracting(e -> e.get("type").asText())
            .isEqualTo(plain.eventsJson(id).stream().map(e -> e.get("type").asText()).toList());
      }
      int ties = 0;
      for (String s : tied.sessionIds()) {
        List<JsonNode> events = List.copyOf(tied.eventsJson(s));
        for (int i = 1; i < events.size(); i++) {
          java.time.Instant a = java.time.Instant.parse(events.get(i - 1).get("created_at").asText());
          java.time.Instant b = java.time.Instant.parse(events.get(i).get("created_at").asText());
          assertThat(b).isAfterOrEqualTo(a);
          ties += a.equals(b) ? 1 : 0;
        }
      }
      assertThat(ties).isBetween(60, 180); // about 20 % of 597 successive pairs
      String s = plain.sessionIds().get(0);
      String last = plain.eventsJson(s).get(199).get("created_at").asText();
      plain.faults().eventTimestampTies(1);
      plain.appendEvents(s, 3);
      plain.faults().eventTimestampTies(0);
      plain.appendEvents(s, 1);
      List<String> times = plain.eventsJson(s).subList(200, 204).stream().map(e -> e.get("created_at").asText()).toList();
      assertThat(times.subList(0, 3)).containsOnly(last);
      assertThat(times.get(3)).isNotEqualTo(last);
    }
  }

  @Test
  void theCursorOfACaughtUpClientIsDeletedWhileEventsKeepArriving() {
    try (QoderSimulator sim = QoderSimulator.builder().seed(6).sessions(1).eventsPerSession(5).files(0).agents(0)
        .terminatedFraction(0).releasedFraction(0).liveMode(LiveMode.events(200)).build().start()) {
      SimHttp http = new SimHttp(sim);
      String s = sim.sessionIds().get(0);
      String path = "/v1/sessions/" + s + "/events?limit=100";
      LiveModeTest.await("live events", Duration.ofSeconds(10), () -> sim.groundTruth(s).eventIds().size() > 20);
      JsonNode page = http.get(path).json();
      String cursor = page.get("last_id").asText();
      sim.deleteEvent(s, cursor);
      int sizeAtDelete = sim.groundTruth(s).eventIds().size();
      SimHttp.Resp rejected = http.get(path + "&after_id=" + cursor);
      assertThat(rejected.status()).isEqualTo(400);
      assertThat(rejected.errorType()).isEqualTo("invalid_request_error");
      LiveModeTest.await("more live events", Duration.ofSeconds(10),
          () -> sim.groundTruth(s).eventIds().size() > sizeAtDelete + 5);
      assertThat(http.get(path + "&after_id=" + cursor).status()).as("still 400 while live").isEqualTo(400);
      assertThat(sim.groundTruth(s).deletedEventIds()).containsExactly(cursor);
    }
  }

  @Test
  void getASessionAnswers404OnceItIsDeletedAndTheFormsOf404DifferFromAMisroutedOne() {
    try (QoderSimulator sim = QoderSimulator.builder().seed(8).sessions(3).eventsPerSession(2).files(0).agents(0)
        .organizations("org_default").build().start()) {
      SimHttp http = new SimHttp(sim);
      String s = sim.sessionIds().get(1);
      String uuid = QoderSimulator.sessionUuid(s);
      JsonNode one = http.get("/api/v1/sessions/" + uuid, sim.token(), sim.organizations().get(0)).json();
      String org = one.get("organization").asText();
      assertThat(one.get("id").asText()).isEqualTo(uuid);
      assertThat(http.get("/api/v1/sessions/" + uuid, sim.token(), org).status()).isEqualTo(200);

      sim.faults().routeNotFound(Trigger.next(1).forSessions(s), Faults.NotFoundStyle.GATEWAY_JSON);
      SimHttp.Resp misrouted = http.get("/api/v1/sessions/" + uuid, sim.token(), org);
      assertThat(misrouted.status()).isEqualTo(404);
      assertThat(misrouted.json().has("type")).isFalse();
      assertThat(misrouted.json().get("message").asText()).isEqualTo("no Route matched with those values");

      sim.deleteSession(s);
      for (String path : List.of("/api/v1/sessions/" + uuid, "/v1/sessions/" + s,
          "/api/v1/cloud/sessions/" + s + "/events", "/api/v1/cloud/sessions/" + s + "/resources")) {
        SimHttp.Resp gone = http.get(path, sim.token(), org);
        assertThat(gone.status()).as(path).isEqualTo(404);
        assertThat(gone.errorType()).isEqualTo("not_found_error");
        assertThat(gone.json().get("error").get("message").asText()).startsWith("Session '").endsWith("' was not found.");
        assertThat(gone.header("x-sim-fault")).isNull();
      }
    }
  }

  @Test
  void everySessionRequestIsLoggedWithItsCanonicalSessionIdAndTheLogHoldsAMillion() {
    try (QoderSimulator sim = QoderSimulator.builder().seed(2).sessions(2).eventsPerSession(3).files(1).agents(1)
        .organizations("org_default").requestLogCapacity(1_000_000).build().start()) {
      SimHttp http = new SimHttp(sim);
      String s = sim.sessionIds().get(0);
      String uuid = QoderSimulator.sessionUuid(s);
      List<String> paths = List.of("/api/v1/cloud/sessions/" + s + "/events", "/v1/sessions/" + uuid + "/events",
          "/api/v1/cloud/sessions/" + uuid + "/resources", "/v1/sessions/" + s + "/resources",
          "/api/v1/sessions/" + uuid, "/v1/sessions/" + s, "/api/v1/sessions", "/v1/files", "/v1/agents");
      paths.forEach(http::get);
      sim.faults().routeNotFound(Trigger.next(1), Faults.NotFoundStyle.HTML);
      assertThat(http.get("/v1/sessions/" + uuid + "/events").status()).isEqualTo(404);
      assertThat(sim.requestLog()).extracting(RequestRecord::sessionId)
          .containsExactly(s, s, s, s, s, s, null, null, null, s);
      assertThat(sim.requestLog()).extracting(RequestRecord::endpoint).containsExactly(Endpoint.EVENTS,
          Endpoint.EVENTS, Endpoint.RESOURCES, Endpoint.RESOURCES, Endpoint.SESSION, Endpoint.SESSION,
          Endpoint.SESSIONS, Endpoint.FILES, Endpoint.AGENTS, Endpoint.EVENTS);
      assertThat(sim.requestStats().session(s)).isEqualTo(7);
    }
    assertThatThrownBy(() -> QoderSimulator.builder().requestLogCapacity(10_000_001).build())
        .hasMessageContaining("requestLogCapacity must be 0..10000000");
  }
}

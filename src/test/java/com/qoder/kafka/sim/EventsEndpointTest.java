package com.qoder.kafka.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Document 002 (session events) with the limit rules of document 003. */
class EventsEndpointTest {

  static QoderSimulator sim;
  static SimHttp http;
  static String big; // 10,000 events
  static String small; // 30 events

  @BeforeAll
  static void start() {
    sim = QoderSimulator.builder().seed(42).sessions(1).eventsPerSession(10_000).terminatedFraction(0)
        .releasedFraction(0).build().start();
    big = sim.sessionIds().get(0);
    small = sim.createSession(null, 30);
    http = new SimHttp(sim);
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  static String events(String session) {
    return "/api/v1/cloud/sessions/" + session + "/events";
  }

  @Test
  void firstPageIsOldestFirstWithDefaultLimit20() {
    SimHttp.Resp r = http.get(events(big));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("Content-Type")).isEqualTo("application/json");
    assertThat(r.header("Transfer-Encoding")).isNull();
    assertThat(r.header("Content-Length")).isEqualTo(Integer.toString(r.raw().body().length));
    JsonNode j = r.json();
    assertThat(j.get("data")).hasSize(20);
    List<String> truth = sim.groundTruth(big).eventIds();
    assertThat(j.get("first_id").asText()).isEqualTo(truth.get(0));
    assertThat(j.get("last_id").asText()).isEqualTo(truth.get(19));
    assertThat(j.get("has_more").asBoolean()).isTrue();
    assertThat(fieldNames(j)).containsExactly("data", "first_id", "last_id", "has_more");
  }

  @Test
  void bothPathFormsAndBothSessionIdSpellingsAnswerTheSame() {
    String uuid = Ids.sessionUuid(big);
    String a = http.get("/v1/sessions/" + big + "/events?limit=7").body();
    String b = http.get(events(big) + "?limit=7").body();
    String c = http.get("/v1/sessions/" + uuid + "/events?limit=7").body();
    String d = http.get(events(uuid) + "?limit=7").body();
    assertThat(a).isEqualTo(b).isEqualTo(c).isEqualTo(d);
    assertThat(http.get("/v1/sessions/" + big + "/resources").status()).isEqualTo(200);
    assertThat(http.get("/v1/sessions/" + uuid + "/resources").status()).isEqualTo(200);
  }

  @Test
  void everyEventHasTheDocumentedEnvelopeAndStrictlyIncreasingTimestamps() {
    List<JsonNode> all = new ArrayList<>();
    String after = null;
    do {
      JsonNode j = http.get(events(big) + "?limit=100" + (after == null ? "" : "&after_id=" + after)).json();
      j.get("data").forEach(all::add);
      after = j.get("has_more").asBoolean() ? j.get("last_id").asText() : null;
    } while (after != null);
    assertThat(all).hasSize(10_000);
    long prev = Long.MIN_VALUE;
    Set<String> types = new HashSet<>();
    boolean sawNanos = false;
    boolean sawMillis = false;
    boolean sawTimeOrdered = false;
    boolean sawRandom = false;
    for (JsonNode e : all) {
      assertThat(e.get("id").asText()).matches("evt_[0-9a-f]{32}");
      assertThat(e.get("session_id").asText()).isEqualTo(big);
      assertThat(e.get("turn_id").asText()).matches("turn_[0-9a-f]{32}");
      assertThat(e.get("schema_version").asText()).isEqualTo("1.0");
      assertThat(e.get("processed_at").asText()).isNotEmpty();
      String created = e.get("created_at").asText();
      long t = SimTime.parseEpochNanos(created);
      assertThat(t).as("created_at strictly increasing at %s", created).isGreaterThan(prev);
      prev = t;
      sawNanos |= created.matches(".*\\.\\d{9}Z");
      sawMillis |= created.matches(".*\\.\\d{3}Z");
      sawTimeOrdered |= e.get("id").asText().startsWith("evt_01");
      sawRandom |= e.get("id").asText().charAt(16) == '4';
      types.add(e.get("type").asText());
      switch (e.get("type").asText()) {
        case "user.message" -> assertThat(e.get("content").isTextual()).isTrue();
        case "agent.message" -> {
          assertThat(e.get("content").isArray()).isTrue();
          assertThat(e.get("content").get(0).get("type").asText()).isEqualTo("text");
          assertThat(e.get("content").get(0).get("text").isTextual()).isTrue();
        }
        case "session.status_idle" -> {
          assertThat(e.get("status").asText()).isEqualTo("idle");
          assertThat(fieldNames(e.get("usage"))).containsExactly("input_tokens", "output_tokens",
              "cache_read_input_tokens", "cache_creation_input_tokens");
          assertThat(e.get("stop_reason").get("type").asText()).isEqualTo("end_turn");
        }
        case "session.error" -> {
          assertThat(e.get("error").get("message").isTextual()).isTrue();
          assertThat(e.get("error").get("type").isTextual()).isTrue();
          assertThat(e.get("details").get("name").isTextual()).isTrue();
          assertThat(e.get("retry_status").get("type").isTextual()).isTrue();
        }
        default -> { }
      }
    }
    assertThat(types).contains("user.message", "session.status_rescheduled", "span.model_request_start",
        "agent.thinking", "agent.message", "span.model_request_end", "session.status_idle", "session.error");
    assertThat(sawNanos && sawMillis).as("both timestamp precisions").isTrue();
    assertThat(sawTimeOrdered && sawRandom).as("both id shapes").isTrue();
  }

  @Test
  void forwardPagingWalks10000EventsExactlyOnceInOrder() {
    List<String> walked = http.walkIds(events(big) + "?limit=100", "after_id", "id");
    assertThat(walked).isEqualTo(sim.groundTruth(big).eventIds());
    assertThat(new HashSet<>(walked)).hasSize(10_000);
  }

  @Test
  void beforeIdReturnsTheEventsImmediatelyBeforeTheCursorOldestFirst() {
    List<String> truth = sim.groundTruth(big).eventIds();
    JsonNode j = http.get(events(big) + "?limit=5&before_id=" + truth.get(100)).json();
    assertThat(ids(j)).containsExactlyElementsOf(truth.subList(95, 100));
    assertThat(j.get("first_id").asText()).isEqualTo(truth.get(95));
    assertThat(j.get("has_more").asBoolean()).isTrue();
    JsonNode start = http.get(events(big) + "?limit=5&before_id=" + truth.get(3)).json();
    assertThat(ids(start)).containsExactlyElementsOf(truth.subList(0, 3));
    assertThat(start.get("has_more").asBoolean()).isFalse();
  }

  @Test
  void afterTheLastEventThePageIsEmptyWithNullIds() {
    List<String> truth = sim.groundTruth(small).eventIds();
    JsonNode j = http.get(events(small) + "?after_id=" + truth.get(truth.size() - 1)).json();
    assertThat(j.get("data")).isEmpty();
    assertThat(j.get("first_id").isNull()).isTrue();
    assertThat(j.get("last_id").isNull()).isTrue();
    assertThat(j.get("has_more").asBoolean()).isFalse();
    String empty = sim.createSession();
    JsonNode e = http.get(events(empty)).json();
    assertThat(e.get("data")).isEmpty();
    assertThat(e.get("first_id").isNull()).isTrue();
  }

  @Test
  void limitOneAndHundredAreTheBounds() {
    assertThat(http.get(events(big) + "?limit=1").json().get("data")).hasSize(1);
    assertThat(http.get(events(big) + "?limit=100").json().get("data")).hasSize(100);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-1", "abc", "101", "1.5", "", "99999999999999999999"})
  void limitOutOfRangeIs400(String limit) {
    SimHttp.Resp r = http.get(events(big) + "?limit=" + limit);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.errorType()).isEqualTo("invalid_request_error");
    assertThat(r.json().get("error").get("message").asText()).contains("limit");
  }

  @Test
  void beforeIdAndAfterIdTogetherIs400() {
    List<String> truth = sim.groundTruth(big).eventIds();
    SimHttp.Resp r = http.get(events(big) + "?after_id=" + truth.get(1) + "&before_id=" + truth.get(5));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.errorType()).isEqualTo("invalid_request_error");
    assertThat(r.json().get("error").get("message").asText()).contains("mutually exclusive");
  }

  @Test
  void unknownSessionIs404WithTheDocumentedEnvelope() {
    SimHttp.Resp r = http.get(events("sess_does_not_exist_xxxxxxxxxxxxxxxxxxxxxxx"));
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.json().toString()).isEqualTo("{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\","
        + "\"message\":\"Session 'sess_does_not_exist_xxxxxxxxxxxxxxxxxxxxxxx' was not found.\"}}");
    assertThat(http.get("/v1/sessions/sess_0123456789abcdef0123456789abcdef/events").status()).isEqualTo(404);
  }

  @Test
  void aCursorThatIsNotAnEventOfTheSessionIs400AndADeletedOneToo() {
    assertThat(http.get(events(big) + "?after_id=evt_00000000000000000000000000000000").errorType())
        .isEqualTo("invalid_request_error");
    String victimSession = sim.createSession(null, 10);
    List<String> ids = sim.groundTruth(victimSession).eventIds();
    assertThat(http.get(events(victimSession) + "?after_id=" + ids.get(4)).status()).isEqualTo(200);
    sim.deleteEvent(victimSession, ids.get(4));
    SimHttp.Resp r = http.get(events(victimSession) + "?after_id=" + ids.get(4));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.errorType()).isEqualTo("invalid_request_error");
    // the deleted event is skipped by pages, kept by the ground truth
    assertThat(http.walkIds(events(victimSession), "after_id", "id")).hasSize(9).doesNotContain(ids.get(4));
    assertThat(sim.groundTruth(victimSession).deletedEventIds()).containsExactly(ids.get(4));
    // an event id of another session is not a cursor of this one
    assertThat(http.get(events(small) + "?after_id=" + ids.get(0)).status()).isEqualTo(400);
  }

  @Test
  void missingOrWrongTokenIs401() {
    SimHttp.Resp none = http.get(events(big), null, null);
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.errorType()).isEqualTo("authentication_error");
    assertThat(http.get(events(big), "wrong", null).status()).isEqualTo(401);
    assertThat(http.get("/v1/files", "wrong", null).status()).isEqualTo(401);
    assertThat(http.get("/api/v1/sessions", "wrong", null).errorType()).isEqualTo("authentication_error");
  }

  @Test
  void theSamePageTwiceHasTheSameBytes() {
    List<String> truth = sim.groundTruth(big).eventIds();
    String q = events(big) + "?limit=100&after_id=" + truth.get(5_000);
    assertThat(http.get(q).body()).isEqualTo(http.get(q).body());
  }

  @Test
  void unknownPathIs404AndNonGetIs405() {
    assertThat(http.get("/v2/nothing").errorType()).isEqualTo("not_found_error");
    SimHttp.Resp post = http.send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create(sim.baseUrl() + events(big)))
        .header("Authorization", "Bearer " + sim.token())
        .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build());
    assertThat(post.status()).isEqualTo(405);
  }

  static List<String> ids(JsonNode page) {
    return ids(page, "id");
  }

  static List<String> ids(JsonNode page, String idField) {
    List<String> out = new ArrayList<>();
    page.get("data").forEach(e -> out.add(e.get(idField).asText()));
    return out;
  }

  static List<String> fieldNames(JsonNode j) {
    List<String> out = new ArrayList<>();
    j.fieldNames().forEachRemaining(out::add);
    return out;
  }
}

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

/** Document 004: the sessions list and single session, organizations, and the id mapping. */
class SessionsEndpointTest {

  static QoderSimulator sim;
  static SimHttp http;

  @BeforeAll
  static void start() {
    sim = QoderSimulator.builder().seed(9).sessions(1_200).eventsPerSession(3).releasedFraction(0.3)
        .build().start();
    http = new SimHttp(sim);
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  /** Walks an organization's sessions by nextCursor; returns the UUIDs newest first. */
  static List<String> walk(String org, int limit) {
    List<String> ids = new ArrayList<>();
    String before = null;
    for (int i = 0; i < 10_000; i++) {
      JsonNode j = http.get("/api/v1/sessions?limit=" + limit + (before == null ? "" : "&before=" + before),
          sim.token(), org).json();
      assertThat(j.get("object").asText()).isEqualTo("list");
      j.get("data").forEach(s -> ids.add(s.get("id").asText()));
      if (!j.has("nextCursor")) {
        return ids;
      }
      assertThat(j.get("nextCursor").asText())
          .isEqualTo(j.get("data").get(j.get("data").size() - 1).get("createdAt").asText());
      before = j.get("nextCursor").asText();
    }
    throw new AssertionError("did not end");
  }

  @Test
  void sessionItemsHaveTheDocumentedFields() {
    JsonNode j = http.get("/api/v1/sessions?limit=5").json();
    assertThat(EventsEndpointTest.fieldNames(j)).containsExactly("object", "data", "nextCursor");
    JsonNode s = j.get("data").get(0);
    assertThat(EventsEndpointTest.fieldNames(s))
        .containsExactly("id", "organization", "user", "device", "createdAt", "releasedAt");
    assertThat(s.get("id").asText()).matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    assertThat(s.get("user").asText()).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    assertThat(s.get("organization").asText()).isEqualTo("org_default");
    assertThat(EventsEndpointTest.fieldNames(s.get("device"))).containsExactly("id", "platform", "type", "name", "osVersion");
  }

  @Test
  void pagingByBeforeVisitsEveryOrganizationSessionOnceNewestFirstAndDefaultLimitIs100() {
    assertThat(http.get("/api/v1/sessions").json().get("data")).hasSize(100);
    List<String> def = walk(null, 500);
    List<String> other = walk("org_research", 37);
    assertThat(walk("org_default", 7)).isEqualTo(def);
    assertThat(def.size() + other.size()).isEqualTo(sim.sessionIds().size());
    Set<String> all = new HashSet<>(def);
    all.addAll(other);
    Set<String> expected = new HashSet<>();
    sim.sessionIds().forEach(id -> expected.add(Ids.sessionUuid(id)));
    assertThat(all).isEqualTo(expected);
    assertThat(other).isNotEmpty();
    // newest first with distinct createdAt
    long prev = Long.MAX_VALUE;
    for (JsonNode s : http.get("/api/v1/sessions?limit=500").json().get("data")) {
      long t = SimTime.parseEpochNanos(s.get("createdAt").asText());
      assertThat(t).isLessThan(prev);
      prev = t;
    }
  }

  @Test
  void beforeIsStrict() {
    JsonNode page = http.get("/api/v1/sessions?limit=3").json();
    String secondCreated = page.get("data").get(1).get("createdAt").asText();
    JsonNode after = http.get("/api/v1/sessions?limit=1&before=" + secondCreated).json();
    assertThat(after.get("data").get(0).get("id").asText()).isEqualTo(page.get("data").get(2).get("id").asText());
    // RFC 3339 with an offset names the same instant
    JsonNode offset = http.get("/api/v1/sessions?limit=1&before=2999-01-01T01:00:00%2B01:00").json();
    assertThat(offset.get("data").get(0).get("id").asText()).isEqualTo(page.get("data").get(0).get("id").asText());
    JsonNode none = http.get("/api/v1/sessions?before=1970-01-01T00:00:00Z").json();
    assertThat(none.get("data")).isEmpty();
    assertThat(none.has("nextCursor")).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"limit=0", "limit=-1", "limit=abc", "limit=501", "before=yesterday", "before=2026-13-01T00:00:00Z"})
  void invalidParametersAre400(String query) {
    SimHttp.Resp r = http.get("/api/v1/sessions?" + query);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.errorType()).isEqualTo("invalid_request_error");
  }

  @Test
  void limit500IsAccepted() {
    assertThat(http.get("/api/v1/sessions?limit=500").json().get("data")).hasSize(500);
    assertThat(http.get("/v1/sessions?limit=500").json().get("data")).hasSize(500);
  }

  @Test
  void unknownOrganizationIs404() {
    SimHttp.Resp r = http.get("/api/v1/sessions", sim.token(), "org_nope");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.errorType()).isEqualTo("not_found_error");
  }

  @Test
  void releasedSessionsCarryReleasedAtAndOthersNull() {
    int released = 0;
    int open = 0;
    for (JsonNode s : http.get("/api/v1/sessions?limit=500").json().get("data")) {
      if (s.get("releasedAt").isNull()) {
        open++;
      } else {
        released++;
        assertThat(SimTime.parseEpochNanos(s.get("releasedAt").asText()))
            .isGreaterThan(SimTime.parseEpochNanos(s.get("createdAt").asText()));
      }
    }
    assertThat(released).isPositive();
    assertThat(open).isPositive();
    String id = sim.createSession();
    String uuid = Ids.sessionUuid(id);
    assertThat(http.get("/api/v1/sessions/" + uuid).json().get("releasedAt").isNull()).isTrue();
    sim.releaseSession(id);
    assertThat(http.get("/api/v1/sessions/" + uuid).json().get("releasedAt").isTextual()).isTrue();
  }

  @Test
  void singleSessionByUuidMatchesTheListAndRespectsTheOrganization() {
    JsonNode listed = http.get("/api/v1/sessions?limit=1").json().get("data").get(0);
    String uuid = listed.get("id").asText();
    assertThat(http.get("/api/v1/sessions/" + uuid).json()).isEqualTo(listed);
    assertThat(http.get("/v1/sessions/" + uuid).json()).isEqualTo(listed);
    assertThat(http.get("/api/v1/sessions/" + uuid, sim.token(), "org_research").status()).isEqualTo(404);
    SimHttp.Resp missing = http.get("/api/v1/sessions/00000000-0000-7000-8000-000000000000");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.errorType()).isEqualTo("not_found_error");
  }

  @Test
  void listedSessionsAreExactlyTheOnesTheEventsEndpointAnswersFor() {
    for (String uuid : walk(null, 500).subList(0, 50)) {
      String sess = Ids.canonicalSessionId(uuid);
      assertThat(http.get("/api/v1/cloud/sessions/" + sess + "/events?limit=1").status()).isEqualTo(200);
      assertThat(http.get("/api/v1/cloud/sessions/" + uuid + "/resources?limit=1").status()).isEqualTo(200);
    }
  }

  @Test
  void deletedSessionsDisappearEverywhere() {
    String id = sim.createSession(null, 4);
    String uuid = Ids.sessionUuid(id);
    assertThat(http.get("/api/v1/sessions/" + uuid).status()).isEqualTo(200);
    sim.deleteSession(id);
    assertThat(http.get("/api/v1/sessions/" + uuid).status()).isEqualTo(404);
    assertThat(http.get("/v1/sessions/" + id + "/events").status()).isEqualTo(404);
    assertThat(http.get("/api/v1/cloud/sessions/" + id + "/resources").status()).isEqualTo(404);
    assertThat(walk(null, 500)).doesNotContain(uuid);
    assertThat(sim.groundTruth(id).deleted()).isTrue();
    assertThat(sim.groundTruth(id).eventIds()).hasSize(4);
  }
}

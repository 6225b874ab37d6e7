package com.qoder.kafka.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Document 004 with sessions that share a {@code createdAt}: {@code before} is strictly before and
 * {@code nextCursor} is the last session's {@code createdAt}, so a client that passes the cursor on
 * unchanged skips the tied sessions of the next page. The simulator must list exactly that.
 */
class SessionTiesTest {

  /** Walks the default organization's list passing nextCursor unchanged; UUIDs newest first. */
  static List<String> naiveWalk(SimHttp http, int limit) {
    List<String> ids = new ArrayList<>();
    String before = null;
    for (int i = 0; i < 10_000; i++) {
      JsonNode j = http.get("/api/v1/sessions?limit=" + limit + (before == null ? "" : "&before=" + before)).json();
      j.get("data").forEach(s -> ids.add(s.get("id").asText()));
      if (!j.has("nextCursor")) {
        return ids;
      }
      before = j.get("nextCursor").asText();
    }
    throw new AssertionError("did not end");
  }

  static List<String> uuidsNewestFirst(QoderSimulator sim) {
    List<String> out = new ArrayList<>(sim.sessionIds().stream().map(QoderSimulator::sessionUuid).toList());
    Collections.reverse(out);
    return out;
  }

  static QoderSimulator.Builder accountOf(int sessions) {
    return QoderSimulator.builder().seed(5).sessions(sessions).eventsPerSession(0).files(0).agents(0)
        .maxResourcesPerSession(0).organizations("org_default");
  }

  @Test
  void theFiveHundredAndFirstOfFiveHundredAndOneSessionsIsSkippedByANaiveClient() {
    try (QoderSimulator sim = accountOf(501).sessionTiesAtPageBoundaries(500, 2).build().start()) {
      SimHttp http = new SimHttp(sim);
      List<String> all = uuidsNewestFirst(sim);
      JsonNode first = http.get("/api/v1/sessions?limit=500").json();
      assertThat(first.get("data")).hasSize(500);
      String cursor = first.get("nextCursor").asText();
      assertThat(first.get("data").get(499).get("createdAt").asText()).isEqualTo(cursor);
      assertThat(sim.sessionCreatedAt(all.get(500))).isEqualTo(sim.sessionCreatedAt(all.get(499)))
          .isEqualTo(Instant.parse(cursor));
      assertThat(sim.sessionCreatedAt(all.get(498))).isAfter(Instant.parse(cursor));

      JsonNode second = http.get("/api/v1/sessions?limit=500&before=" + cursor).json();
      assertThat(second.get("data")).isEmpty(); // strictly before: the tied 501st is not on it
      assertThat(second.has("nextCursor")).isFalse();
      List<String> naive = naiveWalk(http, 500);
      assertThat(naive).hasSize(500).doesNotContain(all.get(500));

      // The tied sessions are all there just after the cursor instant.
      String justAfter = Instant.parse(cursor).plusNanos(1).toString();
      JsonNode again = http.get("/api/v1/sessions?limit=500&before=" + justAfter).json();
      List<String> ids = new ArrayList<>();
      again.get("data").forEach(s -> ids.add(s.get("id").asText()));
      assertThat(ids).containsExactly(all.get(499), all.get(500));
    }
  }

  @Test
  void tiesAtEveryBoundaryOfAHundredKeepTheSeedsIdsAndEvents() {
    try (QoderSimulator tied = accountOf(350).eventsPerSession(4).sessionTiesAtPageBoundaries(100, 3).build().start();
        QoderSimulator plain = accountOf(350).eventsPerSession(4).build().start()) {
      assertThat(tied.sessionIds()).isEqualTo(plain.sessionIds());
      assertThat(tied.groundTruth()).isEqualTo(plain.groundTruth());
      List<String> all = uuidsNewestFirst(tied);
      for (int boundary : new int[] {100, 200, 300}) {
        Instant t = tied.sessionCreatedAt(all.get(boundary - 1));
        assertThat(tied.sessionCreatedAt(all.get(boundary))).isEqualTo(t);
        assertThat(tied.sessionCreatedAt(all.get(boundary + 1))).isEqualTo(t);
        assertThat(tied.sessionCreatedAt(all.get(boundary - 2))).isAfter(t);
      }
      for (String id : tied.sessionIds()) { // no event precedes its session
        Instant created = tied.sessionCreatedAt(id);
        tied.eventsJson(id).forEach(e -> assertThat(Instant.parse(e.get("created_at").asText())).isAfter(created));
      }
      assertThat(naiveWalk(new SimHttp(tied), 100)).hasSizeLessThan(350);
      assertThat(naiveWalk(new SimHttp(plain), 100)).isEqualTo(uuidsNewestFirst(plain)); // default: no ties
    }
  }

  @Test
  void sessionsCreatedTogetherShareOneCreatedAtAndCanStraddleAPageOfAHundred() {
    try (QoderSimulator sim = accountOf(0).build().start()) {
      Instant t0 = Instant.parse("2026-05-01T10:00:00.123456789Z");
      List<String> tied = sim.createSessionsAt(null, t0, 2, 1);
      for (int i = 1; i <= 99; i++) {
        sim.createSessionsAt(null, t0.plusSeconds(i), 1, 0);
      }
      assertThat(tied).allSatisfy(id -> assertThat(sim.sessionCreatedAt(id)).isEqualTo(t0));
      assertThat(sim.groundTruth(tied.get(0)).eventIds()).hasSize(1);
      SimHttp http = new SimHttp(sim);
      JsonNode page = http.get("/api/v1/sessions?limit=100").json();
      assertThat(page.get("data")).hasSize(100);
      assertThat(page.get("nextCursor").asText()).isEqualTo("2026-05-01T10:00:00.123456789Z");
      // Newest first: of two tied sessions the one created last comes first.
      assertThat(page.get("data").get(99).get("id").asText()).isEqualTo(QoderSimulator.sessionUuid(tied.get(1)));
      assertThat(naiveWalk(http, 100)).hasSize(100).doesNotContain(QoderSimulator.sessionUuid(tied.get(0)));

      List<String> now = sim.createSessions(3);
      assertThat(now).extracting(sim::sessionCreatedAt).containsOnly(sim.sessionCreatedAt(now.get(0)));
      assertThat(sim.sessionCreatedAt(now.get(0))).isAfter(t0.plusSeconds(99));
    }
  }

  @Test
  void controlApiCreatesTiedSessions() {
    try (QoderSimulator sim = accountOf(1).build().start()) {
      SimHttp http = new SimHttp(sim);
      JsonNode r = http.control("POST", "/_sim/sessions", "{\"count\":3,\"created_at\":\"2026-05-02T00:00:00Z\"}").json();
      assertThat(r.get("session_ids")).hasSize(3);
      assertThat(r.get("created_at").asText()).isEqualTo("2026-05-02T00:00:00Z");
      r.get("session_ids").forEach(id -> assertThat(sim.sessionCreatedAt(id.asText()))
          .isEqualTo(Instant.parse("2026-05-02T00:00:00Z")));
      JsonNode list = http.get("/api/v1/sessions?limit=500&before=2026-05-02T00:00:00.000000001Z").json();
      assertThat(list.get("data")).hasSize(3);
      assertThat(http.control("POST", "/_sim/sessions", "{\"count\":2,\"created_at\":\"yesterday\"}").status())
          .isEqualTo(400);
      JsonNode single = http.control("POST", "/_sim/sessions", "{}").json();
      assertThat(single.get("session_ids")).hasSize(1);
      assertThat(single.get("uuid").asText()).isEqualTo(QoderSimulator.sessionUuid(single.get("session_id").asText()));
    }
  }

  @Test
  void beforeIsStrictEvenForAnUntiedSession() {
    try (QoderSimulator sim = accountOf(5).build().start()) {
      SimHttp http = new SimHttp(sim);
      List<String> all = uuidsNewestFirst(sim);
      String createdAt = http.get("/api/v1/sessions/" + all.get(2)).json().get("createdAt").asText();
      JsonNode page = http.get("/api/v1/sessions?before=" + createdAt).json();
      assertThat(page.get("data")).hasSize(2);
      assertThat(page.get("data").get(0).get("id").asText()).isEqualTo(all.get(3));
    }
  }
}

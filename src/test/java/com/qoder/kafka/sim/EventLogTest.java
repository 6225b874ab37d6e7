package com.qoder.kafka.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The columnar event log and its id index against a plain model. */
class EventLogTest {

  @Property(tries = 50)
  void indexFindsEveryLiveIdAndNoDeletedOne(@ForAll long seed, @ForAll @IntRange(min = 0, max = 3_000) int n) {
    SplittableRandom r = new SplittableRandom(seed);
    EventLog log = new EventLog();
    List<long[]> ids = new ArrayList<>();
    Set<Integer> deleted = new HashSet<>();
    int turn = log.newTurn(1, 2);
    for (int i = 0; i < n; i++) {
      long hi = r.nextInt(4) == 0 ? i : r.nextLong(); // some ids collide in their hash inputs
      long lo = r.nextInt(4) == 0 ? 0 : r.nextLong();
      if (log.contains(hi, lo)) {
        continue;
      }
      int index = log.append(hi, lo, i, turn, EventKind.AGENT_THINKING, null);
      assertThat(index).isEqualTo(ids.size());
      ids.add(new long[] {hi, lo});
      if (r.nextInt(10) == 0) {
        int victim = r.nextInt(ids.size());
        boolean removed = log.delete(ids.get(victim)[0], ids.get(victim)[1]);
        assertThat(removed).isEqualTo(deleted.add(victim));
      }
    }
    assertThat(log.size()).isEqualTo(ids.size());
    assertThat(log.liveCount()).isEqualTo(ids.size() - deleted.size());
    for (int i = 0; i < ids.size(); i++) {
      assertThat(log.indexOf(ids.get(i)[0], ids.get(i)[1])).isEqualTo(deleted.contains(i) ? -1 : i);
      assertThat(log.isDeleted(i)).isEqualTo(deleted.contains(i));
    }
    assertThat(log.indexOf(r.nextLong(), r.nextLong())).isEqualTo(-1);
  }

  @Test
  void idsRoundTripThroughTheirHexForm() {
    long[] parsed = new long[2];
    String id = Ids.hex32("evt_", 0x019e392c0d787cfaL, 0xa21bda98e06cd913L);
    assertThat(id).isEqualTo("evt_019e392c0d787cfaa21bda98e06cd913");
    assertThat(Ids.parse128(id, "evt_", parsed)).isTrue();
    assertThat(parsed).containsExactly(0x019e392c0d787cfaL, 0xa21bda98e06cd913L);
    assertThat(Ids.parse128("evt_019E392C0D787CFAA21BDA98E06CD913", "evt_", parsed)).isFalse();
    assertThat(Ids.parse128("evt_short", "evt_", parsed)).isFalse();
    assertThat(Ids.parse128("sesr_019e392c0d787cfaa21bda98e06cd913", "evt_", parsed)).isFalse();
  }

  @Test
  void routesCoverBothPathFormsAndNothingElse() {
    assertThat(ApiHandler.route("/v1/sessions/sess_x/events")).isEqualTo(new ApiHandler.Route(Endpoint.EVENTS, "sess_x"));
    assertThat(ApiHandler.route("/api/v1/cloud/sessions/sess_x/events/").endpoint()).isEqualTo(Endpoint.EVENTS);
    assertThat(ApiHandler.route("/api/v1/cloud/sessions/sess_x/resources").endpoint()).isEqualTo(Endpoint.RESOURCES);
    assertThat(ApiHandler.route("/v1/sessions/sess_x/resources").endpoint()).isEqualTo(Endpoint.RESOURCES);
    assertThat(ApiHandler.route("/v1/files").endpoint()).isEqualTo(Endpoint.FILES);
    assertThat(ApiHandler.route("/api/v1/cloud/files").endpoint()).isEqualTo(Endpoint.FILES);
    assertThat(ApiHandler.route("/api/v1/cloud/agents").endpoint()).isEqualTo(Endpoint.AGENTS);
    assertThat(ApiHandler.route("/v1/agents").endpoint()).isEqualTo(Endpoint.AGENTS);
    assertThat(ApiHandler.route("/api/v1/sessions").endpoint()).isEqualTo(Endpoint.SESSIONS);
    assertThat(ApiHandler.route("/v1/sessions").endpoint()).isEqualTo(Endpoint.SESSIONS);
    assertThat(ApiHandler.route("/api/v1/sessions/u-u-i-d")).isEqualTo(new ApiHandler.Route(Endpoint.SESSION, "u-u-i-d"));
    for (String other : List.of("/", "/v1", "/api/v1/cloud/sessions", "/api/v1/cloud/sessions/x",
        "/api/v1/sessions/x/events", "/api/v1/files", "/v1/sessions/x/other", "/v1/sessions//events")) {
      assertThat(ApiHandler.route(other).endpoint()).as(other).isEqualTo(Endpoint.UNKNOWN);
    }
  }
}

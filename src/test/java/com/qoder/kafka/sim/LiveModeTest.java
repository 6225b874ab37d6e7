package com.qoder.kafka.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** Live mode: events keep arriving, sessions appear, get released and terminated. */
class LiveModeTest {

  static void await(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      try {
        Thread.sleep(10); // polling interval, not a wait for an outcome
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  @Test
  void eventsArriveAndAClientFollowingAfterIdSeesEachOnceInOrder() {
    try (QoderSimulator sim = QoderSimulator.builder().seed(4).sessions(3).eventsPerSession(5).terminatedFraction(0)
        .releasedFraction(0).liveMode(LiveMode.events(300)).build().start()) {
      SimHttp http = new SimHttp(sim);
      String s = sim.sessionIds().get(0);
      await("live events", Duration.ofSeconds(20), () -> sim.groundTruth(s).eventIds().size() > 60);
      sim.liveMode(LiveMode.off());
      List<String> truth = sim.groundTruth(s).eventIds();
      assertThat(http.walkIds("/v1/sessions/" + s + "/events?limit=7", "after_id", "id")).isEqualTo(truth);
    }
  }

  @Test
  void followingWhileEventsArriveLosesNothing() {
    try (QoderSimulator sim = QoderSimulator.builder().seed(6).sessions(1).eventsPerSession(0)
        .terminatedFraction(0).releasedFraction(0).liveMode(LiveMode.events(500)).build().start()) {
      SimHttp http = new SimHttp(sim);
      String s = sim.sessionIds().get(0);
      Set<String> seen = new HashSet<>();
      java.util.List<String> order = new java.util.ArrayList<>();
      String after = null;
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (order.size() < 400 && System.nanoTime() < deadline) {
        JsonNode j = http.get("/v1/sessions/" + s + "/events?limit=50" + (after == null ? "" : "&after_id=" + after)).json();
        for (JsonNode e : j.get("data")) {
          assertThat(seen.add(e.get("id").asText())).isTrue();
          order.add(e.get("id").asText());
        }
        if (!j.get("last_id").isNull()) {
          after = j.get("last_id").asText(); // never reset the cursor on an empty page
        }
      }
      sim.liveMode(LiveMode.off());
      assertThat(order).isEqualTo(sim.groundTruth(s).eventIds().subList(0, order.size()));
      assertThat(order.size()).isGreaterThanOrEqualTo(400);
    }
  }

  @Test
  void sessionsAppearGetReleasedAndTerminated() {
    try (QoderSimulator sim = QoderSimulator.builder().seed(2).sessions(30).eventsPerSession(3).terminatedFraction(0)
        .releasedFraction(0).build().start()) {
      sim.liveMode(new LiveMode(true, 50, 20, 5, 5));
      await("new, released and terminated sessions", Duration.ofSeconds(20), () -> {
        var truth = sim.groundTruth();
        long terminated = truth.values().stream().filter(GroundTruth::terminated).count();
        long released = truth.values().stream().filter(GroundTruth::released).count();
        return truth.size() >= 40 && terminated >= 2 && released >= 2;
      });
      sim.liveMode(LiveMode.off());
      SimHttp http = new SimHttp(sim);
      for (GroundTruth t : sim.groundTruth().values()) {
        if (t.terminated()) {
          List<String> ids = t.eventIds();
          JsonNode page = http.get("/v1/sessions/" + t.sessionId() + "/events?limit=100").json();
          assertThat(page.get("has_more").asBoolean()).isFalse();
          JsonNode data = page.get("data");
          assertThat(data.get(data.size() - 1).get("type").asText()).isEqualTo("terminated");
          assertThat(data.get(data.size() - 1).get("id").asText()).isEqualTo(ids.get(ids.size() - 1));
        }
      }
      // new sessions are listed by the sessions endpoint
      assertThat(http.get("/api/v1/sessions?limit=500").json().get("data").size()
          + http.get("/api/v1/sessions?limit=500", sim.token(), "org_research").json().get("data").size())
          .isEqualTo(sim.sessionIds().size());
    }
  }
}

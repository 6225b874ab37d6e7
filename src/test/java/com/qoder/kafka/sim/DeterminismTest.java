package com.qoder.kafka.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The same seed gives the same bytes on every endpoint; another seed gives other data. */
class DeterminismTest {

  static List<String> snapshot(long seed) {
    try (QoderSimulator sim = QoderSimulator.builder().seed(seed).sessions(20).eventsPerSession(40).files(30)
        .faults(f -> f.unknownEventTypes(0.05))
        .clock(java.time.Clock.fixed(java.time.Instant.parse("2026-06-01T00:00:00Z"), java.time.ZoneOffset.UTC))
        .build().start()) {
      SimHttp http = new SimHttp(sim);
      String s = sim.sessionIds().get(7);
      String after = sim.groundTruth(s).eventIds().get(10);
      // Appending continues the session's random sequence; with a fixed clock even time-ordered ids repeat.
      List<String> appended = sim.appendEvents(s, 5);
      return List.of(
          http.get("/api/v1/sessions?limit=500").body(),
          http.get("/api/v1/sessions?limit=500", sim.token(), "org_research").body(),
          http.get("/v1/sessions/" + s + "/events?limit=100&after_id=" + after).body(),
          http.get("/api/v1/cloud/sessions/" + s + "/resources").body(),
          http.get("/v1/files?limit=100").body(),
          http.get("/v1/agents?limit=100").body(),
          appended.toString());
    }
  }

  @Test
  void sameSeedSameBytes() {
    List<String> a = snapshot(2024);
    List<String> b = snapshot(2024);
    assertThat(b).isEqualTo(a);
    List<String> c = snapshot(2025);
    for (int i = 0; i < a.size(); i++) {
      assertThat(c.get(i)).as("endpoint %d with another seed", i).isNotEqualTo(a.get(i));
    }
  }
}

package com.qoder.kafka.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The simulator's toString names where it listens and nothing about its token. */
class SimulatorToStringTest {

  private static final String TOKEN = "sim-token-7c1e55aa";

  @Test
  void toStringOmitsTheTokenBeforeAndAfterStart() {
    QoderSimulator sim = QoderSimulator.builder().sessions(0).files(0).agents(0).token(TOKEN).build();
    assertThat(sim.toString()).isEqualTo("QoderSimulator[not started]");
    try (sim) {
      sim.start();
      assertThat(sim.toString())
          .isEqualTo("QoderSimulator[" + sim.baseUrl() + "]")
          .doesNotContain(TOKEN)
          .doesNotContain("******")
          .doesNotContainIgnoringCase("token");
    }
  }
}

package com.qoder.kafka.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TrendTest {

  private static final Instant T0 = Instant.parse("2026-12-03T14:00:00Z");

  @Test
  void ratesAreAveragesBetweenSamplesAndTheRingKeepsFifteenMinutes() {
    Trend t = new Trend(Duration.ofSeconds(10));
    assertThat(t.capacity()).isEqualTo(90);
    t.record(T0, 1_000, 50, 0.5);
    t.record(T0.plusSeconds(10), 1_250, 80, 0.7);
    assertThat(t.samples()).hasSize(2);
    assertThat(t.samples().get(0).eventsPerSecond()).as("the first sample is only a baseline").isNaN();
    Trend.Sample s = t.samples().get(1);
    assertThat(s.eventsPerSecond()).isEqualTo(25.0);
    assertThat(s.requestsPerSecond()).isEqualTo(3.0);
    assertThat(s.lagP99Seconds()).isEqualTo(0.7);
    for (int i = 2; i < 200; i++) {
      t.record(T0.plusSeconds(10L * i), 1_250 + i, 80 + i, 1);
    }
    assertThat(t.samples()).hasSize(90);
    assertThat(t.samples().get(0).at()).isEqualTo(T0.plusSeconds(10L * 110));
    assertThat(t.samples().get(89).at()).isEqualTo(T0.plusSeconds(10L * 199));
  }

  @Test
  void aCounterThatWentDownGivesNoRateInsteadOfANegativeOne() {
    Trend t = new Trend(Duration.ofSeconds(1));
    t.record(T0, 500, 500, Double.NaN);
    t.record(T0.plusSeconds(1), 10, 10, Double.NaN);
    assertThat(t.samples().get(1).eventsPerSecond()).isNaN();
    assertThat(t.samples().get(1).requestsPerSecond()).isNaN();
    t.record(T0.plusSeconds(2), 14, 12, Double.NaN);
    assertThat(t.samples().get(2).eventsPerSecond()).isEqualTo(4.0);
  }

  @Test
  void intervalOutOfRangeIsRefusedWithTheRange() {
    assertThatThrownBy(() -> new Trend(Duration.ofMillis(200))).hasMessageContaining("1 s … 5 min");
    assertThatThrownBy(() -> new Trend(Duration.ofMinutes(6))).hasMessageContaining("1 s … 5 min");
  }
}

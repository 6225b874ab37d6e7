package com.qoder.kafka.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SessionIdsTest {

  @Test
  void uuidAndSessFormsNameTheSameSession() {
    assertThat(SessionIds.canonical("019e392c-0d1e-74e0-95d2-1ea4c6b41def"))
        .isEqualTo("sess_019e392c0d1e74e095d21ea4c6b41def");
    assertThat(SessionIds.toUuid("sess_019e392c0d1e74e095d21ea4c6b41def"))
        .isEqualTo("019e392c-0d1e-74e0-95d2-1ea4c6b41def");
    assertThat(SessionIds.canonical("sess_019e392c0d1e74e095d21ea4c6b41def"))
        .isEqualTo("sess_019e392c0d1e74e095d21ea4c6b41def");
  }

  @Test
  void timestampsKeepNanoseconds() {
    long n = Timestamps.parseEpochNanos("2026-05-18T03:40:48.888851795Z");
    assertThat(n % 1_000_000_000L).isEqualTo(888_851_795L);
    assertThat(Timestamps.format(n)).isEqualTo("2026-05-18T03:40:48.888851795Z");
    assertThat(Timestamps.format(Timestamps.parseEpochNanos("2026-05-18T03:40:50.321Z")))
        .isEqualTo("2026-05-18T03:40:50.321Z");
  }
}

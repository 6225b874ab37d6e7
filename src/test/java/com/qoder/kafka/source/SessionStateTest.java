package com.qoder.kafka.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The fall-back ids of a session survive being packed (quiet, restored) and unpacked (new events). */
class SessionStateTest {

  @Test
  void aQuietSessionKeepsItsFallBackIdsInOrderAndGoesOnFromThemWithNewEvents() {
    SessionState s = new SessionState("sess_a", 512, 0);
    for (int i = 1; i <= 6; i++) {
      s.acknowledged("evt_" + i, i);
    }
    assertThat(s.recentIds()).containsExactly("evt_3", "evt_4", "evt_5", "evt_6");

    s.quiet(8);
    assertThat(s.recentIds()).containsExactly("evt_3", "evt_4", "evt_5", "evt_6");
    assertThat(s.snapshot().recentIds()).containsExactly("evt_3", "evt_4", "evt_5", "evt_6");

    s.acknowledged("evt_7", 7);
    assertThat(s.recentIds()).containsExactly("evt_4", "evt_5", "evt_6", "evt_7");
    s.acknowledged("evt_8", 8);
    s.acknowledged("evt_9", 9);
    assertThat(s.recentIds()).containsExactly("evt_6", "evt_7", "evt_8", "evt_9");
  }

  @Test
  void aRestoredSessionHasTheStoredIdsAndAddsToThem() {
    SessionState s = new SessionState("sess_b", 512, 0);
    s.acknowledged("evt_1", 1);
    s.acknowledged("évt_2", 2); // not ASCII: packed as UTF-8
    s.advance("évt_2");
    SessionState restored = SessionState.fromSnapshot(s.snapshot(), 512);
    assertThat(restored.recentIds()).containsExactly("evt_1", "évt_2");
    assertThat(restored.cursor()).isEqualTo("évt_2");

    restored.acknowledged("evt_3", 3);
    assertThat(restored.recentIds()).containsExactly("evt_1", "évt_2", "evt_3");
    restored.quiet(8);
    restored.quiet(8);
    assertThat(restored.recentIds()).containsExactly("evt_1", "évt_2", "evt_3");
  }

  @Test
  void aFinishedSessionForgetsItsFallBackIdsPackedOrNot() {
    SessionState s = new SessionState("sess_c", 512, 0);
    s.acknowledged("evt_1", 1);
    s.quiet(8);
    s.status(SessionStatus.TERMINATED);
    assertThat(s.recentIds()).isEmpty();
    s.acknowledged("evt_2", 2);
    assertThat(s.recentIds()).isEqualTo(List.of("evt_2"));
  }
}

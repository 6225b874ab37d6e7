package com.qoder.kafka.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class DedupWindowTest {

  @Test
  void remembersTheNewestIdsOnly() {
    DedupWindow w = new DedupWindow(3);
    for (String id : List.of("evt_a", "evt_b", "evt_c", "evt_d")) {
      w.add(id);
    }
    assertThat(w.contains("evt_a")).isFalse();
    assertThat(w.contains("evt_b")).isTrue();
    assertThat(w.contains("evt_d")).isTrue();
    assertThat(w.size()).isEqualTo(3);
    w.add("evt_d"); // present: no eviction
    assertThat(w.contains("evt_b")).isTrue();
  }

  @Test
  void survivesEncodingAndShrinking() {
    DedupWindow w = new DedupWindow(100);
    for (int i = 0; i < 150; i++) {
      w.add("evt_" + i);
    }
    DedupWindow back = DedupWindow.decode(w.encode(), 100);
    assertThat(back.contains("evt_149")).isTrue();
    assertThat(back.contains("evt_50")).isTrue();
    assertThat(back.contains("evt_49")).isFalse();

    DedupWindow smaller = DedupWindow.decode(w.encode(), 10);
    assertThat(smaller.contains("evt_149")).isTrue();
    assertThat(smaller.contains("evt_139")).isFalse();
    smaller.add("evt_new");
    assertThat(smaller.contains("evt_140")).isFalse();

    back.shrinkTo(5);
    assertThat(back.contains("evt_149")).isTrue();
    assertThat(back.contains("evt_144")).isFalse();
    back.growTo(50);
    back.add("evt_x");
    assertThat(back.contains("evt_145")).isTrue();
    assertThat(back.contains("evt_x")).isTrue();
  }

  @Test
  void corruptWindowIsAnErrorNotAnEmptyWindow() {
    assertThatThrownBy(() -> DedupWindow.decode("AAAA", 10)).hasMessageContaining("not a multiple of 8");
  }

  @Test
  void sessionStateSurvivesItsSnapshot() {
    SessionState s = new SessionState("sess_1", 16, 42);
    s.acknowledged("evt_1", 100);
    s.acknowledged("evt_2", 200);
    s.advance("evt_2");
    s.count(2, 0, 1);
    s.status(SessionStatus.IDLE);
    SessionState restored = SessionState.fromSnapshot(s.snapshot(), 16);
    assertThat(restored.snapshot()).isEqualTo(s.snapshot());
    assertThat(restored.seen("evt_1")).isTrue();
    assertThat(restored.seen("evt_3")).isFalse();
    assertThat(restored.cursor()).isEqualTo("evt_2");
    assertThat(restored.recentIds()).containsExactly("evt_1", "evt_2");
  }
}

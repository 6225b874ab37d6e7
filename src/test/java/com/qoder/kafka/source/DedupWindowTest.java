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
  void allocatesItsRingOnlyAsIdsArrive() {
    DedupWindow w = new DedupWindow(512);
    assertThat(w.fingerprints()).isEmpty();
    assertThat(w.capacity()).isEqualTo(512);
    for (int i = 0; i < 600; i++) {
      w.add("evt_" + i);
      assertThat(w.size()).isEqualTo(Math.min(i + 1, 512));
    }
    assertThat(w.contains("evt_87")).isFalse();
    assertThat(w.contains("evt_88")).isTrue();
    assertThat(w.contains("evt_599")).isTrue();
    // Oldest first, whatever the ring's growth and wrapping did.
    long[] f = w.fingerprints();
    assertThat(f[0]).isEqualTo(DedupWindow.fingerprint("evt_88"));
    assertThat(f[511]).isEqualTo(DedupWindow.fingerprint("evt_599"));
  }

  @Test
  void behavesLikeASetOfTheNewestIdsThroughGrowShrinkAndRestore() {
    java.util.Random r = new java.util.Random(3);
    for (int round = 0; round < 200; round++) {
      int capacity = 1 + r.nextInt(40);
      DedupWindow w = new DedupWindow(capacity);
      java.util.ArrayDeque<String> model = new java.util.ArrayDeque<>();
      for (int step = 0; step < 300; step++) {
        int op = r.nextInt(20);
        if (op == 0) {
          int c = 1 + r.nextInt(40);
          w.shrinkTo(c);
          while (model.size() > Math.min(c, capacity)) {
            model.removeFirst();
          }
          capacity = Math.min(c, capacity);
        } else if (op == 1) {
          int c = 1 + r.nextInt(40);
          w.growTo(c);
          capacity = Math.max(c, capacity);
        } else if (op == 2) {
          w = DedupWindow.decode(w.encode(), capacity);
        } else {
          String id = "evt_" + r.nextInt(60);
          w.add(id);
          if (!model.contains(id)) {
            model.addLast(id);
            if (model.size() > capacity) {
              model.removeFirst();
            }
          }
        }
        assertThat(w.size()).isEqualTo(model.size());
        assertThat(w.capacity()).isEqualTo(capacity);
        long[] f = w.fingerprints();
        int i = 0;
        for (String id : model) {
          assertThat(f[i++]).isEqualTo(DedupWindow.fingerprint(id));
        }
      }
    }
  }

  @Test
  void fingerprintsOfAsciiAndOtherIdsAreTheUtf8Fnv() {
    for (String id : List.of("evt_01a1e318a59e7678a31a26827a17531e", "", "événement", "evt_\u2603", "x\uD83D\uDE00")) {
      long h = 0xcbf29ce484222325L;
      for (byte x : id.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
        h ^= x & 0xff;
        h *= 0x100000001b3L;
      }
      h ^= h >>> 33;
      h *= 0xff51afd7ed558ccdL;
      h ^= h >>> 33;
      h *= 0xc4ceb9fe1a85ec53L;
      h ^= h >>> 33;
      assertThat(DedupWindow.fingerprint(id)).as(id).isEqualTo(h);
    }
    // Stored in offsets topics: the value for an id must never change.
    assertThat(DedupWindow.fingerprint("evt_01a1e318a59e7678a31a26827a17531e")).isEqualTo(-3983261860848780504L);
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

package com.qoder.kafka.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class ItemWindowTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void classifiesNewChangedUnchanged() {
    ItemWindow w = new ItemWindow(10);
    assertThat(w.classify("a", 1, 100)).isEqualTo(ItemWindow.Verdict.NEW);
    w.put("a", 1, 100);
    assertThat(w.classify("a", 1, 100)).isEqualTo(ItemWindow.Verdict.UNCHANGED);
    assertThat(w.classify("a", 1, 101)).isEqualTo(ItemWindow.Verdict.CHANGED);
    assertThat(w.remove("a")).isNotNull();
    assertThat(w.classify("a", 1, 100)).isEqualTo(ItemWindow.Verdict.NEW);
  }

  @Test
  void evictsTheOldestAndRaisesTheFloor() {
    ItemWindow w = new ItemWindow(2);
    w.put("old", 10, 1);
    w.put("mid", 20, 2);
    w.put("new", 30, 3);
    assertThat(w.ids()).containsExactlyInAnyOrder("mid", "new");
    assertThat(w.floor()).isEqualTo(10);
    // The evicted item comes back in a later listing: outside the window, not reported again.
    assertThat(w.classify("old", 10, 1)).isEqualTo(ItemWindow.Verdict.OUTSIDE);
    // A brand-new item is newer than the floor.
    assertThat(w.classify("newer", 40, 4)).isEqualTo(ItemWindow.Verdict.NEW);
    // Adding an item older than everything evicts that item itself.
    w.put("ancient", 5, 5);
    assertThat(w.ids()).containsExactlyInAnyOrder("mid", "new");
    assertThat(w.floor()).isEqualTo(10);
  }

  @Test
  void encodesAndDecodesExactly() {
    ItemWindow w = new ItemWindow(3);
    w.put("file_019e3bb8e6c47d189212a79642136696", 1_779_000_000_123_456_789L, -42);
    w.put("odd id:with%chars", ItemWindow.UNKNOWN, Long.MAX_VALUE);
    w.put("b", 2, Long.MIN_VALUE);
    w.put("c", 3, 7); // evicts the unknown-created one, floor stays UNKNOWN-max
    String text = w.encode();
    ItemWindow back = ItemWindow.decode(text, 3);
    assertThat(back.encode()).isEqualTo(text);
    assertThat(back.ids()).isEqualTo(w.ids());
    assertThat(back.floor()).isEqualTo(w.floor());
    for (String id : w.ids()) {
      assertThat(back.get(id)).isEqualTo(w.get(id));
    }
    ItemWindow special = new ItemWindow(5);
    special.put("odd id:with%chars", 9, 9);
    assertThat(ItemWindow.decode(special.encode(), 5).ids()).containsExactly("odd id:with%chars");
  }

  @Test
  void decodingIntoASmallerCapacityKeepsTheNewest() {
    ItemWindow w = new ItemWindow(4);
    for (int i = 1; i <= 4; i++) {
      w.put("i" + i, i * 10L, i);
    }
    ItemWindow small = ItemWindow.decode(w.encode(), 2);
    assertThat(small.ids()).containsExactlyInAnyOrder("i3", "i4");
    assertThat(small.floor()).isEqualTo(20);
  }

  @Test
  void corruptTextIsAnErrorNeverAnEmptyWindow() {
    assertThat(ItemWindow.decode("", 3).size()).isZero();
    assertThatThrownBy(() -> ItemWindow.decode("garbage", 3)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("w1");
    assertThatThrownBy(() -> ItemWindow.decode("w1 - a:1", 3)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a:1");
    assertThatThrownBy(() -> ItemWindow.decode("w1 - a:zz!:1", 3)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("malformed number");
  }

  @Test
  void fingerprintsIgnoreUndocumentedMembersAndTimestampSpelling() throws Exception {
    ObjectNode a = (ObjectNode) JSON.readTree("{\"file_id\":\"f\",\"status\":\"ready\",\"metadata\":{\"x\":\"1\",\"y\":\"2\"},"
        + "\"updated_at\":\"2026-05-18T15:33:54Z\",\"download_url\":\"https://signed/1\"}");
    ObjectNode b = (ObjectNode) JSON.readTree("{\"download_url\":\"https://signed/2\",\"metadata\":{\"y\":\"2\",\"x\":\"1\"},"
        + "\"updated_at\":\"2026-05-18T15:33:54.000Z\",\"status\":\"ready\",\"file_id\":\"f\"}");
    assertThat(Fingerprints.of(a, Fingerprints.FILE_FIELDS)).isEqualTo(Fingerprints.of(b, Fingerprints.FILE_FIELDS));
    b.put("status", "deleted");
    assertThat(Fingerprints.of(a, Fingerprints.FILE_FIELDS)).isNotEqualTo(Fingerprints.of(b, Fingerprints.FILE_FIELDS));
    ObjectNode c = a.deepCopy();
    c.putNull("status");
    ObjectNode d = a.deepCopy();
    d.remove("status");
    assertThat(Fingerprints.of(c, Fingerprints.FILE_FIELDS)).isNotEqualTo(Fingerprints.of(d, Fingerprints.FILE_FIELDS));
  }

  @Test
  void watermarkCoversUpToTheMarkAndTheExceptions() {
    Watermark w = new Watermark();
    assertThat(w.covers("a", 5)).isFalse();
    w.reported("late", 50);
    w.reported("a", 5);
    assertThat(w.covers("a", 5)).isTrue();
    assertThat(w.covers("b", 5)).isFalse();
    w.raise(10);
    assertThat(w.covers("b", 5)).isTrue(); // at or below the mark
    assertThat(w.covers("c", 11)).isFalse();
    assertThat(w.covers("late", 50)).isTrue();
    assertThat(w.exceptions()).isEqualTo(1); // "a" folded into the mark
    Watermark back = Watermark.decode(w.encode());
    assertThat(back.encode()).isEqualTo(w.encode());
    assertThat(back.covers("late", 50)).isTrue();
    w.raise(3); // never lowers
    assertThat(w.mark()).isEqualTo(10);
    assertThatThrownBy(() -> Watermark.decode("x!")).isInstanceOf(IllegalArgumentException.class);
  }
}

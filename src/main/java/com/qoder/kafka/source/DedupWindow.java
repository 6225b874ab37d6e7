package com.qoder.kafka.source;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * The recent event ids of one session, to recognise events already delivered.
 *
 * <p>Event ids are not time-ordered (some are UUIDv7-like, some random), so "already seen" cannot
 * be a comparison with the cursor; it is set membership. To keep tens of thousands of sessions
 * cheap, ids are remembered as 64-bit fingerprints in a ring ({@code 8 * capacity} bytes) rather
 * than as strings; with a window of a few thousand ids the chance that two different ids collide
 * is below 10<sup>-12</sup>. A linear scan of a few hundred longs is faster than hashing into a set.
 *
 * <p>Not thread-safe: a session's state is touched only by its own poller, one step at a time.
 */
public final class DedupWindow {

  private long[] ring;
  private int size;
  private int next; // index the next fingerprint goes to

  public DedupWindow(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive: " + capacity);
    }
    this.ring = new long[capacity];
  }

  public boolean contains(String id) {
    long f = fingerprint(id);
    for (int i = 0; i < size; i++) {
      if (ring[i] == f) {
        return true;
      }
    }
    return false;
  }

  /** Adds an id (no-op when present); the oldest id leaves a full window. */
  public void add(String id) {
    if (contains(id)) {
      return;
    }
    ring[next] = fingerprint(id);
    next = (next + 1) % ring.length;
    if (size < ring.length) {
      size++;
    }
  }

  /** Adds a fingerprint restored from the offsets topic. */
  void addFingerprint(long f) {
    ring[next] = f;
    next = (next + 1) % ring.length;
    if (size < ring.length) {
      size++;
    }
  }

  public int size() {
    return size;
  }

  public int capacity() {
    return ring.length;
  }

  /** Oldest first. */
  long[] fingerprints() {
    long[] out = new long[size];
    int start = size < ring.length ? 0 : next;
    for (int i = 0; i < size; i++) {
      out[i] = ring[(start + i) % ring.length];
    }
    return out;
  }

  /** Serialised form for the offsets topic: base64 of the big-endian fingerprints, oldest first. */
  public String encode() {
    long[] f = fingerprints();
    byte[] b = new byte[f.length * 8];
    for (int i = 0; i < f.length; i++) {
      long v = f[i];
      for (int j = 7; j >= 0; j--) {
        b[i * 8 + j] = (byte) v;
        v >>>= 8;
      }
    }
    return Base64.getEncoder().encodeToString(b);
  }

  /**
   * Restores a window written by {@link #encode()}; keeps the newest {@code capacity} entries when
   * the configured window shrank since.
   *
   * @throws IllegalArgumentException when the text is not a valid encoding (never "empty")
   */
  public static DedupWindow decode(String text, int capacity) {
    DedupWindow w = new DedupWindow(capacity);
    if (text == null || text.isEmpty()) {
      return w;
    }
    byte[] b = Base64.getDecoder().decode(text);
    if (b.length % 8 != 0) {
      throw new IllegalArgumentException("de-dup window of " + b.length + " bytes is not a multiple of 8");
    }
    int n = b.length / 8;
    for (int i = Math.max(0, n - capacity); i < n; i++) {
      long v = 0;
      for (int j = 0; j < 8; j++) {
        v = (v << 8) | (b[i * 8 + j] & 0xff);
      }
      w.ring[w.next] = v;
      w.next = (w.next + 1) % w.ring.length;
      w.size = Math.min(w.size + 1, w.ring.length);
    }
    return w;
  }

  /** Shrinks the window to its newest {@code capacity} ids (quiet sessions keep less memory). */
  public void shrinkTo(int capacity) {
    if (capacity >= ring.length) {
      return;
    }
    long[] f = fingerprints();
    long[] r = new long[capacity];
    int keep = Math.min(capacity, f.length);
    System.arraycopy(f, f.length - keep, r, 0, keep);
    ring = r;
    size = keep;
    next = keep % capacity;
  }

  /** Grows the window back to {@code capacity} keeping every id. */
  public void growTo(int capacity) {
    if (capacity <= ring.length) {
      return;
    }
    long[] f = fingerprints();
    ring = Arrays.copyOf(f, capacity);
    size = f.length;
    next = f.length % capacity;
  }

  /** 64-bit FNV-1a over the UTF-8 bytes, then a murmur3 finaliser to spread the bits. */
  static long fingerprint(String id) {
    long h = 0xcbf29ce484222325L;
    byte[] b = id.getBytes(StandardCharsets.UTF_8);
    for (byte x : b) {
      h ^= x & 0xff;
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }

  @Override
  public String toString() {
    return "DedupWindow{size=" + size + ", capacity=" + ring.length + "}";
  }
}

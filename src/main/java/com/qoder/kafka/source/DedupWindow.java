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

  private static final long[] EMPTY = {};
  /** First allocation of a window that gets its first id: most sessions stay small. */
  private static final int INITIAL_SLOTS = 8;

  private int capacity;
  private long[] ring = EMPTY; // grows by doubling up to capacity: an idle session holds no array
  private int size;
  private int next; // index the next fingerprint goes to

  public DedupWindow(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive: " + capacity);
    }
    this.capacity = capacity;
  }

  public boolean contains(String id) {
    return containsFingerprint(fingerprint(id));
  }

  private boolean containsFingerprint(long f) {
    long[] r = ring;
    for (int i = 0; i < size; i++) {
      if (r[i] == f) {
        return true;
      }
    }
    return false;
  }

  /** Adds an id (no-op when present); the oldest id leaves a full window. */
  public void add(String id) {
    long f = fingerprint(id);
    if (!containsFingerprint(f)) {
      addFingerprint(f);
    }
  }

  /** Adds a fingerprint restored from the offsets topic. */
  void addFingerprint(long f) {
    if (size == ring.length && ring.length < capacity) {
      grow();
    }
    ring[next] = f;
    next = (next + 1) % ring.length;
    if (size < ring.length) {
      size++;
    }
  }

  /** Doubles the ring (up to the capacity); a ring only grows while not yet full, so it holds its ids in order. */
  private void grow() {
    ring = Arrays.copyOf(ring, Math.min(capacity, Math.max(INITIAL_SLOTS, ring.length * 2)));
    next = size;
  }

  public int size() {
    return size;
  }

  public int capacity() {
    return capacity;
  }

  /** Oldest first. */
  long[] fingerprints() {
    // Fields read once: a snapshot taken off the poller's thread (status, shutdown) sees some
    // consistent-enough state rather than an index out of a ring that was just replaced.
    long[] r = ring;
    int n = Math.min(size, r.length);
    long[] out = new long[n];
    int start = n < r.length ? 0 : Math.min(next, Math.max(0, r.length - 1));
    for (int i = 0; i < n; i++) {
      out[i] = r[(start + i) % r.length];
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
    int from = Math.max(0, n - capacity);
    w.ring = new long[n - from];
    for (int i = from; i < n; i++) {
      long v = 0;
      for (int j = 0; j < 8; j++) {
        v = (v << 8) | (b[i * 8 + j] & 0xff);
      }
      w.addFingerprint(v);
    }
    return w;
  }

  /** Shrinks the window to its newest {@code capacity} ids (quiet sessions keep less memory). */
  public void shrinkTo(int newCapacity) {
    if (newCapacity < 1 || newCapacity >= capacity) {
      return;
    }
    long[] f = fingerprints();
    int keep = Math.min(newCapacity, f.length);
    ring = keep == 0 ? EMPTY : Arrays.copyOfRange(f, f.length - keep, f.length);
    size = keep;
    next = 0; // full: the oldest is at 0; not full: the next add grows the ring first
    capacity = newCapacity;
  }

  /** Forgets every id and frees the array (a finished session). */
  void clear() {
    ring = EMPTY;
    size = 0;
    next = 0;
  }

  /** Grows the window back to {@code capacity} keeping every id; the array grows when ids arrive. */
  public void growTo(int newCapacity) {
    if (newCapacity <= capacity) {
      return;
    }
    if (size == ring.length && size > 0) {
      ring = fingerprints(); // a full ring may have wrapped: growing needs it oldest first
      next = 0;
    }
    capacity = newCapacity;
  }

  /**
   * 64-bit FNV-1a over the UTF-8 bytes, then a murmur3 finaliser to spread the bits. Stored in the
   * offsets topic: the value for a given id must never change. Event ids are ASCII, whose UTF-8
   * bytes are the chars themselves, so those are hashed without encoding (no allocation).
   */
  static long fingerprint(String id) {
    long h = 0xcbf29ce484222325L;
    int n = id.length();
    for (int i = 0; i < n; i++) {
      char c = id.charAt(i);
      if (c >= 0x80) {
        return fingerprintUtf8(id);
      }
      h ^= c;
      h *= 0x100000001b3L;
    }
    return finish(h);
  }

  private static long fingerprintUtf8(String id) {
    long h = 0xcbf29ce484222325L;
    byte[] b = id.getBytes(StandardCharsets.UTF_8);
    for (byte x : b) {
      h ^= x & 0xff;
      h *= 0x100000001b3L;
    }
    return finish(h);
  }

  private static long finish(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }

  @Override
  public String toString() {
    return "DedupWindow{size=" + size + ", capacity=" + capacity + "}";
  }
}

package com.qoder.kafka.sim;

import java.util.SplittableRandom;

/**
 * Id shapes of the Qoder API, generated from a seeded random source so that a seed reproduces them.
 *
 * <p>Documents 000–002 show two 128-bit shapes behind the prefixes: time-ordered UUIDv7-like hex
 * ({@code evt_019e392c0d787cfaa21bda98e06cd913}: 48 bits of epoch milliseconds first) and random
 * UUIDv4-like hex ({@code evt_771c1195bcbd4a07834d4ed4dd6450ca}). Resource ids are 24 hex digits.
 */
final class Ids {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Ids() {}

  /** High 64 bits of a UUIDv7: 48 bits of milliseconds, version 7, 12 random bits. */
  static long v7High(long epochMillis, SplittableRandom random) {
    return (epochMillis << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
  }

  /** High 64 bits of a UUIDv4: random with version 4. */
  static long v4High(SplittableRandom random) {
    return (random.nextLong() & ~0xF000L) | 0x4000L;
  }

  /** Low 64 bits of either: RFC 4122 variant (binary 10) and 62 random bits. */
  static long variantLow(SplittableRandom random) {
    return (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
  }

  static String hex32(String prefix, long hi, long lo) {
    char[] out = new char[prefix.length() + 32];
    prefix.getChars(0, prefix.length(), out, 0);
    int p = prefix.length();
    for (int shift = 60; shift >= 0; shift -= 4) {
      out[p++] = HEX[(int) (hi >>> shift) & 0xF];
    }
    for (int shift = 60; shift >= 0; shift -= 4) {
      out[p++] = HEX[(int) (lo >>> shift) & 0xF];
    }
    return new String(out);
  }

  static String hex(String prefix, SplittableRandom random, int digits) {
    StringBuilder sb = new StringBuilder(prefix.length() + digits).append(prefix);
    for (int i = 0; i < digits; i++) {
      sb.append(HEX[random.nextInt(16)]);
    }
    return sb.toString();
  }

  /**
   * Parses {@code <prefix><32 hex>} into {@code out[0]} (high) and {@code out[1]} (low bits).
   *
   * @return false when the text does not have that shape
   */
  static boolean parse128(String text, String prefix, long[] out) {
    if (text == null || text.length() != prefix.length() + 32 || !text.startsWith(prefix)) {
      return false;
    }
    long hi = 0;
    long lo = 0;
    for (int i = 0; i < 32; i++) {
      int d = Character.digit(text.charAt(prefix.length() + i), 16);
      if (d < 0 || Character.isUpperCase(text.charAt(prefix.length() + i))) {
        return false;
      }
      if (i < 16) {
        hi = (hi << 4) | d;
      } else {
        lo = (lo << 4) | d;
      }
    }
    out[0] = hi;
    out[1] = lo;
    return true;
  }

  /**
   * The canonical {@code sess_<32 hex>} spelling of a session id given either as that or as a
   * UUID (any case); any other text comes back unchanged (and then names no session).
   *
   * <p>The simulator's own reading of the API's two spellings (documents 000–002 use {@code
   * sess_}, document 004 the UUID of the same 128 bits), written here rather than shared with the
   * client so that a misunderstanding in one cannot hide in the other.
   */
  static String canonicalSessionId(String id) {
    if (id == null || id.length() != 36) {
      return id;
    }
    StringBuilder sb = new StringBuilder(37).append("sess_");
    for (int i = 0; i < 36; i++) {
      char c = id.charAt(i);
      if (i == 8 || i == 13 || i == 18 || i == 23) {
        if (c != '-') {
          return id;
        }
        continue;
      }
      int d = Character.digit(c, 16);
      if (d < 0) {
        return id;
      }
      sb.append(HEX[d]);
    }
    return sb.toString();
  }

  /** The UUID spelling of a {@code sess_<32 lower-case hex>} id, or null when it has another shape. */
  static String sessionUuid(String sessId) {
    long[] bits = new long[2];
    if (!parse128(sessId, "sess_", bits)) {
      return null;
    }
    String h = sessId.substring(5);
    return h.substring(0, 8) + "-" + h.substring(8, 12) + "-" + h.substring(12, 16) + "-"
        + h.substring(16, 20) + "-" + h.substring(20);
  }

  /** The 64-bit finaliser of MurmurHash3 (also SplittableRandom's mixer): a bijection. */
  static long mix64(long z) {
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }
}

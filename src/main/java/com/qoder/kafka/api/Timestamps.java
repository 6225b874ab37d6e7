package com.qoder.kafka.api;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * RFC 3339 timestamps of the Qoder API as epoch nanoseconds, without losing precision.
 *
 * <p>The API mixes nanosecond ({@code 2026-05-18T03:40:48.888851795Z}), microsecond and
 * millisecond ({@code 2026-05-18T03:40:50.321Z}) precision and offsets; a {@code long} of epoch
 * nanoseconds holds all of them exactly until the year 2262.
 *
 * <p>Every event's {@code created_at} is parsed on the hot path (mapping, headers, lag), so the
 * shape the API actually sends — {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}](Z|±HH:MM)} — is read by hand,
 * without allocating; anything else goes to {@link DateTimeFormatter#ISO_OFFSET_DATE_TIME}, which
 * decides. The fast path accepts a strict subset of what the formatter accepts and computes the
 * same value (a property test holds it to that), so the two paths never disagree.
 */
public final class Timestamps {

  private static final long NANOS_PER_SECOND = 1_000_000_000L;
  /** Returned by the fast path for "not mine": the slow path never returns it (it overflows). */
  private static final long NOT_FAST = Long.MIN_VALUE;
  private static final int[] POWERS_OF_TEN = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000,
      100_000_000, 1_000_000_000};

  private Timestamps() {}

  /**
   * Parses an RFC 3339 timestamp.
   *
   * @throws IllegalArgumentException naming the text when it is not RFC 3339
   */
  public static long parseEpochNanos(String text) {
    long fast = text == null ? NOT_FAST : parseFast(text);
    if (fast != NOT_FAST) {
      return fast;
    }
    try {
      Instant i = DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(text, Instant::from);
      return Math.addExact(Math.multiplyExact(i.getEpochSecond(), NANOS_PER_SECOND), i.getNano());
    } catch (DateTimeParseException | ArithmeticException e) {
      throw new IllegalArgumentException("not an RFC 3339 timestamp: '" + text + "'", e);
    }
  }

  public static Instant toInstant(long epochNanos) {
    return Instant.ofEpochSecond(Math.floorDiv(epochNanos, NANOS_PER_SECOND),
        Math.floorMod(epochNanos, NANOS_PER_SECOND));
  }

  /** Formats as UTC with as many fraction digits as needed (0, 3, 6 or 9), as the API does. */
  public static String format(long epochNanos) {
    // A long of nanoseconds only spans the years 1677-2262, which always print as four digits.
    return new String(isoInstantBytes(Math.floorDiv(epochNanos, NANOS_PER_SECOND),
        (int) Math.floorMod(epochNanos, NANOS_PER_SECOND)), java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  /**
   * {@code DateTimeFormatter.ISO_INSTANT}'s output as ASCII bytes, written directly: {@code
   * yyyy-MM-ddTHH:mm:ss}, then 3, 6 or 9 fraction digits as the nanoseconds need, then {@code Z}.
   * For the years 0000-9999 only (four year digits, no sign); callers check the range.
   */
  public static byte[] isoInstantBytes(long seconds, int nano) {
    long days = Math.floorDiv(seconds, 86_400L);
    int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
    // civil_from_days (H. Hinnant, "chrono-compatible low-level date algorithms"), proleptic Gregorian.
    long z = days + 719_468;
    long era = Math.floorDiv(z, 146_097);
    long doe = z - era * 146_097;
    long yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    int day = (int) (doy - (153 * mp + 2) / 5 + 1);
    int month = (int) (mp < 10 ? mp + 3 : mp - 9);
    int year = (int) (yoe + era * 400 + (month <= 2 ? 1 : 0));
    int fractionDigits = nano == 0 ? 0 : nano % 1_000_000 == 0 ? 3 : nano % 1_000 == 0 ? 6 : 9;
    byte[] b = new byte[20 + (fractionDigits == 0 ? 0 : fractionDigits + 1)];
    digits(b, 0, year, 4);
    b[4] = '-';
    digits(b, 5, month, 2);
    b[7] = '-';
    digits(b, 8, day, 2);
    b[10] = 'T';
    digits(b, 11, secondOfDay / 3600, 2);
    b[13] = ':';
    digits(b, 14, secondOfDay / 60 % 60, 2);
    b[16] = ':';
    digits(b, 17, secondOfDay % 60, 2);
    int p = 19;
    if (fractionDigits > 0) {
      b[p++] = '.';
      digits(b, p, nano / POWERS_OF_TEN[9 - fractionDigits], fractionDigits);
      p += fractionDigits;
    }
    b[p] = 'Z';
    return b;
  }

  private static void digits(byte[] b, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      b[i] = (byte) ('0' + value % 10);
      value /= 10;
    }
  }

  /**
   * {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}](Z|±HH:MM)} with valid field ranges, or {@link #NOT_FAST}
   * for anything else (other shapes, out-of-range fields, overflow) so the formatter decides.
   */
  static long parseFast(String s) {
    int n = s.length();
    if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':'
        || s.charAt(16) != ':') {
      return NOT_FAST;
    }
    int year = number(s, 0, 4);
    int month = number(s, 5, 2);
    int day = number(s, 8, 2);
    int hour = number(s, 11, 2);
    int minute = number(s, 14, 2);
    int second = number(s, 17, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > lengthOfMonth(year, month) || hour < 0 || hour > 23
        || minute < 0 || minute > 59 || second < 0 || second > 59) {
      return NOT_FAST;
    }
    int p = 19;
    int nano = 0;
    if (s.charAt(p) == '.') {
      int start = ++p;
      while (p < n && p - start < 9 && isDigit(s.charAt(p))) {
        nano = nano * 10 + (s.charAt(p) - '0');
        p++;
      }
      int count = p - start;
      if (count == 0 || (p < n && isDigit(s.charAt(p)))) {
        return NOT_FAST;
      }
      nano *= POWERS_OF_TEN[9 - count];
    }
    int offsetSeconds;
    if (p == n - 1 && s.charAt(p) == 'Z') {
      offsetSeconds = 0;
    } else if (p == n - 6 && (s.charAt(p) == '+' || s.charAt(p) == '-') && s.charAt(p + 3) == ':') {
      int oh = number(s, p + 1, 2);
      int om = number(s, p + 4, 2);
      if (oh < 0 || om < 0 || om > 59 || oh > 18 || (oh == 18 && om > 0)) {
        return NOT_FAST;
      }
      offsetSeconds = (s.charAt(p) == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    } else {
      return NOT_FAST;
    }
    long epochSecond = daysFromCivil(year, month, day) * 86_400L + hour * 3600L + minute * 60L + second
        - offsetSeconds;
    try {
      return Math.addExact(Math.multiplyExact(epochSecond, NANOS_PER_SECOND), nano);
    } catch (ArithmeticException overflow) {
      return NOT_FAST;
    }
  }

  /** The non-negative number in {@code s[at, at+width)}, or -1 when a character is not an ASCII digit. */
  private static int number(String s, int at, int width) {
    int v = 0;
    for (int i = at; i < at + width; i++) {
      char c = s.charAt(i);
      if (!isDigit(c)) {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static int lengthOfMonth(int year, int month) {
    return switch (month) {
      case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
      case 4, 6, 9, 11 -> 30;
      default -> 31;
    };
  }

  /** days_from_civil (H. Hinnant), proleptic Gregorian: days since 1970-01-01. */
  private static long daysFromCivil(int year, int month, int day) {
    long y = month <= 2 ? year - 1 : year;
    long era = Math.floorDiv(y, 400);
    long yoe = y - era * 400;
    long doy = (153L * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146_097 + doe - 719_468;
  }
}

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
 */
public final class Timestamps {

  private Timestamps() {}

  /**
   * Parses an RFC 3339 timestamp.
   *
   * @throws IllegalArgumentException naming the text when it is not RFC 3339
   */
  public static long parseEpochNanos(String text) {
    try {
      Instant i = DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(text, Instant::from);
      return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000_000L), i.getNano());
    } catch (DateTimeParseException | ArithmeticException e) {
      throw new IllegalArgumentException("not an RFC 3339 timestamp: '" + text + "'", e);
    }
  }

  public static Instant toInstant(long epochNanos) {
    return Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L),
        Math.floorMod(epochNanos, 1_000_000_000L));
  }

  /** Formats as UTC with as many fraction digits as needed (0, 3, 6 or 9), as the API does. */
  public static String format(long epochNanos) {
    return DateTimeFormatter.ISO_INSTANT.format(toInstant(epochNanos));
  }
}

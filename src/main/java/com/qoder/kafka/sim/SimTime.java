package com.qoder.kafka.sim;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The simulator's own RFC 3339 timestamps: epoch nanoseconds in, UTC text out, with 0, 3, 6 or 9
 * fraction digits (the fewest that keep the value exact), as the API documents show them
 * ({@code 2026-05-18T15:33:53Z}, {@code 2026-05-18T03:40:50.321Z}, {@code 2026-06-23T05:53:19.774840Z},
 * {@code 2026-05-18T03:40:48.888851795Z}).
 *
 * <p>Deliberately not shared with the client: the simulator is the oracle the client is judged
 * against, so it must not reuse the client's timestamp code.
 */
final class SimTime {

  private static final long SECOND = 1_000_000_000L;
  private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");

  private SimTime() {}

  static String format(long epochNanos) {
    long seconds = Math.floorDiv(epochNanos, SECOND);
    int nano = (int) Math.floorMod(epochNanos, SECOND);
    StringBuilder sb = new StringBuilder(30)
        .append(SECONDS.format(LocalDateTime.ofEpochSecond(seconds, 0, ZoneOffset.UTC)));
    if (nano != 0) {
      int digits = nano % 1_000_000 == 0 ? 3 : nano % 1_000 == 0 ? 6 : 9;
      String nine = Integer.toString(1_000_000_000 + nano).substring(1); // zero-padded to 9 digits
      sb.append('.').append(nine, 0, digits);
    }
    return sb.append('Z').toString();
  }

  /** Parses RFC 3339 with any offset; DateTimeException when the text is not one. */
  static long parseEpochNanos(String text) {
    return epochNanos(DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(text, Instant::from));
  }

  static long epochNanos(Instant i) {
    return Math.addExact(Math.multiplyExact(i.getEpochSecond(), SECOND), i.getNano());
  }

  static Instant instant(long epochNanos) {
    return Instant.ofEpochSecond(Math.floorDiv(epochNanos, SECOND), Math.floorMod(epochNanos, SECOND));
  }
}

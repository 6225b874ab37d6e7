package com.qoder.kafka.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The hand-written fast paths of {@link Timestamps} against java.time, which defines the
 * contract: same value for every text java.time accepts, an error for every text it refuses.
 */
class TimestampsTest {

  /** What {@link Timestamps#parseEpochNanos} promised before it had a fast path. */
  private static Long reference(String text) {
    try {
      Instant i = DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(text, Instant::from);
      return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000_000L), i.getNano());
    } catch (DateTimeParseException | ArithmeticException e) {
      return null;
    }
  }

  private static Long actual(String text) {
    try {
      return Timestamps.parseEpochNanos(text);
    } catch (IllegalArgumentException e) {
      assertThat(e).hasMessageContaining(text);
      return null;
    }
  }

  @Test
  void parsesTheShapesTheApiSends() {
    assertThat(Timestamps.parseEpochNanos("2026-05-18T03:40:48.888851795Z")).isEqualTo(1_779_075_648_888_851_795L);
    assertThat(Timestamps.parseEpochNanos("2026-05-18T03:40:50.321Z")).isEqualTo(1_779_075_650_321_000_000L);
    assertThat(Timestamps.parseEpochNanos("2026-05-18T05:40:50.321+02:00")).isEqualTo(1_779_075_650_321_000_000L);
    assertThat(Timestamps.parseEpochNanos("1969-12-31T23:59:59.999999999Z")).isEqualTo(-1L);
    assertThat(Timestamps.parseEpochNanos("2024-02-29T00:00:00Z")).isEqualTo(1_709_164_800_000_000_000L);
  }

  @Test
  void leavesOtherShapesToJavaTimeAndRefusesWhatItRefuses() {
    for (String s : new String[] {"2026-05-18t03:40:48z", "2026-05-18T03:40Z", "2026-05-18T03:40:48+0200",
        "2026-05-18T03:40:48+02", "2026-05-18T03:40:48.Z", "+12026-05-18T03:40:48Z", "2026-05-18T03:40:48+02:00:00"}) {
      assertThat(Timestamps.parseFast(s)).as(s).isEqualTo(Long.MIN_VALUE);
      assertThat(actual(s)).as(s).isEqualTo(reference(s));
    }
    for (String s : new String[] {"2023-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-05-18T24:00:00Z",
        "2026-05-18T03:40:60Z", "2026-05-18T03:40:48.1234567890Z", "2026-05-18T03:40:48+18:01", "2262-04-12T00:00:00Z",
        "1677-09-21T00:12:43.145224192Z", "2026-05-18 03:40:48Z", "", "garbage"}) {
      assertThat(reference(s)).as(s).isNull();
      assertThatThrownBy(() -> Timestamps.parseEpochNanos(s)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not an RFC 3339 timestamp: '" + s + "'");
    }
  }

  @Property(tries = 2000)
  void formatIsIsoInstant(@ForAll long epochNanos) {
    String expected = DateTimeFormatter.ISO_INSTANT.format(Timestamps.toInstant(epochNanos));
    assertThat(Timestamps.format(epochNanos)).isEqualTo(expected);
    // Round trip, except in the range's first second, which java.time's seconds-and-nanos form overflows.
    assertThat(actual(expected)).isEqualTo(reference(expected))
        .isIn(epochNanos < Long.MIN_VALUE + 1_000_000_000L ? new Long[] {null, epochNanos} : new Long[] {epochNanos});
  }

  @Property(tries = 2000)
  void formatKeepsTheApiPrecisions(@ForAll("roundedNanos") long epochNanos) {
    assertThat(Timestamps.format(epochNanos))
        .isEqualTo(DateTimeFormatter.ISO_INSTANT.format(Timestamps.toInstant(epochNanos)));
  }

  @Property(tries = 10000)
  void parseAgreesWithJavaTime(@ForAll("timestampLike") String text) {
    assertThat(actual(text)).as(text).isEqualTo(reference(text));
  }

  @Provide
  Arbitrary<Long> roundedNanos() {
    return Arbitraries.longs().between(-9_000_000_000_000_000_000L, 9_000_000_000_000_000_000L)
        .flatMap(n -> Arbitraries.of(1L, 1_000L, 1_000_000L, 1_000_000_000L).map(unit -> n / unit * unit));
  }

  /** Mostly valid timestamps of every precision and offset, with edge and invalid fields mixed in. */
  @Provide
  Arbitrary<String> timestampLike() {
    return Arbitraries.randomValue(TimestampsTest::timestamp);
  }

  static String timestamp(Random r) {
    int year = pick(r, 1970 + r.nextInt(300), r.nextInt(10_000), 1677, 2262, 0, 9999);
    int month = pick(r, 1 + r.nextInt(12), 0, 13, 2);
    int day = pick(r, 1 + r.nextInt(28), 29, 30, 31, 0, 32);
    int hour = pick(r, r.nextInt(24), 23, 24);
    int minute = pick(r, r.nextInt(60), 59, 60);
    int second = pick(r, r.nextInt(60), 59, 60);
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("%04d-%02d-%02d", year, month, day));
    sb.append(r.nextInt(50) == 0 ? 't' : 'T');
    sb.append(String.format("%02d:%02d", hour, minute));
    if (r.nextInt(30) != 0) {
      sb.append(String.format(":%02d", second));
    }
    int fraction = pick(r, 0, 3, 6, 9, r.nextInt(11));
    if (fraction > 0 || r.nextInt(40) == 0) {
      sb.append('.');
      for (int i = 0; i < fraction; i++) {
        sb.append((char) ('0' + r.nextInt(10)));
      }
    }
    switch (r.nextInt(8)) {
      case 0, 1, 2, 3 -> sb.append(r.nextInt(50) == 0 ? 'z' : 'Z');
      case 4, 5 -> sb.append(String.format("%c%02d:%02d", r.nextBoolean() ? '+' : '-', pick(r, r.nextInt(19), 18, 19),
          pick(r, r.nextInt(60), 0, 30, 60)));
      case 6 -> sb.append(String.format("%c%02d%02d", r.nextBoolean() ? '+' : '-', r.nextInt(15), r.nextInt(60)));
      default -> sb.append(pick(r, 0, 1) == 0 ? "" : "+05");
    }
    return sb.toString();
  }

  private static int pick(Random r, int usual, int... edges) {
    return r.nextInt(4) != 0 ? usual : edges[r.nextInt(edges.length)];
  }
}

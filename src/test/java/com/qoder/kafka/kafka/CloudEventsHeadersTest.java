package com.qoder.kafka.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

class CloudEventsHeadersTest {

  @Test
  void binaryModeHeadersOfTheKafkaBinding() {
    List<Header> h = CloudEventsHeaders.of("evt_1", "user.message", "/sessions/sess_1",
        Instant.parse("2025-06-01T12:00:00.123456789Z"));

    assertThat(h).extracting(Header::key)
        .containsExactly("ce_specversion", "ce_id", "ce_type", "ce_source", "ce_time", "content-type");
    assertThat(CloudEventsHeaders.value(h, "ce_specversion")).isEqualTo("1.0");
    assertThat(CloudEventsHeaders.value(h, "ce_id")).isEqualTo("evt_1");
    assertThat(CloudEventsHeaders.value(h, "ce_time")).isEqualTo("2025-06-01T12:00:00.123456789Z");
    assertThat(CloudEventsHeaders.value(h, "content-type")).isEqualTo("application/avro");
    assertThat(new String(h.get(2).value(), StandardCharsets.UTF_8)).isEqualTo("user.message");
  }

  @Test
  void optionalSubjectAndContentType() {
    List<Header> h = CloudEventsHeaders.of("i", "t", "s", null, "sess_1", null);
    assertThat(h).extracting(Header::key).containsExactly("ce_specversion", "ce_id", "ce_type", "ce_source",
        "ce_subject");
  }

  @Test
  void requiredAttributesMustBePresent() {
    assertThatThrownBy(() -> CloudEventsHeaders.of("", "t", "s", null))
        .hasMessageContaining("'id' must not be empty");
    assertThatThrownBy(() -> CloudEventsHeaders.of("i", null, "s", null)).hasMessageContaining("'type'");
  }

  /** The page's shared headers give byte for byte what the per-record form gives, for each record of a page. */
  @Test
  void pageHeadersEqualThePerRecordOnes() {
    CloudEventsHeaders.Page page = CloudEventsHeaders.page("/sessions/sess_1", "sess_1", "application/avro");
    Instant t = Instant.parse("2025-06-01T12:00:00.123456789Z");
    String[][] events = {{"evt_1", "user.message"}, {"evt_2", "user.message"}, {"evt_3", "agent.tool_call"},
        {"evt_\u00e9", "user.message"}};
    for (String[] e : events) {
      List<Header> expected = CloudEventsHeaders.of(e[0], e[1], "/sessions/sess_1", t, "sess_1", "application/avro");
      List<Header> actual = page.of(e[0], e[1], t);
      assertThat(actual).extracting(Header::key).containsExactlyElementsOf(
          expected.stream().map(Header::key).toList());
      for (int i = 0; i < expected.size(); i++) {
        assertThat(actual.get(i).value()).as(expected.get(i).key()).isEqualTo(expected.get(i).value());
      }
    }
    assertThat(page.of("i", "t", null)).extracting(Header::key).doesNotContain("ce_time");
    assertThatThrownBy(() -> page.of("", "t", t)).hasMessageContaining("'id' must not be empty");
  }

  /** ce_time is written without the formatter; it must be exactly what Instant.toString writes. */
  @Test
  void timeBytesAreInstantToString() {
    java.util.Random random = new java.util.Random(15);
    List<java.time.Instant> instants = new java.util.ArrayList<>(List.of(java.time.Instant.EPOCH,
        java.time.Instant.parse("2026-05-18T03:40:00Z"), java.time.Instant.parse("1969-12-31T23:59:59.5Z"),
        java.time.Instant.parse("2024-02-29T23:59:59.999999999Z"), java.time.Instant.parse("0000-01-01T00:00:00Z"),
        java.time.Instant.parse("9999-12-31T23:59:59.000001Z"), java.time.Instant.parse("+10000-01-01T00:00:00Z"),
        java.time.Instant.parse("-0001-12-31T23:59:59.1Z"), java.time.Instant.ofEpochSecond(0, Long.MIN_VALUE),
        java.time.Instant.ofEpochSecond(0, Long.MAX_VALUE)));
    for (int i = 0; i < 20_000; i++) {
      long seconds = random.nextLong(-62_167_219_200L - 86_400, 253_402_300_800L + 86_400);
      int nano = switch (i % 4) {
        case 0 -> 0;
        case 1 -> random.nextInt(1000) * 1_000_000;
        case 2 -> random.nextInt(1_000_000) * 1_000;
        default -> random.nextInt(1_000_000_000);
      };
      instants.add(java.time.Instant.ofEpochSecond(seconds, nano));
    }
    for (java.time.Instant t : instants) {
      assertThat(new String(CloudEventsHeaders.time(t), StandardCharsets.UTF_8)).as("%s", t).isEqualTo(t.toString());
    }
  }
}

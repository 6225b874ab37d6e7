package com.qoder.kafka.offsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OffsetCodecTest {

  private static final OffsetKey KEY = OffsetKey.events("sess_019e392c0d1e74e095d21ea4c6b41def");

  private static OffsetRecord decode(String json) {
    return OffsetCodec.decode(KEY, json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void roundTripKeepsEveryFieldIncludingNanoseconds() {
    OffsetRecord record = new OffsetRecord(KEY, "evt_3", List.of("evt_1", "evt_2", "evt_3"), "IDLE",
        new OffsetRecord.Counters(3, 1, 2), Instant.parse("2025-06-01T12:00:00.123456789Z"),
        Map.of("next_page", "abc"));

    assertThat(OffsetCodec.decode(KEY, OffsetCodec.encode(record))).isEqualTo(record);
  }

  @Test
  void writesTheDocumentedVersionOneShape() {
    OffsetRecord record = new OffsetRecord(KEY, "evt_3", List.of("evt_3"), "ACTIVE",
        new OffsetRecord.Counters(1, 0, 0), Instant.parse("2025-06-01T12:00:00Z"), Map.of());

    assertThat(new String(OffsetCodec.encode(record), StandardCharsets.UTF_8)).isEqualTo(
        "{\"v\":1,\"cursor\":\"evt_3\",\"recent_ids\":[\"evt_3\"],\"state\":\"ACTIVE\",\"counters\":"
            + "{\"delivered\":1,\"dead_lettered\":0,\"duplicates_skipped\":0},\"updated_at\":\"2025-06-01T12:00:00Z\","
            + "\"attributes\":{}}");
  }

  @Test
  void optionalFieldsDefaultAndUnknownFieldsAreIgnored() {
    OffsetRecord r = decode("{\"v\":1,\"updated_at\":\"2025-06-01T12:00:00Z\",\"added_later\":true}");
    assertThat(r.cursor()).isNull();
    assertThat(r.recentIds()).isEmpty();
    assertThat(r.state()).isNull();
    assertThat(r.counters()).isEqualTo(OffsetRecord.Counters.ZERO);
  }

  @Test
  void corruptValuesAreRefusedWithTheReason() {
    assertThatThrownBy(() -> decode("{oops")).hasMessageContaining("not JSON");
    assertThatThrownBy(() -> decode("[1]")).hasMessageContaining("not a JSON object");
    assertThatThrownBy(() -> decode("{\"updated_at\":\"2025-06-01T12:00:00Z\"}")).hasMessageContaining("\"v\"");
    assertThatThrownBy(() -> decode("{\"v\":2,\"updated_at\":\"2025-06-01T12:00:00Z\"}"))
        .hasMessageContaining("version 2 is not supported");
    assertThatThrownBy(() -> decode("{\"v\":1}")).hasMessageContaining("updated_at");
    assertThatThrownBy(() -> decode("{\"v\":1,\"updated_at\":\"yesterday\"}")).hasMessageContaining("ISO-8601");
    // "state" is the source's text (checked where it is read, SessionOffsetRecords); only its type here.
    assertThatThrownBy(() -> decode("{\"v\":1,\"updated_at\":\"2025-06-01T12:00:00Z\",\"state\":7}"))
        .hasMessageContaining("\"state\" is not a string");
    assertThatThrownBy(() -> decode("{\"v\":1,\"updated_at\":\"2025-06-01T12:00:00Z\",\"cursor\":5}"))
        .hasMessageContaining("\"cursor\" is not a string");
    assertThatThrownBy(() -> decode("{\"v\":1,\"updated_at\":\"2025-06-01T12:00:00Z\",\"recent_ids\":[1]}"))
        .hasMessageContaining("non-string");
    assertThatThrownBy(() -> decode(
        "{\"v\":1,\"updated_at\":\"2025-06-01T12:00:00Z\",\"counters\":{\"delivered\":-1}}"))
        .hasMessageContaining("non-negative");
  }

  @Test
  void keysParseAndPrint() {
    assertThat(OffsetKey.parse("events/sess_1")).isEqualTo(OffsetKey.events("sess_1"));
    assertThat(OffsetKey.parse("files/all").sessionId()).isNull();
    assertThat(OffsetKey.parse("resources/sess_2").sessionId()).isEqualTo("sess_2");
    assertThat(OffsetKey.sessions("org/with/slash").asString()).isEqualTo("sessions/org/with/slash");
    assertThat(OffsetKey.parse("sessions/org/with/slash").entity()).isEqualTo("org/with/slash");
    assertThatThrownBy(() -> OffsetKey.parse("nothing")).hasMessageContaining("<source>/<entity>");
    assertThatThrownBy(() -> OffsetKey.parse("bogus/x")).hasMessageContaining("unknown offset source");
  }
}

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
}

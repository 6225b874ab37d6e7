package com.qoder.kafka.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;

class OutboundRecordSizeTest {

  /** The size estimate counts header keys as their UTF-8 bytes, without encoding them. */
  @Test
  void headerKeysCountTheirUtf8Bytes() {
    for (String key : List.of("ce_id", "content-type", "clé", "\u2603-key", "emoji-\uD83D\uDE00", "lone-\uD800-x", "\uDC00")) {
      OutboundRecord bare = new OutboundRecord("t", null, new byte[3], new byte[5], List.of(), null);
      OutboundRecord with = new OutboundRecord("t", null, new byte[3], new byte[5],
          List.of(new RecordHeader(key, new byte[7])), null);
      assertThat(with.estimatedSizeInBytes() - bare.estimatedSizeInBytes())
          .as(key).isEqualTo(10 + key.getBytes(StandardCharsets.UTF_8).length + 7);
    }
  }
}

package com.qoder.kafka.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** The max.message.bytes a topic needs for records of a given size, and back. */
class TopicSpecTest {

  @Test
  void eightMebibyteRecordsNeedSixteenKibibytesMoreForCompressionFraming() {
    assertThat(TopicSpec.maxMessageBytesFor(8 * 1024 * 1024)).isEqualTo(8_404_992);
    assertThat(TopicSpec.maxRecordBytesWithin(8_404_992)).isEqualTo(8 * 1024 * 1024);
    // Kafka's default topic: what stays of 1 MiB + 12 once the headroom is kept.
    assertThat(TopicSpec.maxRecordBytesWithin(TopicSpec.KAFKA_DEFAULT_MESSAGE_MAX_BYTES)).isEqualTo(1_032_204);
    assertThat(TopicSpec.data("t", 1, (short) 1).withMaxRecordBytes(8 * 1024 * 1024).configs())
        .containsEntry("max.message.bytes", "8404992");
  }

  @Property(tries = 200, seed = "12")
  void theInverseIsTheLargestRecordThatFits(@ForAll @IntRange(min = 20_000, max = 1_500_000_000) int maxMessageBytes) {
    int r = TopicSpec.maxRecordBytesWithin(maxMessageBytes);
    assertThat(TopicSpec.maxMessageBytesFor(r)).isLessThanOrEqualTo(maxMessageBytes);
    assertThat(TopicSpec.maxMessageBytesFor(r + 2)).isGreaterThan(maxMessageBytes);
  }

  /**
   * The headroom is enough: a batch of one incompressible record of the largest size, compressed by
   * every codec the connector offers, is no larger than the topic's max.message.bytes (the broker
   * compares the compressed batch).
   */
  @Test
  void oneIncompressibleRecordOfTheLargestSizeFitsAfterEveryCodec() {
    int maxRecordBytes = 2 * 1024 * 1024;
    byte[] value = new byte[maxRecordBytes - 200];
    new Random(9).nextBytes(value);
    OutboundRecord record = new OutboundRecord("t", null, new byte[40], value, List.of(), null);
    assertThat(record.estimatedSizeInBytes()).isLessThanOrEqualTo(maxRecordBytes);
    for (CompressionType type : List.of(CompressionType.NONE, CompressionType.GZIP, CompressionType.SNAPPY,
        CompressionType.LZ4, CompressionType.ZSTD)) {
      MemoryRecordsBuilder b = MemoryRecords.builder(ByteBuffer.allocate(1024), RecordBatch.CURRENT_MAGIC_VALUE,
          Compression.of(type).build(), TimestampType.CREATE_TIME, 0L);
      b.append(0L, record.key(), record.value());
      int batch = b.build().sizeInBytes();
      assertThat(batch).as(type.name).isLessThanOrEqualTo(TopicSpec.maxMessageBytesFor(maxRecordBytes));
    }
  }
}

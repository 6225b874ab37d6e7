package com.qoder.kafka.kafka;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.header.Header;

/**
 * One record for {@link KafkaSink}: bytes already serialized by the caller (the key is the UTF-8
 * session id, the value Confluent wire-format Avro or offset JSON).
 *
 * @param topic destination topic
 * @param partition explicit partition, or null to let the producer's default partitioner hash the
 *     key (murmur2, like every Kafka client) — events use null, the offsets store sets it
 * @param key record key; null only for unkeyed records
 * @param value record value; null is a tombstone
 * @param headers record headers (for example {@link CloudEventsHeaders}); may be empty
 * @param correlation the caller's handle for this record (an event id, an offset key), returned
 *     in {@link SendResult} and {@link RecordRejectedException}; never sent to Kafka
 */
public record OutboundRecord(
    String topic, Integer partition, byte[] key, byte[] value, List<Header> headers, Object correlation) {

  /** Bytes of framing Kafka adds around one record in a v2 batch, upper bound (see below). */
  private static final int BATCH_OVERHEAD = 61;
  /** length, attributes, timestamp delta, offset delta, key length, value length, header count (varints). */
  private static final int RECORD_OVERHEAD = 5 + 1 + 10 + 5 + 5 + 5 + 5;
  /** header key length and value length (varints). */
  private static final int HEADER_OVERHEAD = 5 + 5;

  public OutboundRecord {
    Objects.requireNonNull(topic, "topic");
    if (partition != null && partition < 0) {
      throw new IllegalArgumentException("partition must be >= 0, was " + partition);
    }
    headers = headers == null ? List.of() : List.copyOf(headers);
  }

  public OutboundRecord(String topic, byte[] key, byte[] value, List<Header> headers, Object correlation) {
    this(topic, null, key, value, headers, correlation);
  }

  /** A record keyed by a UTF-8 string, default partitioning. */
  public static OutboundRecord of(String topic, String key, byte[] value, List<Header> headers, Object correlation) {
    return new OutboundRecord(topic, null, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
        value, headers, correlation);
  }

  /**
   * Upper bound of the bytes this record takes in a Kafka record batch of its own: what the
   * producer compares with {@code max.request.size} (Kafka's DefaultRecordBatch /
   * DefaultRecord size upper bound: a 61-byte batch header plus varint-framed fields). The sink
   * also counts in-flight bytes with it.
   */
  public int estimatedSizeInBytes() {
    long size = BATCH_OVERHEAD + RECORD_OVERHEAD;
    size += key == null ? 0 : key.length;
    size += value == null ? 0 : value.length;
    for (Header h : headers) {
      size += HEADER_OVERHEAD + utf8Length(h.key());
      size += h.value() == null ? 0 : h.value().length;
    }
    return (int) Math.min(Integer.MAX_VALUE, size);
  }

  /** UTF-8 length without encoding (called for every header of every record on the hot path). */
  private static int utf8Length(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        n += 1; // a lone surrogate: String.getBytes writes '?'
      } else {
        n += 3;
      }
    }
    return n;
  }

  @Override
  public String toString() {
    // Payload bytes stay out of logs: they may be large and hold user content.
    return "OutboundRecord[topic=" + topic + ", partition=" + partition
        + ", key=" + (key == null ? "null" : new String(key, StandardCharsets.UTF_8))
        + ", valueBytes=" + (value == null ? "null" : value.length)
        + ", headers=" + headers.size() + ", correlation=" + correlation + "]";
  }
}

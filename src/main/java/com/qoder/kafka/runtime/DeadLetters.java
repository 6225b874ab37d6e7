package com.qoder.kafka.runtime;

import com.qoder.kafka.api.SessionEvent;
import com.qoder.kafka.kafka.KafkaSink;
import com.qoder.kafka.kafka.OutboundRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Dead-letter records: the original event JSON, keyed by session id, with why it is here in headers.
 *
 * <p>The value must itself fit into Kafka, or the event would be stuck: an event too large for the
 * events topic is usually too large for the dead-letter topic too. So the JSON goes as is when it
 * fits, gzip-compressed when that fits ({@code dlq.content-encoding: gzip}; JSON compresses well),
 * and only as a last resort truncated ({@code dlq.truncated: true}) — with its id, type, size and
 * reason always in headers, so the event can be fetched again from the API.
 *
 * <p>Headers: {@code dlq.reason}, {@code dlq.message}, {@code dlq.session-id}, {@code dlq.event-id},
 * {@code dlq.event-type} (events) or {@code dlq.source}, {@code dlq.item-id}, {@code dlq.change}
 * (resources, files, sessions records), {@code dlq.original-topic}, {@code dlq.original-size},
 * {@code dlq.content-encoding} (identity|gzip), {@code dlq.truncated}, {@code content-type}.
 *
 * <p>The bound is the dead-letter topic's record limit, read when a letter is built (the sink
 * learns the topic's {@code max.message.bytes} at start-up), minus room for headers.
 */
final class DeadLetters {

  /** Header room kept below max.request.size for headers and framing. */
  private static final int HEADER_ROOM = 16 * 1024;
  private static final int MAX_MESSAGE_HEADER = 2048;

  /**
   * Correlation of a dead-letter record: the item it stands for, why, and how its value was written
   * (what an in-order marker repeats).
   */
  record Letter(String eventId, String eventType, String reason, String message, int originalSize,
      String contentEncoding, boolean truncated) {}

  private final String topic;
  private final IntSupplier maxRecordBytes;

  /** Dead letters sized for records of at most {@code maxRecordBytes}. */
  DeadLetters(String topic, int maxRecordBytes) {
    this(topic, () -> maxRecordBytes);
  }

  /** Dead letters sized for what {@code sink} sends to {@code topic} ({@link KafkaSink#maxRecordBytes}). */
  DeadLetters(String topic, KafkaSink sink) {
    this(topic, () -> sink.maxRecordBytes(topic));
  }

  private DeadLetters(String topic, IntSupplier maxRecordBytes) {
    this.topic = topic;
    this.maxRecordBytes = maxRecordBytes;
  }

  String topic() {
    return topic;
  }

  OutboundRecord record(String sessionId, SessionEvent event, String reason, String message, byte[] json,
      String originalTopic) {
    List<Header> headers = new ArrayList<>(10);
    add(headers, "dlq.session-id", sessionId);
    add(headers, "dlq.event-id", event.id());
    add(headers, "dlq.event-type", event.type());
    return build(sessionId, headers, reason, message, json, originalTopic, event.id(), event.type());
  }

  /**
   * A dead letter for an item of a change source (a resource, file or session record): keyed like
   * the record it replaces, with {@code dlq.source}, {@code dlq.item-id} and {@code dlq.change}
   * instead of the event headers.
   */
  OutboundRecord itemRecord(String key, String source, String itemId, String change, String reason,
      String message, byte[] json, String originalTopic) {
    List<Header> headers = new ArrayList<>(10);
    add(headers, "dlq.source", source);
    add(headers, "dlq.item-id", itemId);
    add(headers, "dlq.change", change);
    return build(key, headers, reason, message, json, originalTopic, itemId, source);
  }

  private OutboundRecord build(String key, List<Header> headers, String reason, String message, byte[] json,
      String originalTopic, String itemId, String itemType) {
    int maxValueBytes = Math.max(1024, maxRecordBytes.getAsInt() - HEADER_ROOM);
    String encoding = "identity";
    boolean truncated = false;
    byte[] value = json;
    if (value.length > maxValueBytes) {
      byte[] gz = gzip(json);
      encoding = "gzip";
      value = gz;
      if (gz.length > maxValueBytes) {
        value = gzip(Arrays.copyOf(json, maxValueBytes)); // still smaller than the bound
        truncated = true;
        if (value.length > maxValueBytes) {
          value = Arrays.copyOf(json, maxValueBytes);
          encoding = "identity";
        }
      }
    }
    add(headers, "dlq.reason", reason);
    String shortMessage = message.length() > MAX_MESSAGE_HEADER ? message.substring(0, MAX_MESSAGE_HEADER) : message;
    add(headers, "dlq.message", shortMessage);
    add(headers, "dlq.original-topic", originalTopic);
    add(headers, "dlq.original-size", Integer.toString(json.length));
    add(headers, "dlq.content-encoding", encoding);
    add(headers, "dlq.truncated", Boolean.toString(truncated));
    add(headers, "content-type", "application/json");
    return OutboundRecord.of(topic, key, value, headers,
        new Letter(itemId, itemType, reason, shortMessage, json.length, encoding, truncated));
  }

  private static void add(List<Header> headers, String key, String value) {
    if (value != null) {
      headers.add(new RecordHeader(key, value.getBytes(StandardCharsets.UTF_8)));
    }
  }

  private static byte[] gzip(byte[] in) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, in.length / 4));
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(in);
    } catch (IOException e) {
      throw new IllegalStateException("gzip into memory cannot fail", e);
    }
    return out.toByteArray();
  }
}

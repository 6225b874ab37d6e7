package com.qoder.kafka.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Record headers of the CloudEvents Kafka protocol binding, binary content mode
 * (cloudevents/spec, {@code cloudevents/bindings/kafka-protocol-binding.md} §3.2): each context
 * attribute becomes a header named {@code ce_<attribute>} with a UTF-8 value, and the
 * {@code datacontenttype} attribute is the {@code content-type} header. The record value is the
 * event data as-is (here Confluent wire-format Avro), the key stays the session id.
 */
public final class CloudEventsHeaders {

  public static final String ID = "ce_id";
  public static final String TYPE = "ce_type";
  public static final String SOURCE = "ce_source";
  public static final String TIME = "ce_time";
  public static final String SPEC_VERSION = "ce_specversion";
  public static final String SUBJECT = "ce_subject";
  /** Binary mode maps {@code datacontenttype} to this header, without the {@code ce_} prefix. */
  public static final String CONTENT_TYPE = "content-type";

  public static final String SPEC_VERSION_1_0 = "1.0";
  public static final String AVRO = "application/avro";

  private CloudEventsHeaders() {}

  /**
   * The required attributes plus {@code time} and {@code content-type: application/avro}.
   *
   * @param id event id, unique per source (the upstream event id)
   * @param type event type (for example {@code user.message})
   * @param source URI reference of the producer context (for example {@code /sessions/sess_…})
   * @param time when the event happened; written as RFC 3339 with full (nanosecond) precision
   */
  public static List<Header> of(String id, String type, String source, Instant time) {
    return of(id, type, source, time, null, AVRO);
  }

  /** As {@link #of(String, String, String, Instant)} with an optional subject and content type. */
  public static List<Header> of(String id, String type, String source, Instant time, String subject,
      String contentType) {
    requireText(id, "id");
    requireText(type, "type");
    requireText(source, "source");
    List<Header> headers = new ArrayList<>(7);
    headers.add(header(SPEC_VERSION, SPEC_VERSION_1_0));
    headers.add(header(ID, id));
    headers.add(header(TYPE, type));
    headers.add(header(SOURCE, source));
    if (time != null) {
      headers.add(header(TIME, time.toString())); // ISO-8601 in UTC with 'Z': valid RFC 3339
    }
    if (subject != null) {
      headers.add(header(SUBJECT, subject));
    }
    if (contentType != null) {
      headers.add(header(CONTENT_TYPE, contentType));
    }
    return List.copyOf(headers);
  }

  /** The UTF-8 value of header {@code name}, or null. */
  public static String value(Iterable<Header> headers, String name) {
    String found = null;
    for (Header h : headers) {
      if (h.key().equals(name) && h.value() != null) {
        found = new String(h.value(), StandardCharsets.UTF_8);
      }
    }
    return found;
  }

  private static Header header(String key, String value) {
    return new RecordHeader(key, value.getBytes(StandardCharsets.UTF_8));
  }

  private static void requireText(String value, String attribute) {
    Objects.requireNonNull(value, () -> "CloudEvents attribute '" + attribute + "' is required");
    if (value.isEmpty()) {
      throw new IllegalArgumentException("CloudEvents attribute '" + attribute + "' must not be empty");
    }
  }
}

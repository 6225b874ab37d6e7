package com.qoder.kafka.kafka;

import com.qoder.kafka.api.Timestamps;
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

  /** The headers every record of this binding carries with the same value, encoded once. */
  private static final Header SPEC_VERSION_HEADER = header(SPEC_VERSION, SPEC_VERSION_1_0);
  private static final Header AVRO_CONTENT_TYPE_HEADER = header(CONTENT_TYPE, AVRO);

  private CloudEventsHeaders() {}

  /**
   * The headers of the records of one page (one session): the constant ones and those of the page
   * ({@code source}, {@code subject}) encoded once, so that a record adds only its own id, type and
   * time. The result of {@link #of(String, String, Instant)} equals {@link
   * #of(String, String, String, Instant, String, String)}'s for the same values.
   */
  public static Page page(String source, String subject, String contentType) {
    requireText(source, "source");
    return new Page(header(SOURCE, source), subject == null ? null : header(SUBJECT, subject),
        contentType == null ? null : AVRO.equals(contentType) ? AVRO_CONTENT_TYPE_HEADER : header(CONTENT_TYPE, contentType));
  }

  /** See {@link #page}. Headers are immutable once built (Kafka only reads them), so records share them. */
  public static final class Page {
    private final Header source;
    private final Header subject;
    private final Header contentType;
    /** The last type's header: a page's events repeat a handful of types, often in runs. */
    private String lastType;
    private Header lastTypeHeader;

    private Page(Header source, Header subject, Header contentType) {
      this.source = source;
      this.subject = subject;
      this.contentType = contentType;
    }

    public List<Header> of(String id, String type, Instant time) {
      requireText(id, "id");
      requireText(type, "type");
      Header typeHeader;
      if (type.equals(lastType)) {
        typeHeader = lastTypeHeader;
      } else {
        typeHeader = header(TYPE, type);
        lastType = type;
        lastTypeHeader = typeHeader;
      }
      return of(id, typeHeader, time);
    }

    /**
     * As {@link #of(String, String, Instant)} with the {@code ce_type} header built by the caller
     * ({@link #typeHeader}), who can keep one per type across pages.
     */
    public List<Header> of(String id, Header typeHeader, Instant time) {
      requireText(id, "id");
      Objects.requireNonNull(typeHeader, "typeHeader");
      Header[] h = new Header[4 + (time != null ? 1 : 0) + (subject != null ? 1 : 0) + (contentType != null ? 1 : 0)];
      int i = 0;
      h[i++] = SPEC_VERSION_HEADER;
      h[i++] = new RecordHeader(ID, ascii(id));
      h[i++] = typeHeader;
      h[i++] = source;
      if (time != null) {
        h[i++] = new RecordHeader(TIME, time(time));
      }
      if (subject != null) {
        h[i++] = subject;
      }
      if (contentType != null) {
        h[i++] = contentType;
      }
      return List.of(h);
    }
  }

  /** The {@code ce_type} header of a type, for {@link Page#of(String, Header, Instant)}. */
  public static Header typeHeader(String type) {
    requireText(type, "type");
    return header(TYPE, type);
  }

  /**
   * {@code time.toString()} as ASCII bytes, written directly ({@link Timestamps#isoInstantBytes}) for
   * the years 0000–9999 — every instant of an event: epoch nanoseconds in a long span 1677–2262.
   */
  static byte[] time(Instant time) {
    long seconds = time.getEpochSecond();
    if (seconds < YEAR_0000 || seconds >= YEAR_10000) {
      return ascii(time.toString()); // a sign or a fifth year digit: leave it to the formatter
    }
    return Timestamps.isoInstantBytes(seconds, time.getNano());
  }

  /** Epoch seconds of 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z. */
  private static final long YEAR_0000 = -62_167_219_200L;
  private static final long YEAR_10000 = 253_402_300_800L;

  /** UTF-8 bytes of {@code s}; ids and RFC 3339 times are ASCII, the copy loop skips the encoder. */
  private static byte[] ascii(String s) {
    int n = s.length();
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        return s.getBytes(StandardCharsets.UTF_8);
      }
      b[i] = (byte) c;
    }
    return b;
  }

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
    headers.add(SPEC_VERSION_HEADER);
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

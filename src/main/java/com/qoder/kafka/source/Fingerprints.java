package com.qoder.kafka.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.qoder.kafka.api.Timestamps;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * 64-bit fingerprints of an item's documented fields, to tell "changed" from "unchanged" without
 * storing the item.
 *
 * <p>Only the fields a source names take part, so a volatile undocumented member (a signed URL, a
 * request id) never makes an unchanged item look changed every poll. Values are written in a
 * canonical form first: object members sorted by name, and members ending in {@code _at}
 * normalised to epoch nanoseconds when they parse as RFC 3339 (so {@code …:54Z} and
 * {@code …:54.000Z} are the same instant). A missing member and an explicit null differ.
 */
final class Fingerprints {

  /** Fields of a resource (document 000) whose change is a change of the resource. */
  static final List<String> RESOURCE_FIELDS = List.of("type", "file_id", "mount_path", "created_at", "updated_at");
  /** Fields of a file (document 001) whose change is a change of the file. */
  static final List<String> FILE_FIELDS = List.of("filename", "purpose", "mime_type", "size_bytes", "status",
      "metadata", "created_at", "updated_at");

  private Fingerprints() {}

  static long of(JsonNode item, List<String> fields) {
    StringBuilder sb = new StringBuilder(256);
    for (String f : fields) {
      sb.append(f).append('=');
      JsonNode v = item.get(f);
      if (v == null) {
        sb.append('\u0001'); // missing, distinct from JSON null
      } else {
        canonical(f, v, sb);
      }
      sb.append('\u0000');
    }
    return DedupWindow.fingerprint(sb.toString());
  }

  private static void canonical(String name, JsonNode v, StringBuilder sb) {
    if (v.isObject()) {
      List<String> names = new ArrayList<>();
      for (Iterator<String> it = v.fieldNames(); it.hasNext(); ) {
        names.add(it.next());
      }
      names.sort(null);
      sb.append('{');
      for (String n : names) {
        sb.append(quote(n)).append(':');
        canonical(n, v.get(n), sb);
        sb.append(',');
      }
      sb.append('}');
    } else if (v.isArray()) {
      sb.append('[');
      for (JsonNode e : v) {
        canonical("", e, sb);
        sb.append(',');
      }
      sb.append(']');
    } else if (v.isTextual() && name.endsWith("_at")) {
      long nanos = epochNanosOrMin(v.textValue());
      sb.append(nanos != Long.MIN_VALUE ? "t" + nanos : quote(v.textValue()));
    } else {
      sb.append(v); // JSON text of a scalar
    }
  }

  /** Epoch nanoseconds of an RFC 3339 timestamp, or {@link Long#MIN_VALUE} when absent or not one. */
  static long epochNanosOrMin(String text) {
    if (text == null) {
      return Long.MIN_VALUE;
    }
    try {
      return Timestamps.parseEpochNanos(text);
    } catch (IllegalArgumentException e) {
      return Long.MIN_VALUE;
    }
  }

  /** The item's {@code field} as epoch nanoseconds, or {@link Long#MIN_VALUE}. */
  static long timestamp(JsonNode item, String field) {
    JsonNode v = item.get(field);
    return v != null && v.isTextual() ? epochNanosOrMin(v.textValue()) : Long.MIN_VALUE;
  }

  /** Fixed-width hex, for change ids. */
  static String hex(long fingerprint) {
    return String.format("%016x", fingerprint);
  }

  private static String quote(String s) {
    return TextNode.valueOf(s).toString();
  }
}

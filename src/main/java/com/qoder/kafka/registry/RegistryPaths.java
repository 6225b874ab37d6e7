package com.qoder.kafka.registry;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Request paths of the Confluent Schema Registry REST API, built as Confluent's Java client
 * ({@code RestService} + its {@code UriBuilder}) builds them, query parameters included, so a
 * server or proxy sees the same requests from this connector as from Confluent's serializers.
 */
final class RegistryPaths {

  // RFC 3986 characters Confluent's UriBuilder leaves unescaped in a path segment: unreserved,
  // "@" and ":" from gen-delims, and all sub-delims. Everything else is %XX of its UTF-8 bytes.
  private static final String UNESCAPED =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" + "-._~" + "@:"
          + "!$&'()*+,;=";
  private static final boolean[] KEEP = new boolean[128];
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  static {
    for (int i = 0; i < UNESCAPED.length(); i++) {
      KEEP[UNESCAPED.charAt(i)] = true;
    }
  }

  private RegistryPaths() {}

  static String register(String subject) {
    return "/subjects/" + segment(subject) + "/versions?normalize=false";
  }

  static String lookup(String subject) {
    return "/subjects/" + segment(subject) + "?normalize=false&deleted=false";
  }

  static String schemaById(int id) {
    return "/schemas/ids/" + id + "?fetchMaxId=false";
  }

  static String latest(String subject) {
    return "/subjects/" + segment(subject) + "/versions/latest";
  }

  static String versions(String subject) {
    return "/subjects/" + segment(subject) + "/versions";
  }

  static String version(String subject, int version) {
    return "/subjects/" + segment(subject) + "/versions/" + version;
  }

  static String compatibilityWithLatest(String subject) {
    return "/compatibility/subjects/" + segment(subject)
        + "/versions/latest?normalize=false&verbose=true";
  }

  static String subjectConfig(String subject) {
    return "/config/" + segment(subject) + "?defaultToGlobal=true";
  }

  static String globalConfig() {
    return "/config";
  }

  /** Joins a base URL and a path, collapsing the slash between them (as RestService does). */
  static String join(String baseUrl, String path) {
    String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    return base + (path.startsWith("/") ? path : "/" + path);
  }

  /** Percent-encodes one path segment (a subject name may hold '/', ' ' or non-ASCII). */
  static String segment(String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    StringBuilder sb = new StringBuilder(bytes.length + 8);
    for (byte b : bytes) {
      int c = b & 0xff;
      if (c < 128 && KEEP[c]) {
        sb.append((char) c);
      } else {
        sb.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
      }
    }
    return sb.toString();
  }

  /** Decodes %XX sequences (UTF-8); unlike URLDecoder it keeps '+' as '+', as URIs do. */
  static String percentDecode(String value) {
    if (value.indexOf('%') < 0) {
      return value;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(value.length());
    int i = 0;
    while (i < value.length()) {
      char c = value.charAt(i);
      if (c == '%' && i + 2 < value.length()) {
        int hi = Character.digit(value.charAt(i + 1), 16);
        int lo = Character.digit(value.charAt(i + 2), 16);
        if (hi >= 0 && lo >= 0) {
          out.write((hi << 4) | lo);
          i += 3;
          continue;
        }
      }
      int cp = value.codePointAt(i);
      byte[] bytes = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
      out.write(bytes, 0, bytes.length);
      i += Character.charCount(cp);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}

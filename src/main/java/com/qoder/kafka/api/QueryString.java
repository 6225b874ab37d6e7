package com.qoder.kafka.api;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** A query string built from the non-null parameters, in the order added; values percent-encoded. */
final class QueryString {

  private final StringBuilder sb = new StringBuilder();

  /** RFC 3986 percent-encoding for a path segment or query value ('+' and ':' included). */
  static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** Adds {@code name=value}, or nothing when {@code value} is null (the parameter is left out). */
  QueryString add(String name, Object value) {
    if (value != null) {
      sb.append(sb.length() == 0 ? '?' : '&').append(name).append('=').append(encode(value.toString()));
    }
    return this;
  }

  /** {@code ?a=1&b=2}, or the empty string when no parameter was added. */
  @Override
  public String toString() {
    return sb.toString();
  }
}

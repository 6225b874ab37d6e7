package com.qoder.kafka.sim;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * The one bearer token the simulator accepts. Its {@code toString} never shows the value, so it
 * cannot leak through a log line or a test name; only {@link #reveal()} returns it.
 */
final class BearerToken {

  private final String value;

  BearerToken(String value) {
    this.value = Objects.requireNonNull(value, "token");
  }

  String reveal() {
    return value;
  }

  /** Whether {@code given} is the token, compared in constant time. */
  boolean matches(String given) {
    return given != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
        value.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "BearerToken[redacted]";
  }
}

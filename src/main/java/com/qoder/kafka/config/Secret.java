package com.qoder.kafka.config;

import java.util.Objects;

/**
 * A secret value (the PAT, a registry or SASL password) that never shows itself.
 *
 * <p>{@link #toString()} is always masked so a secret cannot leak through a log line, an
 * exception message or a record's generated {@code toString()}. Only {@link #reveal()} returns
 * the value, and only the code that puts it on the wire calls it.
 */
public final class Secret {

  public static final String MASK = "******";

  private final String value;

  private Secret(String value) {
    this.value = value;
  }

  public static Secret of(String value) {
    return new Secret(Objects.requireNonNull(value, "value"));
  }

  /** Null-tolerant factory for optional secrets. */
  public static Secret ofNullable(String value) {
    return value == null ? null : new Secret(value);
  }

  public String reveal() {
    return value;
  }

  public boolean isEmpty() {
    return value.isEmpty();
  }

  @Override
  public String toString() {
    return MASK;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret s && s.value.equals(value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }
}

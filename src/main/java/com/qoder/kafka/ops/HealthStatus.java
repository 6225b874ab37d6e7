package com.qoder.kafka.ops;

import java.util.Objects;

/**
 * The outcome of one {@link HealthCheck}: UP or DOWN, with an optional human-readable detail
 * (never a secret: it is served on {@code /health/ready}).
 */
public record HealthStatus(State state, String detail) {

  /** UP or DOWN; nothing in between, so a probe has one thing to decide on. */
  public enum State {
    UP,
    DOWN
  }

  public HealthStatus {
    Objects.requireNonNull(state, "state");
  }

  public static HealthStatus up() {
    return new HealthStatus(State.UP, null);
  }

  public static HealthStatus up(String detail) {
    return new HealthStatus(State.UP, detail);
  }

  public static HealthStatus down(String detail) {
    return new HealthStatus(State.DOWN, detail);
  }

  public boolean isUp() {
    return state == State.UP;
  }
}

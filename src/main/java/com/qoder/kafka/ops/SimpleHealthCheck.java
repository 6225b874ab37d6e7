package com.qoder.kafka.ops;

import java.time.Duration;
import java.util.Objects;
import reactor.core.publisher.Mono;

/** The plain implementation behind {@link HealthCheck}'s factories. */
record SimpleHealthCheck(String name, Duration timeout, Mono<HealthStatus> status)
    implements HealthCheck {

  SimpleHealthCheck {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(status, "status");
  }

  @Override
  public Mono<HealthStatus> check() {
    return status;
  }
}

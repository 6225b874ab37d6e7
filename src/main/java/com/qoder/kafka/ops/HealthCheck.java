package com.qoder.kafka.ops;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * One readiness check served by {@code GET /health/ready}.
 *
 * <p>{@link #check()} may be slow or hang: the {@link OpsServer} applies {@link #timeout()} and
 * reports a check that did not answer in time as DOWN ("timed out after …"), and an error signal
 * as DOWN with the error's message. Checks run concurrently.
 */
public interface HealthCheck {

  /** Default time a check may take before it is reported DOWN. */
  Duration DEFAULT_TIMEOUT = Duration.ofSeconds(3);

  /** Name shown in the readiness JSON, e.g. {@code kafka}, {@code schemaRegistry}. */
  String name();

  /** The current status; must not block the subscribing thread. */
  Mono<HealthStatus> check();

  /** How long {@link #check()} may take; {@link #DEFAULT_TIMEOUT} unless overridden. */
  default Duration timeout() {
    return DEFAULT_TIMEOUT;
  }

  /**
   * A check from a supplier of the current problem: empty means UP, a value means DOWN with that
   * value as the detail (e.g. {@code "offsets not restored yet"}). The supplier runs on {@link
   * Schedulers#boundedElastic()}, so it may block briefly.
   */
  static HealthCheck of(String name, Supplier<Optional<String>> problem) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(problem, "problem");
    return new SimpleHealthCheck(
        name,
        DEFAULT_TIMEOUT,
        Mono.fromCallable(
                () -> {
                  Optional<String> p = problem.get();
                  return p == null || p.isEmpty() ? HealthStatus.up() : HealthStatus.down(p.get());
                })
            .subscribeOn(Schedulers.boundedElastic()));
  }

  /** A check from a flag: UP while {@code up} returns true, else DOWN with {@code downDetail}. */
  static HealthCheck ofFlag(String name, BooleanSupplier up, String downDetail) {
    Objects.requireNonNull(up, "up");
    return of(name, () -> up.getAsBoolean() ? Optional.empty() : Optional.of(downDetail));
  }

  /** This check with another timeout. */
  default HealthCheck withTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("health check timeout must be positive, was " + timeout);
    }
    HealthCheck self = this;
    return new SimpleHealthCheck(name(), timeout, Mono.defer(self::check));
  }
}

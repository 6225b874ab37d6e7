package com.qoder.kafka;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The tests' one way to wait for an outcome: poll {@code condition} until it holds, failing with
 * {@code what} at the deadline (never a bare sleep standing in for the outcome).
 */
public final class Await {

  private static final Duration EVERY = Duration.ofMillis(10);

  private Await() {}

  /** Polls every 10 ms. */
  public static void until(Duration deadline, String what, BooleanSupplier condition) {
    until(deadline, EVERY, () -> what, condition);
  }

  /** Polls every 10 ms; {@code what} is evaluated only on failure (it may read logs or state). */
  public static void until(Duration deadline, Supplier<String> what, BooleanSupplier condition) {
    until(deadline, EVERY, what, condition);
  }

  /** Polls every {@code every} (longer for costly conditions, shorter for tight timing). */
  public static void until(Duration deadline, Duration every, Supplier<String> what, BooleanSupplier condition) {
    long until = System.nanoTime() + deadline.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > until) {
        throw new AssertionError("condition not met within " + deadline + ": " + what.get());
      }
      try {
        Thread.sleep(every.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for: " + what.get(), e);
      }
    }
  }
}

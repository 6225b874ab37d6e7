package com.qoder.kafka.ops;

import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The "metrics never break the data path" rule of {@link ConnectorMetrics}, shared by its meter
 * groups so that a failure is logged once per {@code ConnectorMetrics}, not once per group.
 * Thread-safe.
 */
final class MeterGuard {

  // Logged under ConnectorMetrics, the class callers know.
  private static final Logger log = LoggerFactory.getLogger(ConnectorMetrics.class);

  private volatile boolean failureLogged;

  /** Reads a gauge's supplier; {@code NaN} when it throws. */
  double safe(DoubleSupplier supplier) {
    try {
      return supplier.getAsDouble();
    } catch (Throwable t) {
      swallow(t);
      return Double.NaN;
    }
  }

  /** Logs the first failure; rethrows only what no caller should survive unaware of. */
  void swallow(Throwable t) {
    if (t instanceof VirtualMachineError vme && !(t instanceof StackOverflowError)) {
      throw vme; // out of memory is not a metrics problem to hide
    }
    if (!failureLogged) {
      failureLogged = true;
      log.warn("A metric update failed; metrics may be incomplete (logged once)", t);
    }
  }
}

package com.qoder.kafka.ops;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;

/**
 * The standard JVM and process meters (memory, GC, threads, class loading, CPU, uptime, file
 * descriptors), exported as {@code jvm_*}, {@code process_*} and {@code system_*}.
 *
 * <p>Close it on shutdown: the GC binder holds JMX notification listeners.
 */
public final class JvmProcessMetrics implements AutoCloseable {

  private final JvmGcMetrics gc;

  private JvmProcessMetrics(JvmGcMetrics gc) {
    this.gc = gc;
  }

  /** Binds every JVM/process binder to {@code registry}. */
  public static JvmProcessMetrics bindTo(MeterRegistry registry) {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    return new JvmProcessMetrics(gc);
  }

  @Override
  public void close() {
    gc.close();
  }
}

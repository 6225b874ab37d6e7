package com.qoder.kafka.runtime;

import com.qoder.kafka.ops.ConnectorMetrics;
import com.qoder.kafka.registry.CompatibilityCheck;
import com.qoder.kafka.registry.SchemaRegistry;
import com.qoder.kafka.registry.SubjectVersion;
import java.time.Duration;
import java.util.function.Supplier;
import org.apache.avro.Schema;

/**
 * Times every call that reaches the Schema Registry backend into {@code
 * qoder_schema_registry_request_duration_seconds{operation,outcome}}. Sits under the client's
 * cache (see {@code SchemaRegistries.create(options, decorator)}), so cache hits are not counted:
 * the metric is the registry's load, not the connector's lookups.
 */
final class MeteredSchemaRegistry implements SchemaRegistry {

  private final SchemaRegistry delegate;
  private final ConnectorMetrics metrics;

  MeteredSchemaRegistry(SchemaRegistry delegate, ConnectorMetrics metrics) {
    this.delegate = delegate;
    this.metrics = metrics;
  }

  @Override
  public int register(String subject, Schema schema) {
    return timed("register", () -> delegate.register(subject, schema));
  }

  @Override
  public int lookup(String subject, Schema schema) {
    return timed("lookup", () -> delegate.lookup(subject, schema));
  }

  @Override
  public Schema schemaById(int id) {
    return timed("get_schema", () -> delegate.schemaById(id));
  }

  @Override
  public SubjectVersion latest(String subject) {
    return timed("latest", () -> delegate.latest(subject));
  }

  @Override
  public java.util.List<SubjectVersion> versions(String subject) {
    return timed("versions", () -> delegate.versions(subject));
  }

  @Override
  public CompatibilityCheck checkCompatibility(String subject, Schema schema) {
    return timed("compatibility", () -> delegate.checkCompatibility(subject, schema));
  }

  @Override
  public String compatibilityLevel(String subject) {
    return timed("compatibility_level", () -> delegate.compatibilityLevel(subject));
  }

  @Override
  public String describe() {
    return delegate.describe();
  }

  @Override
  public void close() {
    delegate.close();
  }

  private <T> T timed(String operation, Supplier<T> call) {
    long t0 = System.nanoTime();
    boolean ok = false;
    try {
      T result = call.get();
      ok = true;
      return result;
    } finally {
      metrics.registryCall(operation, Duration.ofNanos(System.nanoTime() - t0), ok);
    }
  }
}

package com.qoder.kafka.ops;

import static com.qoder.kafka.ops.ConnectorMetrics.HTTP_BUCKETS;
import static com.qoder.kafka.ops.ConnectorMetrics.KAFKA_BUCKETS;
import static com.qoder.kafka.ops.ConnectorMetrics.KAFKA_IN_FLIGHT_BYTES;
import static com.qoder.kafka.ops.ConnectorMetrics.KAFKA_IN_FLIGHT_RECORDS;
import static com.qoder.kafka.ops.ConnectorMetrics.KAFKA_SEND_LATENCY;
import static com.qoder.kafka.ops.ConnectorMetrics.MAX_SMALL_TAG_VALUES;
import static com.qoder.kafka.ops.ConnectorMetrics.OFFSET_COMMIT_LATENCY;
import static com.qoder.kafka.ops.ConnectorMetrics.REGISTRY_REQUEST_DURATION;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;

/**
 * The meters of {@link ConnectorMetrics} on the way into Kafka: send latency by topic and outcome,
 * records and bytes in flight, offset commits, and Schema Registry calls. Every method swallows its
 * failures through {@link MeterGuard}. Thread-safe.
 */
final class DeliveryMeters {

  private final MeterRegistry registry;
  private final MeterGuard guard;
  private final BoundedTagValues<Timer> kafkaSendOk;
  private final BoundedTagValues<Timer> kafkaSendFailed;
  private final Timer offsetCommitOk;
  private final Timer offsetCommitFailed;
  private final BoundedTagValues<Timer> registryOk;
  private final BoundedTagValues<Timer> registryFailed;

  DeliveryMeters(MeterRegistry registry, MeterGuard guard) {
    this.registry = registry;
    this.guard = guard;
    kafkaSendOk = kafkaSendTimers("success");
    kafkaSendFailed = kafkaSendTimers("failure");
    offsetCommitOk = offsetCommitTimer("success");
    offsetCommitFailed = offsetCommitTimer("failure");
    registryOk = registryTimers("success");
    registryFailed = registryTimers("failure");
  }

  void bindInFlight(DoubleSupplier records, DoubleSupplier bytes) {
    try {
      Gauge.builder(KAFKA_IN_FLIGHT_RECORDS, () -> guard.safe(records))
          .description("Records handed to the Kafka producer and not yet acknowledged")
          .strongReference(true)
          .register(registry);
      Gauge.builder(KAFKA_IN_FLIGHT_BYTES, () -> guard.safe(bytes))
          .description("Bytes handed to the Kafka producer and not yet acknowledged")
          .baseUnit("bytes")
          .strongReference(true)
          .register(registry);
    } catch (Throwable t) {
      guard.swallow(t);
    }
  }

  void kafkaSend(String topic, Duration latency, boolean success) {
    try {
      if (latency != null && !latency.isNegative()) {
        (success ? kafkaSendOk : kafkaSendFailed).get(topic).record(latency);
      }
    } catch (Throwable t) {
      guard.swallow(t);
    }
  }

  void kafkaSendNanos(String topic, long latencyNanos, boolean success) {
    try {
      if (latencyNanos >= 0) {
        (success ? kafkaSendOk : kafkaSendFailed)
            .get(topic)
            .record(latencyNanos, TimeUnit.NANOSECONDS);
      }
    } catch (Throwable t) {
      guard.swallow(t);
    }
  }

  void offsetCommit(Duration latency, boolean success) {
    try {
      if (latency != null && !latency.isNegative()) {
        (success ? offsetCommitOk : offsetCommitFailed).record(latency);
      }
    } catch (Throwable t) {
      guard.swallow(t);
    }
  }

  void registryCall(String operation, Duration duration, boolean success) {
    try {
      if (duration != null && !duration.isNegative()) {
        (success ? registryOk : registryFailed).get(operation).record(duration);
      }
    } catch (Throwable t) {
      guard.swallow(t);
    }
  }

  private BoundedTagValues<Timer> kafkaSendTimers(String outcome) {
    return new BoundedTagValues<>(
        MAX_SMALL_TAG_VALUES,
        topic ->
            Timer.builder(KAFKA_SEND_LATENCY)
                .description("Time from producer send to broker acknowledgement")
                .tag("topic", topic)
                .tag("outcome", outcome)
                .serviceLevelObjectives(KAFKA_BUCKETS)
                .register(registry));
  }

  private Timer offsetCommitTimer(String outcome) {
    return Timer.builder(OFFSET_COMMIT_LATENCY)
        .description("Time to make an offset record (or transaction) durable")
        .tag("outcome", outcome)
        .serviceLevelObjectives(KAFKA_BUCKETS)
        .register(registry);
  }

  private BoundedTagValues<Timer> registryTimers(String outcome) {
    return new BoundedTagValues<>(
        MAX_SMALL_TAG_VALUES,
        operation ->
            Timer.builder(REGISTRY_REQUEST_DURATION)
                .description("Schema Registry calls, by operation and outcome")
                .tag("operation", operation)
                .tag("outcome", outcome)
                .serviceLevelObjectives(HTTP_BUCKETS)
                .register(registry));
  }
}

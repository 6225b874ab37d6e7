package com.qoder.kafka.ops;

import static com.qoder.kafka.ops.ConnectorMetrics.HTTP_BUCKETS;
import static com.qoder.kafka.ops.ConnectorMetrics.HTTP_RATE_LIMIT_WAIT;
import static com.qoder.kafka.ops.ConnectorMetrics.HTTP_REQUESTS;
import static com.qoder.kafka.ops.ConnectorMetrics.HTTP_REQUEST_DURATION;
import static com.qoder.kafka.ops.ConnectorMetrics.HTTP_RETRIES;
import static com.qoder.kafka.ops.ConnectorMetrics.MAX_SMALL_TAG_VALUES;
import static com.qoder.kafka.ops.ConnectorMetrics.POLL_INTERVAL;
import static com.qoder.kafka.ops.ConnectorMetrics.WAIT_BUCKETS;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The meters of {@link ConnectorMetrics} for the Qoder API: requests by endpoint and status, their
 * durations, retries, 429 waits and the adaptive poll interval. Every method swallows its failures
 * through {@link MeterGuard}. Thread-safe.
 */
final class ApiMeters {

  private final MeterRegistry registry;
  private final MeterGuard guard;
  private final BoundedTagValues<EndpointMeters> endpoints;
  private final BoundedTagValues<BoundedTagValues<Counter>> retries;
  private final BoundedTagValues<Timer> rateLimitWaits;
  private final Timer pollInterval;

  ApiMeters(MeterRegistry registry, MeterGuard guard) {
    this.registry = registry;
    this.guard = guard;
    endpoints = new BoundedTagValues<>(MAX_SMALL_TAG_VALUES, e -> new EndpointMeters(registry, e));
    retries =
        new BoundedTagValues<>(
            MAX_SMALL_TAG_VALUES,
            endpoint ->
                new BoundedTagValues<>(
                    MAX_SMALL_TAG_VALUES,
                    reason ->
                        Counter.builder(HTTP_RETRIES)
                            .description("Qoder API requests retried, by endpoint and reason")
                            .tag("endpoint", endpoint)
                            .tag("reason", reason)
                            .register(registry)));
    rateLimitWaits =
        new BoundedTagValues<>(
            MAX_SMALL_TAG_VALUES,
            endpoint ->
                Timer.builder(HTTP_RATE_LIMIT_WAIT)
                    .description("Waits imposed by HTTP 429 Retry-After, by endpoint")
                    .tag("endpoint", endpoint)
                    .serviceLevelObjectives(WAIT_BUCKETS)
                    .register(registry));
    pollInterval =
        Timer.builder(POLL_INTERVAL)
            .description("Adaptive wait before polling a caught-up session again")
            .serviceLevelObjectives(WAIT_BUCKETS)
            .register(registry);
  }

  void request(String endpoint, int status, Duration duration) {
    try {
      EndpointMeters m = endpoints.get(endpoint);
      m.status(status).increment();
      if (duration != null && !duration.isNegative()) {
        m.duration(status).record(duration);
      }
    } catch (Throwable t) {
      guard.swallow(t);
    }
  }

  void requestNanos(String endpoint, int status, long nanos) {
    try {
      EndpointMeters m = endpoints.get(endpoint);
      m.status(status).increment();
      if (nanos >= 0) {
        m.duration(status).record(nanos, TimeUnit.NANOSECONDS);
      }
    } catch (Throwable t) {
      guard.swallow(t);
    }
  }

  void retry(String endpoint, String reason) {
    try {
      retries.get(endpoint).get(reason).increment();
    } catch (Throwable t) {
      guard.swallow(t);
    }
  }

  void rateLimitWait(String endpoint, Duration wait) {
    try {
      if (wait != null && !wait.isNegative()) {
        rateLimitWaits.get(endpoint).record(wait);
      }
    } catch (Throwable t) {
      guard.swallow(t);
    }
  }

  void rateLimitWaitMillis(String endpoint, long waitMillis) {
    try {
      if (waitMillis >= 0) {
        rateLimitWaits.get(endpoint).record(waitMillis, TimeUnit.MILLISECONDS);
      }
    } catch (Throwable t) {
      guard.swallow(t);
    }
  }

  void pollInterval(Duration interval) {
    try {
      if (interval != null && !interval.isNegative()) {
        pollInterval.record(interval);
      }
    } catch (Throwable t) {
      guard.swallow(t);
    }
  }

  long requestsTotal() {
    try {
      return (long) registry.find(HTTP_REQUESTS).counters().stream().mapToDouble(Counter::count).sum();
    } catch (Throwable t) {
      guard.swallow(t);
      return 0;
    }
  }

  /**
   * The meters of one API endpoint: a request counter per status code and a duration timer per status
   * class (so the histograms stay at a handful of series), both array-indexed and created on first
   * use.
   */
  private static final class EndpointMeters {
    private static final int MAX_STATUS = 600;
    private final MeterRegistry registry;
    private final String endpoint;
    private final AtomicReferenceArray<Counter> byStatus = new AtomicReferenceArray<>(MAX_STATUS);
    // index 0: no response; 1..5: 1xx..5xx. Created on first use like the counters.
    private final AtomicReferenceArray<Timer> byClass = new AtomicReferenceArray<>(6);

    EndpointMeters(MeterRegistry registry, String endpoint) {
      this.registry = registry;
      this.endpoint = endpoint;
    }

    Counter status(int status) {
      int index = (status >= 100 && status < MAX_STATUS) ? status : 0;
      Counter c = byStatus.get(index);
      if (c == null) {
        c =
            Counter.builder(HTTP_REQUESTS)
                .description(
                    "Qoder API requests, by endpoint and HTTP status (\"none\": no response)")
                .tag("endpoint", endpoint)
                .tag("status", index == 0 ? "none" : Integer.toString(index))
                .register(registry);
        // Registration is idempotent, so a race only stores the same meter twice.
        byStatus.set(index, c);
      }
      return c;
    }

    Timer duration(int status) {
      int index = (status >= 100 && status < MAX_STATUS) ? status / 100 : 0;
      Timer t = byClass.get(index);
      if (t == null) {
        t =
            Timer.builder(HTTP_REQUEST_DURATION)
                .description("Qoder API request duration, by endpoint and status class")
                .tag("endpoint", endpoint)
                .tag("status_class", index == 0 ? "none" : index + "xx")
                .serviceLevelObjectives(HTTP_BUCKETS)
                .register(registry);
        byClass.set(index, t);
      }
      return t;
    }
  }
}

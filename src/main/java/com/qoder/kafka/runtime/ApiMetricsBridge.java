package com.qoder.kafka.runtime;

import com.qoder.kafka.api.ApiMetrics;
import com.qoder.kafka.ops.ConnectorMetrics;
import java.time.Duration;

/** Feeds the API client's request, retry and 429 observations into the connector's metrics. */
final class ApiMetricsBridge implements ApiMetrics {

  private final ConnectorMetrics metrics;

  ApiMetricsBridge(ConnectorMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void request(String endpoint, int status, long nanos) {
    metrics.httpRequestNanos(endpoint, status, nanos);
  }

  @Override
  public void retry(String endpoint, String reason) {
    metrics.retry(endpoint, reason);
  }

  @Override
  public void rateLimited(String endpoint, long waitMillis) {
    metrics.rateLimitWait(endpoint, Duration.ofMillis(waitMillis));
  }
}

package com.qoder.kafka.runtime;

import com.qoder.kafka.api.ApiMetrics;
import com.qoder.kafka.ops.ConnectorMetrics;
import java.time.Duration;

/**
 * Feeds the API client's request, retry and 429 observations into the connector's metrics, and
 * its misrouted 404s into {@link MisroutedEndpoints} (the {@code qoderApi} readiness check).
 */
final class ApiMetricsBridge implements ApiMetrics {

  private final ConnectorMetrics metrics;
  private final MisroutedEndpoints misrouted;

  ApiMetricsBridge(ConnectorMetrics metrics, MisroutedEndpoints misrouted) {
    this.metrics = metrics;
    this.misrouted = misrouted;
  }

  @Override
  public void request(String endpoint, int status, long nanos) {
    metrics.httpRequestNanos(endpoint, status, nanos);
    misrouted.answered(endpoint, status);
  }

  @Override
  public void retry(String endpoint, String reason) {
    metrics.retry(endpoint, reason);
  }

  @Override
  public void rateLimited(String endpoint, long waitMillis) {
    metrics.rateLimitWait(endpoint, Duration.ofMillis(waitMillis));
  }

  @Override
  public void misrouted(String endpoint, String baseUrl, String message) {
    misrouted.misrouted(endpoint, baseUrl, message);
  }
}

package com.qoder.kafka.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  static final String EP = "GET /x";

  static RetryPolicy policy(double random) {
    return new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofSeconds(60), () -> random);
  }

  @Test
  void onlyRetryableErrorsAreRetriedAndOnlyUpToTheLimit() {
    RetryPolicy p = policy(0.5);
    QoderApiException server = new QoderApiException.ServerError(EP, 503, null, "x");
    assertThat(p.shouldRetry(server, 0)).isTrue();
    assertThat(p.shouldRetry(server, 2)).isTrue();
    assertThat(p.shouldRetry(server, 3)).isFalse();
    assertThat(p.shouldRetry(new QoderApiException.Authentication(EP, null, null), 0)).isFalse();
    assertThat(p.shouldRetry(new QoderApiException.InvalidRequest(EP, null, "x"), 0)).isFalse();
    assertThat(p.shouldRetry(new QoderApiException.NotFound(EP, null, "x"), 0)).isFalse();
    assertThat(p.shouldRetry(new QoderApiException.Unexpected(EP, 403, null, "x"), 0)).isFalse();
    assertThat(p.shouldRetry(new QoderApiException.Transport(EP, "x", null, false), 0)).isFalse();
    assertThat(p.shouldRetry(new QoderApiException.Transport(EP, "x", null), 0)).isTrue();
    assertThat(p.shouldRetry(new QoderApiException.MalformedResponse(EP, "x", null), 0)).isTrue();
    assertThat(p.shouldRetry(new QoderApiException.RateLimited(EP, null, null, -1), 0)).isTrue();
  }

  @Test
  void a429WaitsExactlyItsRetryAfterAndOtherwiseBacksOff() {
    RetryPolicy p = policy(1.0);
    assertThat(p.delay(new QoderApiException.RateLimited(EP, null, null, 2000), 0))
        .isEqualTo(Duration.ofSeconds(2));
    assertThat(p.delay(new QoderApiException.RateLimited(EP, null, null, 0), 3)).isZero();
    assertThat(p.delay(new QoderApiException.RateLimited(EP, null, null, -1), 1))
        .isEqualTo(Duration.ofMillis(200));
  }

  @Test
  void aRetryAfterAboveTheMaximumWaitsTheMaximum() {
    RetryPolicy p = policy(1.0);
    QoderApiException.RateLimited day = new QoderApiException.RateLimited(EP, null, null, 86_400_000L);
    assertThat(p.delay(day, 0)).isEqualTo(Duration.ofSeconds(60));
    assertThat(p.capped(day)).isTrue();
    QoderApiException.RateLimited minute = new QoderApiException.RateLimited(EP, null, null, 60_000L);
    assertThat(p.delay(minute, 0)).isEqualTo(Duration.ofSeconds(60));
    assertThat(p.capped(minute)).isFalse();
  }

  @Test
  void backoffDoublesWithJitterBetweenHalfAndFullAndIsCapped() {
    RetryPolicy low = policy(0.0);
    RetryPolicy high = policy(1.0);
    assertThat(Duration.ofNanos(high.backoffNanos(0))).isEqualTo(Duration.ofMillis(100));
    assertThat(Duration.ofNanos(high.backoffNanos(1))).isEqualTo(Duration.ofMillis(200));
    assertThat(Duration.ofNanos(high.backoffNanos(3))).isEqualTo(Duration.ofMillis(800));
    assertThat(Duration.ofNanos(low.backoffNanos(3))).isEqualTo(Duration.ofMillis(400));
    assertThat(Duration.ofNanos(high.backoffNanos(10))).isEqualTo(Duration.ofSeconds(2));
    assertThat(Duration.ofNanos(low.backoffNanos(10))).isEqualTo(Duration.ofSeconds(1));
    // Never below the minimum, never overflowing for absurd attempt numbers.
    assertThat(Duration.ofNanos(low.backoffNanos(0))).isEqualTo(Duration.ofMillis(100));
    assertThat(Duration.ofNanos(high.backoffNanos(Long.MAX_VALUE))).isEqualTo(Duration.ofSeconds(2));
  }
}

package com.qoder.kafka.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * The Kafka readiness check against an address where no broker listens. (The UP path needs a
 * broker: see the integration tests that start the embedded KRaft broker.)
 */
class KafkaHealthCheckTest {

  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static Map<String, Object> props(int port) {
    return Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port,
        AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200);
  }

  @Test
  void noBrokerIsDownWithinTheTimeout() throws Exception {
    try (KafkaHealthCheck check =
        KafkaHealthCheck.fromProperties(props(closedPort()), Duration.ofSeconds(1))) {
      assertThat(check.name()).isEqualTo("kafka");
      StepVerifier.create(check.check())
          .assertNext(
              s -> {
                assertThat(s.isUp()).isFalse();
                assertThat(s.detail()).startsWith("describeCluster failed: ");
              })
          .expectComplete()
          .verify(Duration.ofSeconds(10));
    }
  }

  @Test
  void readinessNamesKafkaWhenTheBrokerIsUnreachable() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    try (KafkaHealthCheck check =
            KafkaHealthCheck.fromProperties(props(closedPort()), Duration.ofMillis(800));
        OpsServer server =
            OpsServer.start(
                OpsOptions.ephemeral(),
                ConnectorMetrics.newPrometheusRegistry("t"),
                null,
                List.of(check))) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + server.port() + "/health/ready"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(503);
      JsonNode body = new ObjectMapper().readTree(r.body());
      assertThat(body.at("/checks/kafka/status").asText()).isEqualTo("DOWN");
      assertThat(body.at("/checks/kafka/detail").asText()).contains("describeCluster failed");
    }
  }

  @Test
  void rejectsANonPositiveTimeout() {
    assertThatThrownBy(() -> KafkaHealthCheck.fromProperties(props(1), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timeout must be positive");
  }
}

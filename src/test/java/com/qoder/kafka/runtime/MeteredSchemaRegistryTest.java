package com.qoder.kafka.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.qoder.kafka.avro.Schemas;
import com.qoder.kafka.ops.ConnectorMetrics;
import com.qoder.kafka.registry.RegistryOptions;
import com.qoder.kafka.registry.SchemaRegistries;
import com.qoder.kafka.registry.SchemaRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Registry calls are timed under the cache: what reaches the registry is counted, hits are not. */
class MeteredSchemaRegistryTest {

  @Test
  void callsThatReachTheRegistryAreTimedByOperationAndOutcome() {
    String scope = "metered-" + UUID.randomUUID();
    PrometheusMeterRegistry prometheus = ConnectorMetrics.newPrometheusRegistry("t");
    ConnectorMetrics metrics = new ConnectorMetrics(prometheus);
    try (SchemaRegistry registry = SchemaRegistries.create(RegistryOptions.of("mock://" + scope),
        r -> new MeteredSchemaRegistry(r, metrics))) {
      int id = registry.register("t-value", Schemas.sessionEvent());
      assertThat(registry.register("t-value", Schemas.sessionEvent())).as("cached").isEqualTo(id);
      registry.latest("t-value");
      registry.latest("t-value"); // never cached: the readiness check relies on a real round trip
      assertThatThrownBy(() -> registry.latest("no-such-subject")).isInstanceOf(RuntimeException.class);

      String scrape = prometheus.scrape();
      assertThat(scrape)
          .contains("qoder_schema_registry_request_duration_seconds_count{connector=\"t\",operation=\"register\","
              + "outcome=\"success\"} 1")
          .contains("qoder_schema_registry_request_duration_seconds_count{connector=\"t\",operation=\"latest\","
              + "outcome=\"success\"} 2")
          .contains("qoder_schema_registry_request_duration_seconds_count{connector=\"t\",operation=\"latest\","
              + "outcome=\"failure\"} 1");
    } finally {
      SchemaRegistries.dropMockScope(scope);
    }
  }
}

package com.qoder.kafka.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.qoder.kafka.config.Secret;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaSinkOptionsTest {

  @Test
  void defaultsGiveAnIdempotentAcksAllProducerThatHoldsRecordsThroughOutages() {
    Map<String, Object> c = KafkaSinkOptions.defaults("127.0.0.1:9092").producerConfig();
    assertThat(c).containsEntry("acks", "all")
        .containsEntry("enable.idempotence", true)
        .containsEntry("max.in.flight.requests.per.connection", 5)
        .containsEntry("delivery.timeout.ms", Integer.MAX_VALUE)
        .containsEntry("compression.type", "lz4")
        .containsEntry("linger.ms", 10);
    assertThat((Long) c.get("buffer.memory")).isGreaterThanOrEqualTo(2 * KafkaSinkOptions.DEFAULT_MAX_IN_FLIGHT_BYTES);
    assertThat(c).doesNotContainKey("transactional.id");
  }

  @Test
  void passThroughPropertiesReachTheProducerButCannotWeakenGuarantees() {
    KafkaClientProperties props = KafkaClientProperties.empty()
        .with("security.protocol", "SASL_SSL")
        .withSecret("sasl.jaas.config", Secret.of("org.apache.kafka.common.security.plain.PlainLoginModule "
            + "required username=\"u\" password=\"hunter2\";"));
    KafkaSinkOptions o = KafkaSinkOptions.defaults("b:9092").withClientProperties(props);

    assertThat(o.producerConfig()).containsEntry("security.protocol", "SASL_SSL");
    assertThat((String) o.producerConfig().get("sasl.jaas.config")).contains("hunter2");
    assertThat(o.toString()).doesNotContain("hunter2").contains("sasl.jaas.config=******");

    assertThatThrownBy(() -> o.withClientProperties(props.with("acks", "1").with("enable.idempotence", "false")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'acks' cannot be overridden")
        .hasMessageContaining("'enable.idempotence' cannot be overridden");
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    assertThatThrownBy(() -> new KafkaSinkOptions("", "id", KafkaClientProperties.empty(), "brotli",
        Duration.ofMillis(-1), 0, 10, 0, 0, Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ZERO, " "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bootstrapServers is required")
        .hasMessageContaining("compression must be one of")
        .hasMessageContaining("linger must be >= 0")
        .hasMessageContaining("batchSizeBytes")
        .hasMessageContaining("maxRequestSizeBytes")
        .hasMessageContaining("maxInFlightRecords")
        .hasMessageContaining("maxInFlightBytes")
        .hasMessageContaining("deliveryTimeout (PT1S) must be >= requestTimeout + linger")
        .hasMessageContaining("transactionalId");
  }

  @Test
  void anUnusableBootstrapAddressIsAClearErrorAtCreation() {
    assertThatThrownBy(() -> KafkaSink.create(KafkaSinkOptions.defaults("no-port-here")))
        .isInstanceOf(KafkaFatalException.class)
        .hasMessageContaining("cannot create the Kafka producer for no-port-here")
        .hasMessageContaining("bootstrap");
  }

  @Test
  void transactionalIdIsPassedOn() {
    KafkaSinkOptions o = KafkaSinkOptions.defaults("b:9092").withTransactionalId("connector-0");
    assertThat(o.transactional()).isTrue();
    assertThat(o.producerConfig()).containsEntry("transactional.id", "connector-0");
  }

  @Test
  void clientPropertiesMaskSensitiveValues() {
    KafkaClientProperties p = KafkaClientProperties.of(Map.of(
        "ssl.truststore.password", "pw", "ssl.key.password", "kpw", "sasl.mechanism", "PLAIN",
        "ssl.keystore.key", "PEM"));
    assertThat(p.toString()).contains("sasl.mechanism=PLAIN").doesNotContain("pw").doesNotContain("PEM");
    assertThat(p.toClientConfig()).containsEntry("ssl.truststore.password", "pw");
  }
}

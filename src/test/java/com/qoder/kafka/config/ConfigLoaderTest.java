package com.qoder.kafka.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  @TempDir Path dir;

  @Test
  void environmentAloneConfiguresRun() {
    ConnectorConfig c = ConfigLoader.load(null, Map.of(
        "QODER_BASE_URL", "http://127.0.0.1:8090/",
        "QODER_PAT", "pat-secret-value",
        "QODER_ORGANIZATION_ID", "org_1",
        "QODER_SESSION_IDS", "sess_019e392c0d1e74e095d21ea4c6b41def, 019e392c-0d1e-74e0-95d2-1ea4c6b41df0",
        "KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092",
        "SCHEMA_REGISTRY_URL", "mock://t",
        "CONNECTOR_NAME", "c1",
        "OPS_PORT", "9100",
        "KAFKA_PROPERTIES_SECURITY_PROTOCOL", "SASL_SSL"), Map.of());
    assertThat(c.string(Settings.QODER_BASE_URL)).isEqualTo("http://127.0.0.1:8090");
    assertThat(c.secret(Settings.QODER_TOKEN).reveal()).isEqualTo("pat-secret-value");
    assertThat(c.list(Settings.SESSION_IDS)).hasSize(2);
    assertThat(c.discoveryEnabled()).isFalse();
    assertThat(c.offsetsTopic()).isEqualTo("qoder-kafka.c1.offsets");
    assertThat(c.integer(Settings.OPS_PORT)).isEqualTo(9100);
    assertThat(c.kafkaProperties()).containsEntry("security.protocol", "SASL_SSL");
    assertThat(c.routing()).containsEntry("session.error", List.of("qoder.session-errors"));
    assertThat(c.effective()).doesNotContain("pat-secret-value").contains("qoder.token: ******");
  }

  @Test
  void defaultsMatchTheDocumentedContract() {
    ConnectorConfig c = ConfigLoader.load(null, Map.of(), Map.of());
    assertThat(c.string(Settings.TOPIC_EVENTS)).isEqualTo("qoder.session-events");
    assertThat(c.string(Settings.TOPIC_ERRORS)).isEqualTo("qoder.session-errors");
    assertThat(c.string(Settings.TOPIC_DEAD_LETTER)).isEqualTo("qoder.dead-letter");
    assertThat(c.offsetsTopic()).isEqualTo("qoder-kafka.qoder-kafka.offsets");
    assertThat(c.duration(Settings.POLL_MIN)).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.size(Settings.MAX_IN_FLIGHT_BYTES)).isEqualTo(64L * 1024 * 1024);
    assertThat(c.discoveryEnabled()).isTrue();
  }

  @Test
  void fileThenEnvironmentThenOverrides() throws Exception {
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, """
        connector:
          name: from-file
        kafka:
          bootstrap-servers: file:9092
          properties:
            sasl.mechanism: SCRAM-SHA-512
            sasl.jaas.config: secret-jaas
          routing:
            agent.message: extra-topic
        sessions:
          poll-interval-min: 200ms
        """);
    ConnectorConfig c = ConfigLoader.load(f, Map.of("KAFKA_BOOTSTRAP_SERVERS", "env:9092"),
        Map.of("connector.name", "from-flag"));
    assertThat(c.connectorName()).isEqualTo("from-flag");
    assertThat(c.string(Settings.KAFKA_BOOTSTRAP)).isEqualTo("env:9092");
    assertThat(c.duration(Settings.POLL_MIN)).isEqualTo(Duration.ofMillis(200));
    assertThat(c.kafkaProperties()).containsEntry("sasl.mechanism", "SCRAM-SHA-512");
    assertThat(c.routing()).containsEntry("agent.message", List.of("extra-topic"));
    assertThat(c.effective()).contains("sasl.jaas.config: ******").doesNotContain("secret-jaas");
  }

  @Test
  void everyProblemIsReportedAtOnce() throws Exception {
    Path f = dir.resolve("bad.yaml");
    Files.writeString(f, """
        kafka:
          bootstrap-server: typo:9092
          max-in-flight-bytes: lots
        sessions:
          page-size: 500
          poll-interval-min: 10s
          poll-interval-max: 1s
          start-position: middle
        ops:
          port: 70000
        schema-registry:
          url: ftp://x
        """);
    assertThatThrownBy(() -> ConfigLoader.load(f, Map.of("QODER_PAT", "t"), Map.of()))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .anySatisfy(p -> assertThat(p).contains("unknown key 'kafka.bootstrap-server'")
                .contains("did you mean 'kafka.bootstrap-servers'"))
            .anySatisfy(p -> assertThat(p).startsWith("kafka.max-in-flight-bytes = 'lots'"))
            .anySatisfy(p -> assertThat(p).contains("sessions.page-size = 500 is outside 1–100"))
            .anySatisfy(p -> assertThat(p).contains("poll-interval-min (10s) is above"))
            .anySatisfy(p -> assertThat(p).contains("sessions.start-position = 'middle'"))
            .anySatisfy(p -> assertThat(p).contains("ops.port = 70000"))
            .anySatisfy(p -> assertThat(p).contains("schema-registry.url entry 'ftp://x'"))
            .hasSize(7));
  }

  @Test
  void theLargestRecordMustFitInFlightAndIsSetOnlyThroughItsOwnKey() {
    assertThat(ConfigLoader.load(null, Map.of(), Map.of()).size(Settings.MAX_RECORD_BYTES)).isEqualTo(8L << 20);
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("kafka.max-record-bytes", "32MiB",
        "kafka.max-in-flight-bytes", "16MiB", "kafka.properties.max.request.size", "9999999")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .anySatisfy(p -> assertThat(p).contains("kafka.max-record-bytes (33554432) is above"
                + " kafka.max-in-flight-bytes (16777216)"))
            .anySatisfy(p -> assertThat(p).contains("kafka.properties.max.request.size is managed by the connector:"
                + " set kafka.max-record-bytes instead"))
            .hasSize(2));
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("kafka.max-record-bytes", "1KiB")))
        .hasMessageContaining("kafka.max-record-bytes = 1024 is outside 64KiB–1GiB");
  }

  @Test
  void secretsAreMaskedInProblemsAndToString() {
    assertThatThrownBy(() -> ConfigLoader.load(null,
        Map.of("QODER_PAT", "super-secret", "OPS_PORT", "x"), Map.of()))
        .hasMessageNotContaining("super-secret");
    ConnectorConfig c = ConfigLoader.load(null, Map.of("QODER_PAT", "super-secret"), Map.of());
    assertThat(c.toString()).doesNotContain("super-secret");
    assertThat(c.secret(Settings.QODER_TOKEN).toString()).isEqualTo(Secret.MASK);
  }

  @Test
  void tokenFileIsReadAndWorldReadableSecretsWarn() throws Exception {
    Path token = dir.resolve("pat");
    Files.writeString(token, "from-file\n");
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r--r--"));
    ConnectorConfig c = ConfigLoader.load(null, Map.of("QODER_TOKEN_FILE", token.toString()), Map.of());
    assertThat(c.secret(Settings.QODER_TOKEN).reveal()).isEqualTo("from-file");
    assertThat(c.warnings()).anySatisfy(w -> assertThat(w).contains("readable by every user"));

    Path f = dir.resolve("with-token.yaml");
    Files.writeString(f, "qoder:\n  token: in-the-file\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    assertThat(ConfigLoader.load(f, Map.of(), Map.of()).warnings())
        .anySatisfy(w -> assertThat(w).contains("holds secrets (qoder.token)").doesNotContain("in-the-file"));
  }

  @Test
  void everySecretInAWorldReadableFileWarnsAndAPrivateFileDoesNot() throws Exception {
    Path f = dir.resolve("secrets.yaml");
    Files.writeString(f, """
        schema-registry:
          url: https://registry.example.com
          basic-auth: "user:registry-pw"
        kafka:
          properties:
            security.protocol: SASL_SSL
            sasl.jaas.config: "org.apache.kafka.common.security.scram.ScramLoginModule required username=u password=kafka-pw;"
        """);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    List<String> warnings = ConfigLoader.load(f, Map.of(), Map.of()).warnings();
    assertThat(warnings).anySatisfy(w -> assertThat(w)
        .contains("holds secrets (schema-registry.basic-auth, kafka.properties.sasl.jaas.config)")
        .contains("chmod 600"));
    assertThat(String.join("\n", warnings)).doesNotContain("registry-pw", "kafka-pw");

    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    assertThat(ConfigLoader.load(f, Map.of(), Map.of()).warnings()).isEmpty();
  }

  @Test
  void credentialsOverCleartextWarn() {
    List<String> warnings = ConfigLoader.load(null, Map.of(
        "QODER_BASE_URL", "http://qoder.internal:8090",
        "SCHEMA_REGISTRY_URL", "http://registry.internal:8081",
        "SCHEMA_REGISTRY_BEARER_TOKEN", "bearer-value",
        "KAFKA_PROPERTIES_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
        "KAFKA_PROPERTIES_SASL_JAAS_CONFIG", "x required;"), Map.of()).warnings();
    assertThat(warnings).hasSize(3)
        .anySatisfy(w -> assertThat(w).startsWith("qoder.base-url http://qoder.internal:8090 is plain HTTP"))
        .anySatisfy(w -> assertThat(w).startsWith("schema-registry.url http://registry.internal:8081 is plain HTTP"))
        .anySatisfy(w -> assertThat(w).contains("security.protocol=SASL_PLAINTEXT"));
    // Loopback is a local setup (the simulator, a port-forward): no warning.
    assertThat(ConfigLoader.load(null, Map.of("QODER_BASE_URL", "http://127.0.0.1:8090",
        "SCHEMA_REGISTRY_URL", "http://localhost:8081", "SCHEMA_REGISTRY_BASIC_AUTH", "u:p"), Map.of()).warnings())
        .isEmpty();
  }

  @Test
  void groupIdIsDerivedFromTheConnectorName() {
    assertThat(ConfigLoader.load(null, Map.of("CONNECTOR_NAME", "billing"), Map.of()).groupId())
        .isEqualTo("qoder-kafka.billing");
  }

  @Test
  void managedProducerSettingsCannotBeOverridden() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("KAFKA_PROPERTIES_ACKS", "1"), Map.of()))
        .hasMessageContaining("kafka.properties.acks is managed by the connector");
  }

  @Test
  void readmeTableListsEveryKey() {
    String table = Settings.markdownTable();
    for (Setting s : Settings.all()) {
      assertThat(table).contains("`" + s.key() + "`");
    }
    assertThat(Settings.envVars()).contains("QODER_PAT", "QODER_SESSION_IDS", "KAFKA_BOOTSTRAP_SERVERS",
        "SCHEMA_REGISTRY_URL", "CONNECTOR_NAME", "QODER_BASE_URL", "QODER_ORGANIZATION_ID", "OPS_PORT");
  }
}

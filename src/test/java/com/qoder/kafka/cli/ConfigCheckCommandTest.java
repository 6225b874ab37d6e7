package com.qoder.kafka.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigCheckCommandTest {

  @TempDir Path dir;

  @Test
  void printsTheEffectiveConfigurationWithSecretsMaskedAndTheWarnings() throws Exception {
    Path file = dir.resolve("qoder-kafka.yaml");
    Files.writeString(file, """
        connector:
          name: billing
        qoder:
          token: pat-in-the-file-4711
          tls:
            insecure-skip-verify: true
        schema-registry:
          url: https://registry.example.com
          basic-auth: "svc:registry-password-0815"
        kafka:
          bootstrap-servers: broker-1:9093
          properties:
            security.protocol: SASL_SSL
            sasl.mechanism: SCRAM-SHA-512
            sasl.jaas.config: "org.apache.kafka.common.security.scram.ScramLoginModule required username=svc password=kafka-password-42;"
        """);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

    Cli.Result r = Cli.run(Map.of("OPS_PORT", "9191"), "config", "check", "--config", file.toString(),
        "--set", "sessions.poll-interval-min=250ms");

    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("# configuration is valid (file " + file + ", environment, 1 --set)")
        .contains("connector.name: billing\n")
        .contains("qoder.token: ******\n")
        .contains("schema-registry.basic-auth: ******\n")
        .contains("kafka.properties.sasl.jaas.config: ******\n")
        .contains("kafka.properties.sasl.mechanism: SCRAM-SHA-512\n")
        .contains("ops.port: 9191\n")
        .contains("sessions.poll-interval-min: 250ms\n")
        .contains("# consumer group of the instances: qoder-kafka.billing")
        .contains("holds secrets (qoder.token, schema-registry.basic-auth, kafka.properties.sasl.jaas.config)")
        .contains("chmod 600 " + file)
        .contains("qoder.tls.insecure-skip-verify=true");
    assertThat(r.out() + r.err()).doesNotContain("pat-in-the-file-4711", "registry-password-0815", "kafka-password-42");
  }

  @Test
  void anInvalidConfigurationListsEveryProblemAndExitsWith2() throws Exception {
    Path file = dir.resolve("broken.yaml");
    Files.writeString(file, """
        sessions:
          page-size: 500
          poll-interval-min: soon
        kafka:
          bootstrap-servers: "no-port-here"
          topic-partitons: 3
        schema-registry:
          basic-auth: "no-colon-secret"
        """);

    Cli.Result r = Cli.run(Map.of("QODER_BASE_URL", "ftp://example.com"), "config", "check", "-c", file.toString());

    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .contains("invalid configuration (6 problems)")
        .contains("sessions.page-size = 500 is outside 1–100")
        .contains("sessions.poll-interval-min = 'soon'")
        .contains("kafka.bootstrap-servers entry 'no-port-here' is not host:port")
        .contains("unknown key 'kafka.topic-partitons'", "did you mean 'kafka.topic-partitions'?")
        .contains("schema-registry.basic-auth must be user:password")
        .contains("qoder.base-url = 'ftp://example.com' (environment variable QODER_BASE_URL)")
        .doesNotContain("no-colon-secret");
  }

  @Test
  void aCleanConfigurationSaysSoAndMissingTokenIsPointedOut() {
    Cli.Result clean = Cli.run(Map.of("QODER_PAT", "x", "SCHEMA_REGISTRY_URL", "http://registry:8081"), "config", "check");
    assertThat(clean.exit()).as(clean.toString()).isZero();
    assertThat(clean.out()).contains("# configuration is valid (no file, environment)").contains("# no warnings");

    Cli.Result noToken = Cli.run(Map.of(), "config", "check");
    assertThat(noToken.exit()).isZero();
    assertThat(noToken.out()).contains("no Qoder API token: run refuses to start");
  }

  @Test
  void theAdminCommandsAreInTheCommandTree() {
    Cli.Result help = Cli.run(Map.of(), "--help");
    assertThat(help.out()).contains("config", "offsets", "schemas", "status");
    assertThat(Cli.run(Map.of(), "offsets").out()).contains("list", "show", "reset", "delete");
    assertThat(Cli.run(Map.of(), "schemas").out()).contains("print", "register", "check");
    Cli.Result reset = Cli.run(Map.of(), "offsets", "reset", "--help");
    assertThat(reset.out()).contains("--to earliest", "--dry-run", "Refused while instances");
  }
}

package com.qoder.kafka.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.sim.QoderSimulator;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * No silent in-process registry: {@code run} without a real {@code schema-registry.url} stops before
 * connecting to anything, in one line, unless {@code schema-registry.allow-in-process} says so;
 * {@code config check} says the same.
 */
class RegistryRequiredTest {

  static final String FIX = "set schema-registry.url to the Schema Registry your consumers read from"
      + " (e.g. http://localhost:8081), or schema-registry.allow-in-process=true for tests and local experiments";

  static QoderSimulator sim;

  @BeforeAll
  static void start() {
    sim = QoderSimulator.builder().seed(1).sessions(1).eventsPerSession(1).files(0).agents(0).build().start();
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  private static Cli.Result run(String... extra) {
    String[] base = {"run", "--ops-port", "0", "--set", "qoder.base-url=" + sim.baseUrl(),
        "--set", "qoder.token=" + sim.token(), "--set", "kafka.bootstrap-servers=127.0.0.1:9"};
    String[] args = new String[base.length + extra.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    return Cli.run(Map.of(), args);
  }

  @Test
  void runWithoutARegistryUrlExits2WithOneLineBeforeConnectingToAnything() {
    Cli.Result r = run();
    assertThat(r.exit()).as("%s", r).isEqualTo(2);
    assertThat(r.err()).isEqualTo("qoder-kafka will not start: schema-registry.url is not set: " + FIX + "\n");
    assertThat(sim.requestStats().total()).as("requests to the API").isZero();
  }

  @Test
  void runWithAMockUrlExits2UnlessInProcessIsAllowed() {
    Cli.Result r = run("--set", "schema-registry.url=mock://prod");
    assertThat(r.exit()).as("%s", r).isEqualTo(2);
    assertThat(r.err()).isEqualTo("qoder-kafka will not start: schema-registry.url is mock://prod, an in-process"
        + " registry whose schema ids no consumer can resolve: " + FIX + "\n");
    assertThat(sim.requestStats().total()).as("requests to the API").isZero();
  }

  @Test
  void configCheckFlagsAMissingRegistry() {
    Cli.Result r = Cli.run(Map.of(), "config", "check", "--set", "qoder.token=t");
    assertThat(r.exit()).as("%s", r).isZero();
    assertThat(r.out()).contains("#   - run refuses to start: schema-registry.url is not set: " + FIX + "\n");

    Cli.Result allowed = Cli.run(Map.of(), "config", "check", "--set", "qoder.token=t",
        "--set", "schema-registry.url=mock://local", "--set", "schema-registry.allow-in-process=true");
    assertThat(allowed.out()).doesNotContain("run refuses to start");
  }
}

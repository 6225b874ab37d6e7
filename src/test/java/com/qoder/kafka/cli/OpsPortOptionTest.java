package com.qoder.kafka.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.config.ConfigLoader;
import com.qoder.kafka.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Issue 6: the ops port comes from {@code ops.port} in the file, {@code OPS_PORT} in the
 * environment, or {@code --ops-port} on {@code run} and {@code demo} alike, in that rising order
 * of precedence.
 */
class OpsPortOptionTest {

  @Test
  void theFlagBeatsTheEnvironmentWhichBeatsTheFile(@TempDir Path tmp) throws Exception {
    Path file = tmp.resolve("connector.yaml");
    Files.writeString(file, """
        ops:
          port: 9090
        """);
    RunCommand run = new RunCommand();
    new CommandLine(run).parseArgs("--config", file.toString(), "--ops-port", "9191");
    Map<String, String> flags = run.common.overrides();

    assertThat(ConfigLoader.load(file, Map.of(), Map.of()).integer(Settings.OPS_PORT)).isEqualTo(9090);
    assertThat(ConfigLoader.load(file, Map.of("OPS_PORT", "9292"), Map.of()).integer(Settings.OPS_PORT))
        .isEqualTo(9292);
    assertThat(ConfigLoader.load(file, Map.of("OPS_PORT", "9292"), flags).integer(Settings.OPS_PORT))
        .isEqualTo(9191);
    assertThat(ConfigLoader.load(null, Map.of(), Map.of()).integer(Settings.OPS_PORT))
        .as("default").isEqualTo(8080);
  }

  @Test
  void demoTakesTheSameFlag() {
    DemoCommand demo = new DemoCommand();
    new CommandLine(demo).parseArgs("--ops-port", "0");
    assertThat(demo.common.overrides()).containsEntry(Settings.OPS_PORT.key(), "0");
    RunCommand run = new RunCommand();
    new CommandLine(run).parseArgs();
    assertThat(run.common.overrides()).doesNotContainKey(Settings.OPS_PORT.key());
  }
}

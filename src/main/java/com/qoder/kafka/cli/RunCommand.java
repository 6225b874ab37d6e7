package com.qoder.kafka.cli;

import com.qoder.kafka.config.ConfigException;
import com.qoder.kafka.config.ConfigLoader;
import com.qoder.kafka.config.ConnectorConfig;
import com.qoder.kafka.runtime.Connector;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

/** {@code qoder-kafka run}: the connector, until SIGTERM or a fatal error. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {
        "Streams Qoder sessions into Kafka until stopped.",
        "Configuration: --config FILE (YAML), then environment variables (QODER_PAT, QODER_BASE_URL,",
        "KAFKA_BOOTSTRAP_SERVERS, SCHEMA_REGISTRY_URL, CONNECTOR_NAME, ...), then flags.",
        "SIGTERM drains: pages in hand are acknowledged and final offsets written before exit."},
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:stopped by a signal", "1:stopped by a fatal error (message logged)",
        "2:invalid configuration (every problem listed), or no Schema Registry (schema-registry.url)"})
final class RunCommand implements Callable<Integer> {

  @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "YAML configuration file.")
  Path config;

  @Mixin CommonOptions common;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    common.applyLogging();
    ConnectorConfig cfg;
    try {
      cfg = ConfigLoader.load(config, common.overrides());
    } catch (ConfigException e) {
      err(e.getMessage());
      return 2;
    }
    // Before connecting to anything: a silent in-process registry would make every record unreadable.
    Optional<String> refusal = cfg.inProcessRegistryRefusal();
    if (refusal.isPresent()) {
      err("qoder-kafka will not start: " + refusal.get());
      return 2;
    }
    Connector connector;
    try {
      connector = Connector.start(cfg);
    } catch (ConfigException e) {
      err(e.getMessage());
      return 2;
    } catch (RuntimeException e) {
      err("qoder-kafka could not start: " + e.getMessage());
      return 1;
    }
    Thread hook = new Thread(connector::close, "qoder-kafka-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    SignalDrain.install(connector::close); // SIGTERM drains and exits 0, not 143
    Optional<Throwable> fatal = connector.awaitStop();
    if (fatal.isPresent()) {
      err("qoder-kafka stopped: " + fatal.get().getMessage());
      return 1;
    }
    return 0;
  }


  /** A line on the command line's error stream (the terminal, or a test's writer). */
  private void err(String line) {
    spec.commandLine().getErr().println(line);
    spec.commandLine().getErr().flush();
  }
}

package com.qoder.kafka.cli;

import com.qoder.kafka.config.ConfigLoader;
import com.qoder.kafka.config.ConnectorConfig;
import com.qoder.kafka.config.Settings;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * How the admin commands find the connector's configuration: exactly as {@code run} does — the
 * YAML file, then the environment, then {@code --set} — so they act on the same cluster, topics
 * and registry as the instances.
 */
final class ConfigOptions {

  @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "YAML configuration file (as given to run).")
  Path config;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "Any configuration key, e.g. --set connector.name=billing (repeatable).")
  Map<String, String> set = new HashMap<>();

  @Option(names = "--log-format", paramLabel = "FORMAT", description = "text (default) or json.")
  String logFormat;

  /** The environment read for configuration; tests replace it. */
  Map<String, String> env = System.getenv();

  /** @throws com.qoder.kafka.config.ConfigException listing every problem */
  ConnectorConfig load() {
    Map<String, String> overrides = new HashMap<>(set);
    if (logFormat != null) {
      overrides.put(Settings.LOG_FORMAT.key(), logFormat);
    }
    return ConfigLoader.load(config, env, overrides);
  }

  void applyLogging() {
    String format = logFormat != null ? logFormat : env.get(Settings.LOG_FORMAT.envVar());
    if (format != null) {
      LogFormat.apply(format);
    }
  }
}

package com.qoder.kafka.cli;

import com.qoder.kafka.config.Settings;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Flags shared by {@code run} and {@code demo}; each maps to a configuration key. */
final class CommonOptions {

  @Option(names = "--ops-port", paramLabel = "PORT",
      description = "Port of the ops server (metrics, health, status page); overrides ops.port / OPS_PORT.")
  Integer opsPort;

  @Option(names = "--log-format", paramLabel = "FORMAT",
      description = "text (default) or json (one JSON object a line).")
  String logFormat;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "Any configuration key, e.g. --set sessions.poll-interval-min=500ms (repeatable).")
  Map<String, String> set = new HashMap<>();

  Map<String, String> overrides() {
    Map<String, String> o = new HashMap<>(set);
    if (opsPort != null) {
      o.put(Settings.OPS_PORT.key(), Integer.toString(opsPort));
    }
    if (logFormat != null) {
      o.put(Settings.LOG_FORMAT.key(), logFormat);
    }
    return o;
  }

  /** Switches Logback to JSON lines before anything logs (the format is chosen by a system property). */
  void applyLogging() {
    String format = logFormat != null ? logFormat : System.getenv("LOG_FORMAT");
    if (format != null) {
      LogFormat.apply(format);
    }
  }
}

package com.qoder.kafka.cli;

import com.qoder.kafka.config.ConnectorConfig;
import com.qoder.kafka.config.Settings;
import java.io.PrintWriter;
import java.util.Optional;
import picocli.CommandLine.Command;

/**
 * {@code qoder-kafka config check}: validates the configuration the way {@code run} would load it
 * and prints the effective values, secrets masked, and every warning.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
    description = {"Validates the configuration (file, environment, --set) as run would load it and prints",
        "the effective values with secrets masked, followed by warnings."},
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:valid (warnings may be printed)", "2:invalid (every problem listed on stderr)"})
final class ConfigCheckCommand extends AdminCommand {

  @Override
  boolean printsWarnings() {
    return false; // part of the output below
  }

  @Override
  int execute(ConnectorConfig config, PrintWriter out, PrintWriter err) {
    out.println("# configuration is valid (" + sources() + ")");
    out.print(config.effective());
    out.println("# consumer group of the instances: " + config.groupId());
    boolean noToken = config.secret(Settings.QODER_TOKEN) == null;
    Optional<String> registryRefusal = config.inProcessRegistryRefusal();
    if (config.warnings().isEmpty() && !noToken && registryRefusal.isEmpty()) {
      out.println("# no warnings");
      return OK;
    }
    out.println("# warnings:");
    config.warnings().forEach(w -> out.println("#   - " + w));
    if (noToken) {
      out.println("#   - no Qoder API token: run refuses to start until QODER_PAT, qoder.token-file or qoder.token"
          + " is set");
    }
    registryRefusal.ifPresent(r -> out.println("#   - run refuses to start: " + r));
    return OK;
  }

  private String sources() {
    StringBuilder sb = new StringBuilder(options.config == null ? "no file" : "file " + options.config);
    sb.append(", environment");
    if (!options.set.isEmpty()) {
      sb.append(", ").append(options.set.size()).append(" --set");
    }
    return sb.toString();
  }
}

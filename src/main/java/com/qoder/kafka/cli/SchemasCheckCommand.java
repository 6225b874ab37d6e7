package com.qoder.kafka.cli;

import com.qoder.kafka.config.ConnectorConfig;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.registry.SchemaRegistries;
import com.qoder.kafka.registry.SchemaRegistry;
import com.qoder.kafka.registry.SubjectCheck;
import com.qoder.kafka.runtime.ClientOptions;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

/** {@code qoder-kafka schemas check}: would the connector's schemas be accepted by the registry? */
@Command(name = "check", mixinStandardHelpOptions = true,
    description = {"Checks each of the connector's subjects against the registry's latest version under the",
        "subject's compatibility level: COMPATIBLE, INCOMPATIBLE (with the registry's reasons) or NOT REGISTERED."},
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:every subject compatible (or not registered while auto-register is on)",
        "1:a subject is incompatible, or not registered while auto-register is off, or the registry is unreachable",
        "2:invalid configuration"})
final class SchemasCheckCommand extends AdminCommand {

  @Override
  int execute(ConnectorConfig config, PrintWriter out, PrintWriter err) {
    boolean autoRegister = config.bool(Settings.REGISTRY_AUTO_REGISTER);
    int failing = 0;
    try (SchemaRegistry registry = SchemaRegistries.create(ClientOptions.registry(config))) {
      for (SubjectPlan plan : SubjectPlan.enabled(config)) {
        SubjectCheck c = SubjectCheck.of(registry, plan.subject(), plan.schema());
        switch (c.state()) {
          case COMPATIBLE -> out.println(plan.subject() + "  COMPATIBLE  with version " + c.latestVersion()
              + " (" + c.level() + ")" + (c.registeredId() > 0 ? ", this schema is registered as id " + c.registeredId()
                  : ", this schema would be a new version"));
          case INCOMPATIBLE -> {
            failing++;
            out.println(plan.subject() + "  INCOMPATIBLE  with version " + c.latestVersion() + " (" + c.level() + ")");
            c.messages().forEach(m -> out.println("    " + m));
          }
          case NOT_REGISTERED -> {
            if (!autoRegister) {
              failing++;
            }
            out.println(plan.subject() + "  NOT REGISTERED  " + (autoRegister
                ? "(run registers it at start-up: auto-register is on)"
                : "(run will refuse to start: auto-register is off; use schemas register)"));
          }
          default -> throw new IllegalStateException(c.state().toString());
        }
      }
      out.println("# registry " + registry.describe() + ", subject name strategy "
          + SubjectPlan.strategy(config).configName());
    }
    return failing == 0 ? OK : FAILED;
  }
}

package com.qoder.kafka.cli;

import com.qoder.kafka.config.ConnectorConfig;
import com.qoder.kafka.registry.SchemaRegistries;
import com.qoder.kafka.registry.SchemaRegistry;
import com.qoder.kafka.registry.SchemaRegistryException;
import com.qoder.kafka.runtime.ClientOptions;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

/** {@code qoder-kafka schemas register}: registers the schemas of every produced topic. */
@Command(name = "register", mixinStandardHelpOptions = true,
    description = {"Registers the value schema of every topic the connector produces to (events topic, routed",
        "topics, and the topics of enabled sources) under the configured subject name strategy. Idempotent:",
        "an identical schema keeps its id. For registries where the connector runs with auto-register off."},
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:every schema registered", "1:at least one refused (incompatible, invalid) or the registry "
        + "unreachable", "2:invalid configuration"})
final class SchemasRegisterCommand extends AdminCommand {

  @Override
  int execute(ConnectorConfig config, PrintWriter out, PrintWriter err) {
    int refused = 0;
    try (SchemaRegistry registry = SchemaRegistries.create(ClientOptions.registry(config))) {
      for (SubjectPlan plan : SubjectPlan.enabled(config)) {
        try {
          int id = registry.register(plan.subject(), plan.schema());
          out.println(plan.subject() + "  REGISTERED  id " + id + "  (" + plan.schema().getFullName() + ", topics "
              + String.join(", ", plan.topics()) + ")");
        } catch (SchemaRegistryException e) {
          if (e.reason() == SchemaRegistryException.Reason.UNREACHABLE
              || e.reason() == SchemaRegistryException.Reason.UNAUTHORIZED) {
            throw e;
          }
          refused++;
          out.println(plan.subject() + "  REFUSED  " + e.getMessage());
        }
      }
      out.println("# registry " + registry.describe() + (refused == 0 ? "" : "; " + refused + " subject(s) refused"));
    }
    return refused == 0 ? OK : FAILED;
  }
}

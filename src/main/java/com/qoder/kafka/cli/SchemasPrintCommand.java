package com.qoder.kafka.cli;

import com.qoder.kafka.avro.Schemas;
import com.qoder.kafka.config.ConnectorConfig;
import com.qoder.kafka.runtime.TopicSchemas;
import com.qoder.kafka.runtime.TopicSchemas.TopicSchema;
import java.io.PrintWriter;
import java.util.List;
import org.apache.avro.Schema;
import picocli.CommandLine.Command;

/** {@code qoder-kafka schemas print}: every schema as pretty JSON, with its topics and subjects. */
@Command(name = "print", mixinStandardHelpOptions = true,
    description = {"Prints every Avro value schema of the connector as pretty JSON, preceded by the topics",
        "that carry it and their subjects under the configured subject name strategy."})
final class SchemasPrintCommand extends AdminCommand {

  @Override
  int execute(ConnectorConfig config, PrintWriter out, PrintWriter err) {
    List<TopicSchema> topics = TopicSchemas.of(config);
    var strategy = SubjectPlan.strategy(config);
    boolean first = true;
    for (Schema schema : Schemas.all().values()) {
      if (!first) {
        out.println();
      }
      first = false;
      out.println("// " + schema.getFullName());
      for (TopicSchema ts : topics) {
        if (ts.schema().getFullName().equals(schema.getFullName())) {
          out.println("// topic " + ts.topic() + " -> subject " + strategy.subjectName(ts.topic(), false, schema)
              + " (strategy " + strategy.configName() + ")"
              + (ts.enabled() ? "" : "  [not produced: " + ts.enabledBy().key() + "=false]"));
        }
      }
      out.println(schema.toString(true));
    }
    return OK;
  }
}

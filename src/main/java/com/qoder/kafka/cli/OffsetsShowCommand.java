package com.qoder.kafka.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.qoder.kafka.config.ConnectorConfig;
import com.qoder.kafka.offsets.OffsetKey;
import com.qoder.kafka.offsets.OffsetRecord;
import com.qoder.kafka.offsets.OffsetStore;
import com.qoder.kafka.runtime.OffsetsAdmin;
import java.io.PrintWriter;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code qoder-kafka offsets show}: one stored position as JSON. */
@Command(name = "show", mixinStandardHelpOptions = true,
    description = "Prints the stored position of a session (sess_… or UUID) or of a key (events/sess_…) as JSON.",
    exitCodeListHeading = "Exit codes:%n", exitCodeList = {"0:shown", "1:no position stored for it"})
final class OffsetsShowCommand extends AdminCommand {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Parameters(paramLabel = "SESSION|KEY", description = "A session id, or an offsets key such as files/all.")
  String target;

  @Override
  int execute(ConnectorConfig config, PrintWriter out, PrintWriter err) throws Exception {
    OffsetKey key = OffsetsAdmin.keyFor(target);
    try (OffsetsAdmin admin = OffsetsAdmin.open(config, timeout)) {
      Optional<OffsetRecord> record = admin.find(target);
      if (record.isEmpty()) {
        err.println("no position stored for " + key + " in " + admin.topic()
            + " (never seen by connector '" + config.connectorName() + "', or deleted)");
        return FAILED;
      }
      ObjectNode root = JSON.createObjectNode();
      root.put("key", key.asString());
      root.put("topic", admin.topic());
      root.put("partition", admin.partitionFor(key));
      root.set("value", JSON.readTree(OffsetStore.valueJson(record.get())));
      out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
      return OK;
    }
  }
}

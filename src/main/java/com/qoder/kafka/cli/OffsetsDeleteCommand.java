package com.qoder.kafka.cli;

import com.qoder.kafka.config.ConnectorConfig;
import com.qoder.kafka.offsets.OffsetKey;
import com.qoder.kafka.runtime.OffsetsAdmin;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code qoder-kafka offsets delete}: forgets a position (tombstone). */
@Command(name = "delete", mixinStandardHelpOptions = true,
    description = {"Deletes a stored position with a tombstone: the entity counts as never seen, so",
        "sessions.start-position applies to it again. The way out of an unreadable offset record.",
        "Refused while instances of the connector are running."},
    exitCodeListHeading = "Exit codes:%n", exitCodeList = {"0:deleted", "1:refused or failed", "2:invalid arguments"})
final class OffsetsDeleteCommand extends AdminCommand {

  @Parameters(paramLabel = "SESSION|KEY", description = "A session id, or an offsets key such as resources/sess_….")
  String target;

  @Override
  int execute(ConnectorConfig config, PrintWriter out, PrintWriter err) {
    OffsetKey key = OffsetsAdmin.keyFor(target);
    try (OffsetsAdmin admin = OffsetsAdmin.open(config, timeout)) {
      try {
        admin.delete(key);
      } catch (OffsetsAdmin.InstancesRunningException e) {
        err.println("refused: " + e.getMessage());
        return FAILED;
      }
      out.println(key + ": deleted from " + admin.topic());
      return OK;
    }
  }
}

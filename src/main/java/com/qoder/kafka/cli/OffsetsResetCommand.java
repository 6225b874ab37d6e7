package com.qoder.kafka.cli;

import com.qoder.kafka.config.ConnectorConfig;
import com.qoder.kafka.runtime.OffsetsAdmin;
import com.qoder.kafka.runtime.OffsetsAdmin.ResetOutcome;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code qoder-kafka offsets reset}: moves sessions' positions. */
@Command(name = "reset", mixinStandardHelpOptions = true,
    description = {"Moves the events position of sessions; the connector resumes from there at its next start.",
        "  --to earliest   before the first event: the session's whole history is produced again",
        "                  (whatever sessions.start-position says)",
        "  --to latest     after the newest event the Qoder API has now: only later events are produced",
        "  --to EVENT_ID   after that event: the events after it are produced again",
        "The de-dup window is emptied, so the events after the new position are produced even if they",
        "were produced before. Refused while instances of the connector are running (members of its",
        "consumer group): stop them first."},
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:reset", "1:refused (instances running) or failed (unknown session or event, Kafka or API "
        + "unreachable)", "2:invalid configuration or arguments"})
final class OffsetsResetCommand extends AdminCommand {

  @Parameters(paramLabel = "SESSION", arity = "0..*", description = "Session ids (sess_… or UUID).")
  List<String> sessions = new ArrayList<>();

  @Option(names = "--all", description = "Every session with a stored position.")
  boolean all;

  @Option(names = "--to", required = true, paramLabel = "earliest|latest|EVENT_ID", description = "The new position.")
  String to;

  @Option(names = "--dry-run", description = "Print what would change, write nothing.")
  boolean dryRun;

  @Override
  int execute(ConnectorConfig config, PrintWriter out, PrintWriter err) {
    if (all == !sessions.isEmpty()) {
      err.println("name the sessions to reset, or --all (not both)");
      return INVALID;
    }
    try (OffsetsAdmin admin = OffsetsAdmin.open(config, timeout)) {
      List<ResetOutcome> outcomes;
      try {
        outcomes = admin.reset(sessions, all, OffsetsAdmin.target(to), dryRun);
      } catch (OffsetsAdmin.InstancesRunningException e) {
        err.println("refused: " + e.getMessage());
        return FAILED;
      }
      for (ResetOutcome o : outcomes) {
        out.println(o.key() + ": " + position(o.before(), o.existed()) + " -> " + position(o.after(), true));
      }
      out.println((dryRun ? "# dry run: " + outcomes.size() + " position(s) would be reset in "
          : "# " + outcomes.size() + " position(s) reset in ") + admin.topic()
          + (dryRun ? "" : "; the connector resumes from them at its next start"));
      return OK;
    }
  }

  private static String position(String cursor, boolean existed) {
    if (!existed) {
      return "(no position stored)";
    }
    return cursor == null ? "(before the first event)" : "after " + cursor;
  }
}

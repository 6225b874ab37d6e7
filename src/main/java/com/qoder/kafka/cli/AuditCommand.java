package com.qoder.kafka.cli;

import com.qoder.kafka.audit.AuditOptions;
import com.qoder.kafka.audit.AuditReport;
import com.qoder.kafka.audit.Auditor;
import com.qoder.kafka.config.ConnectorConfig;
import com.qoder.kafka.config.Settings;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code qoder-kafka audit}: is everything there? The comparison and the repair live in {@code
 * com.qoder.kafka.audit}; this class reads the flags and prints.
 */
@Command(name = "audit", mixinStandardHelpOptions = true,
    description = {"Compares the API's history of each chosen session with its records in the events topic:",
        "missing, duplicate, out-of-order, dead-lettered and expired ids; --repair produces the missing ones.",
        "Also the files and sessions lists against their topics (--scope). Works while the connector runs.",
        "Exit codes: 0 no differences, 3 differences found, 1 the audit could not run, 2 usage."})
final class AuditCommand extends AdminCommand {

  /** Exit code when the audit found a difference (missing, duplicate or out-of-order ids). */
  static final int DIFFERENCES = 3;
  /** Ids printed per session and kind on stdout; --out has them all. */
  static final int IDS_SHOWN = 20;

  @Option(names = "--session", paramLabel = "ID", description = "A session to audit (repeatable; either id spelling).")
  List<String> sessions = new ArrayList<>();

  @Option(names = "--organization", paramLabel = "ID", description = "Every session the API lists for this organization.")
  String organization;

  @Option(names = "--all", description = "Every session the offsets topic holds a position for.")
  boolean all;

  @Option(names = "--scope", split = ",", paramLabel = "events|files|sessions",
      description = "What to compare (comma-separated): events (per session), files, sessions. Default: events.")
  List<AuditOptions.Scope> scopes = new ArrayList<>();

  @Option(names = "--max-requests-per-second", paramLabel = "N",
      description = "The audit's own request budget. Default: a fifth of qoder.max-requests-per-second. The connector"
          + " and the audit share the API's allowance.")
  Double maxRequestsPerSecond;

  @Option(names = "--repair", description = "Produce the missing events (marked with header qoder_kafka.repaired:"
      + " audit; they arrive out of the original order). Expired ids are never produced.")
  boolean repair;

  @Option(names = "--out", paramLabel = "FILE", description = "Also write the full report, every id, as JSON.")
  Path out;

  @Override
  int execute(ConnectorConfig config, PrintWriter stdout, PrintWriter err) throws Exception {
    Set<AuditOptions.Scope> chosen = scopes.isEmpty() ? Set.of(AuditOptions.Scope.EVENTS) : EnumSet.copyOf(scopes);
    double budget = maxRequestsPerSecond != null ? maxRequestsPerSecond
        : AuditOptions.defaultBudget(config.integer(Settings.QODER_RATE));
    AuditOptions options = new AuditOptions(sessions, organization, all, chosen, budget, repair, timeout);
    if (out != null && out.getParent() != null && !Files.isDirectory(out.getParent())) {
      throw new IllegalArgumentException("--out " + out + ": directory " + out.getParent() + " does not exist");
    }
    boolean terminal = System.console() != null;
    AuditReport report;
    try (Auditor auditor = Auditor.open(config, options)) {
      report = auditor.run((i, n, id) -> {
        if (terminal) { // a progress line only where a person watches; pipes and files get none
          err.print("\raudit: session " + (i + 1) + "/" + n + " " + id + "   ");
          err.flush();
        }
      });
    }
    if (terminal) {
      err.print("\r" + " ".repeat(80) + "\r");
      err.flush();
    }
    print(report, stdout);
    if (out != null) {
      try {
        Files.writeString(out, report.toJson() + "\n", StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write --out " + out + ": " + e.getMessage(), e);
      }
      stdout.println("# report written to " + out);
    }
    return report.hasDifferences() ? DIFFERENCES : OK;
  }

  private static void print(AuditReport report, PrintWriter out) {
    if (!report.sessions().isEmpty()) {
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"SESSION", "PARTITION", "API", "KAFKA", "MISSING", "DUPLICATES", "ORDER", "DEAD_LETTERED",
          "EXPIRED", "PENDING", "REPAIRED"});
      for (AuditReport.SessionResult s : report.sessions()) {
        rows.add(new String[] {s.sessionId(), Integer.toString(s.partition()), Long.toString(s.apiEvents()),
            Long.toString(s.kafkaRecords()), Integer.toString(s.missing().size()),
            Integer.toString(s.duplicates().size()), Long.toString(s.orderViolations()),
            Integer.toString(s.deadLettered().size()), Integer.toString(s.expired().size()),
            Long.toString(s.pending()), Integer.toString(s.repaired().size())});
      }
      Table.print(rows, out);
      for (AuditReport.SessionResult s : report.sessions()) {
        if (s.apiNotFound()) {
          out.println("# " + s.sessionId() + ": the API does not know this session (deleted, or a wrong id); its "
              + s.kafkaRecords() + " record(s) were compared with nothing");
        }
        ids(out, s.sessionId(), "missing", s.missing());
        ids(out, s.sessionId(), "duplicate", s.duplicates());
        ids(out, s.sessionId(), "expired (older than the partition's earliest retained record; not repaired)",
            s.expired());
        ids(out, s.sessionId(), "not repairable (the mapper rejects them)", s.unrepairable());
        if (!s.repaired().isEmpty()) {
          out.println("# " + s.sessionId() + ": repaired " + s.repaired().size() + " event(s); they arrive after the"
              + " session's later records, out of the original order (header qoder_kafka.repaired: audit)");
        }
      }
    }
    if (!report.lists().isEmpty()) {
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"LIST", "TOPIC", "API", "KAFKA", "MISSING", "NOT_LISTED"});
      for (AuditReport.ListResult l : report.lists()) {
        rows.add(new String[] {l.name(), l.topic(), Long.toString(l.apiItems()), Long.toString(l.kafkaItems()),
            Integer.toString(l.missing().size()), Integer.toString(l.notListed().size())});
      }
      Table.print(rows, out);
      for (AuditReport.ListResult l : report.lists()) {
        ids(out, l.name(), "missing", l.missing());
      }
    }
    long differing = report.sessions().stream().filter(AuditReport.SessionResult::hasDifferences).count()
        + report.lists().stream().filter(AuditReport.ListResult::hasDifferences).count();
    out.println("# " + report.sessions().size() + " session(s), " + report.lists().size() + " list(s) audited at "
        + report.maxRequestsPerSecond() + " request(s)/s; " + (differing == 0 ? "no differences"
        : differing + " with differences"));
  }

  private static void ids(PrintWriter out, String owner, String kind, List<String> ids) {
    if (ids.isEmpty()) {
      return;
    }
    String shown = String.join(" ", ids.subList(0, Math.min(IDS_SHOWN, ids.size())));
    out.println("# " + owner + " " + kind + ": " + shown
        + (ids.size() > IDS_SHOWN ? " … and " + (ids.size() - IDS_SHOWN) + " more (--out lists all)" : ""));
  }
}

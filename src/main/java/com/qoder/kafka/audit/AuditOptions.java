package com.qoder.kafka.audit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What one audit looks at, validated as a whole (every problem in one message).
 *
 * @param sessions session ids to audit (either spelling); may be empty when {@code organization}
 *     or {@code all} chooses them, or when only list topics are audited
 * @param organization audit every session the API lists for this organization (null: none)
 * @param all audit every session the offsets topic holds a position for
 * @param scopes which topics: the events topic per session, the files topic, the sessions topic
 * @param maxRequestsPerSecond the audit's own request budget; the connector's is separate, the
 *     API's allowance is shared by both
 * @param repair produce the missing events (never the expired ones)
 * @param kafkaTimeout longest wait for one Kafka call (and for a partition read to make progress)
 */
public record AuditOptions(List<String> sessions, String organization, boolean all, Set<Scope> scopes,
    double maxRequestsPerSecond, boolean repair, Duration kafkaTimeout) {

  /** What an audit compares. */
  public enum Scope {
    /** Each chosen session's events against its partition of the events topic. */
    EVENTS,
    /** The files endpoint against the files topic (ids only). */
    FILES,
    /** The sessions endpoint against the sessions topic (ids only). */
    SESSIONS
  }

  /** The fraction of {@code qoder.max-requests-per-second} an audit takes unless told otherwise. */
  public static final double DEFAULT_BUDGET_SHARE = 0.2;

  public AuditOptions {
    sessions = sessions == null ? List.of() : List.copyOf(sessions);
    scopes = scopes == null || scopes.isEmpty() ? Set.of(Scope.EVENTS) : Set.copyOf(EnumSet.copyOf(scopes));
    Objects.requireNonNull(kafkaTimeout, "kafkaTimeout");
    List<String> problems = new ArrayList<>();
    int choices = (sessions.isEmpty() ? 0 : 1) + (organization == null ? 0 : 1) + (all ? 1 : 0);
    if (scopes.contains(Scope.EVENTS) && choices == 0) {
      problems.add("choose the sessions to audit: --session ID (repeatable), --organization ID or --all");
    }
    if (choices > 1) {
      problems.add("--session, --organization and --all are exclusive: give one of them");
    }
    if (organization != null && organization.isBlank()) {
      problems.add("--organization must not be empty");
    }
    if (sessions.stream().anyMatch(s -> s == null || s.isBlank())) {
      problems.add("--session must not be empty");
    }
    if (!(maxRequestsPerSecond > 0) || maxRequestsPerSecond > 10_000 || Double.isNaN(maxRequestsPerSecond)) {
      problems.add("--max-requests-per-second must be > 0 and at most 10000, was " + maxRequestsPerSecond);
    }
    if (repair && !scopes.contains(Scope.EVENTS)) {
      problems.add("--repair produces missing session events: include 'events' in --scope");
    }
    if (kafkaTimeout.isNegative() || kafkaTimeout.isZero()) {
      problems.add("the Kafka timeout must be positive, was " + kafkaTimeout);
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
  }

  /** The default budget: a fifth of the connector's, so an audit beside a running connector stays polite. */
  public static double defaultBudget(int connectorRequestsPerSecond) {
    return connectorRequestsPerSecond * DEFAULT_BUDGET_SHARE;
  }
}

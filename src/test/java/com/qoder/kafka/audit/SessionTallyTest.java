package com.qoder.kafka.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The comparison of one session, branch by branch (Kafka records first, then the API in order). */
class SessionTallyTest {

  private static final List<String> API = List.of("e1", "e2", "e3", "e4", "e5");

  private static AuditReport.SessionResult compare(boolean truncated, int comparedUpTo, String... kafka) {
    SessionTally t = new SessionTally(truncated);
    long offset = 100;
    for (String k : kafka) {
      String[] parts = k.split(":"); // id, or id:dl (dead-letter marker), or id:rep (repaired)
      t.kafkaRecord(parts[0], offset++, parts.length > 1 && parts[1].equals("dl"),
          parts.length > 1 && parts[1].equals("rep"));
    }
    for (int i = 0; i < API.size(); i++) {
      t.apiEvent(API.get(i), i < comparedUpTo);
    }
    return t.result("sess_x", 0, false);
  }

  @Test
  void everythingInOrderIsNoDifference() {
    AuditReport.SessionResult r = compare(false, 5, "e1", "e2", "e3", "e4", "e5");
    assertThat(r.hasDifferences()).isFalse();
    assertThat(r.apiEvents()).isEqualTo(5);
    assertThat(r.kafkaRecords()).isEqualTo(5);
    assertThat(r.unknown()).isZero();
  }

  @Test
  void missingIdsAreNamedInApiOrder() {
    AuditReport.SessionResult r = compare(false, 5, "e1", "e3", "e5");
    assertThat(r.missing()).containsExactly("e2", "e4");
    assertThat(r.hasDifferences()).isTrue();
  }

  @Test
  void eventsAfterTheStoredPositionArePendingNotMissing() {
    AuditReport.SessionResult r = compare(false, 3, "e1", "e2", "e3");
    assertThat(r.missing()).isEmpty();
    assertThat(r.pending()).isEqualTo(2);
    assertThat(r.hasDifferences()).isFalse();
  }

  @Test
  void aSecondCopyIsADuplicateAndNotAnOrderViolation() {
    AuditReport.SessionResult r = compare(false, 5, "e1", "e2", "e3", "e2", "e4", "e5");
    assertThat(r.duplicates()).containsExactly("e2");
    assertThat(r.orderViolations()).isZero();
    assertThat(r.kafkaRecords()).isEqualTo(6);
  }

  @Test
  void recordsOutOfTheApisOrderAreViolations() {
    AuditReport.SessionResult r = compare(false, 5, "e1", "e3", "e2", "e4", "e5");
    assertThat(r.orderViolations()).isEqualTo(1);
    assertThat(r.missing()).isEmpty();
    assertThat(r.hasDifferences()).isTrue();
  }

  @Test
  void repairedRecordsAreOutOfOrderByDesignAndNotViolations() {
    AuditReport.SessionResult r = compare(false, 5, "e1", "e3", "e4", "e5", "e2:rep");
    assertThat(r.orderViolations()).isZero();
    assertThat(r.repairedEarlier()).isEqualTo(1);
    assertThat(r.hasDifferences()).isFalse();
  }

  @Test
  void aDeadLetterMarkerHoldsItsPlace() {
    AuditReport.SessionResult r = compare(false, 5, "e1", "e2:dl", "e3", "e4", "e5");
    assertThat(r.deadLettered()).containsExactly("e2");
    assertThat(r.missing()).isEmpty();
    assertThat(r.hasDifferences()).isFalse();
  }

  @Test
  void inATruncatedPartitionIdsBeforeTheFirstRetainedRecordExpireAndLaterGapsAreMissing() {
    AuditReport.SessionResult r = compare(true, 5, "e3", "e5");
    assertThat(r.expired()).containsExactly("e1", "e2");
    assertThat(r.missing()).containsExactly("e4");
    AuditReport.SessionResult none = compare(true, 5);
    assertThat(none.expired()).containsExactlyElementsOf(API);
    assertThat(none.hasDifferences()).isFalse();
  }

  @Test
  void anIntactPartitionNeverExpiresAnything() {
    AuditReport.SessionResult r = compare(false, 5, "e3", "e4", "e5");
    assertThat(r.expired()).isEmpty();
    assertThat(r.missing()).containsExactly("e1", "e2");
  }

  @Test
  void recordsTheApiDoesNotListAreUnknown() {
    AuditReport.SessionResult r = compare(false, 5, "e1", "e2", "e3", "e4", "e5", "zz");
    assertThat(r.unknown()).isEqualTo(1);
    assertThat(r.hasDifferences()).isFalse();
  }
}

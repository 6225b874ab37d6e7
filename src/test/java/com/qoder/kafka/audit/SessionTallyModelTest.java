package com.qoder.kafka.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The comparison against a model: a partition built from the API's history by dropping some
 * events, copying some again later and appending the dropped ones as repairs. The tally must name
 * exactly the dropped ids as missing (before the repair) and the copied ids as duplicates, and see
 * no order violation in either case.
 */
class SessionTallyModelTest {

  @Property(tries = 200, seed = "20261216")
  void namesExactlyTheDroppedAndCopiedIds(@ForAll @IntRange(min = 0, max = 60) int events,
      @ForAll @Size(max = 60) List<@IntRange(min = 0, max = 3) Integer> fate) {
    List<String> api = new ArrayList<>();
    for (int i = 0; i < events; i++) {
      api.add("evt_" + Integer.toHexString(i * 7919)); // ids are not ordered: never compared by value
    }
    List<String> dropped = new ArrayList<>();
    Set<String> copied = new LinkedHashSet<>();
    List<String> partition = new ArrayList<>();
    List<String> later = new ArrayList<>();
    for (int i = 0; i < events; i++) {
      int f = i < fate.size() ? fate.get(i) : 0;
      if (f == 1) {
        dropped.add(api.get(i));
        continue;
      }
      partition.add(api.get(i));
      if (f == 2) {
        later.add(api.get(i)); // produced again after everything (a retry after a crash)
        copied.add(api.get(i));
      }
    }
    partition.addAll(later);

    AuditReport.SessionResult before = tally(api, partition, List.of());
    assertThat(before.missing()).containsExactlyElementsOf(dropped);
    assertThat(before.duplicates()).containsExactlyInAnyOrderElementsOf(copied);
    assertThat(before.orderViolations()).isZero();
    assertThat(before.kafkaRecords()).isEqualTo(partition.size());

    AuditReport.SessionResult repaired = tally(api, partition, dropped);
    assertThat(repaired.missing()).isEmpty();
    assertThat(repaired.repairedEarlier()).isEqualTo(dropped.size());
    assertThat(repaired.orderViolations()).isZero();
  }

  private static AuditReport.SessionResult tally(List<String> api, List<String> partition, List<String> repairs) {
    SessionTally t = new SessionTally(false);
    long offset = 0;
    for (String id : partition) {
      t.kafkaRecord(id, offset++, false, false);
    }
    for (String id : repairs) {
      t.kafkaRecord(id, offset++, false, true);
    }
    api.forEach(id -> t.apiEvent(id, true));
    return t.result("sess_model", 0, false);
  }
}

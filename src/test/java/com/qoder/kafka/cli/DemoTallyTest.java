package com.qoder.kafka.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DemoTallyTest {

  private static Map<String, List<String>> created() {
    Map<String, List<String>> m = new LinkedHashMap<>();
    m.put("sess_a", List.of("evt_1", "evt_2", "evt_3"));
    m.put("sess_b", List.of("evt_4", "evt_5"));
    return m;
  }

  @Test
  void everyEventOnceIsOk() {
    DemoTally t = DemoTally.of(created(), List.of("evt_5", "evt_1", "evt_2", "evt_3", "evt_4"));
    assertThat(t).isEqualTo(new DemoTally(5, 2, 5, 5, 0, 0, 0, 0, List.of()));
    assertThat(t.complete()).isTrue();
    assertThat(t.lines("topic")).containsExactly(
        "the simulator created 5 events in 2 sessions; a consumer read 5 records from topic: 5 distinct events,"
            + " 0 duplicate records.",
        "OK: every created event is in Kafka exactly once.");
  }

  @Test
  void missingDuplicatedAndUnexpectedAreEachCounted() {
    DemoTally t = DemoTally.of(created(), Arrays.asList("evt_1", "evt_1", "evt_1", "evt_3", "evt_9", null, "evt_4"));
    assertThat(t.read()).isEqualTo(7);
    assertThat(t.distinct()).isEqualTo(3);
    assertThat(t.duplicates()).isEqualTo(2);
    assertThat(t.unexpected()).isEqualTo(2);
    assertThat(t.missing()).isEqualTo(2);
    assertThat(t.missingSessions()).isEqualTo(2);
    assertThat(t.missingExamples()).containsExactly("sess_a/evt_2", "sess_b/evt_5");
    assertThat(t.complete()).isFalse();
    assertThat(t.lines("topic")).last().asString()
        .isEqualTo("MISSING: 2 of 5 created events (in 2 sessions) are not in topic, e.g. sess_a/evt_2, sess_b/evt_5.");
    assertThat(t.lines("topic").get(0)).contains("2 duplicate records", "2 records of events the simulator did not create");
  }

  @Test
  void duplicatesWithoutLossAreReportedAsAtLeastOnce() {
    DemoTally t = DemoTally.of(created(), List.of("evt_1", "evt_2", "evt_3", "evt_4", "evt_5", "evt_5"));
    assertThat(t.complete()).isTrue();
    assertThat(t.lines("t").get(1)).isEqualTo("OK: every created event is in Kafka; 1 duplicate record(s)"
        + " (at-least-once delivery).");
  }
}

package com.qoder.kafka.offsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OffsetKeyTest {

  @Test
  void aSignalsProgressLivesInThePartitionOfItsTarget() {
    String session = "sess_0123456789abcdef0123456789abcdef";
    OffsetKey k = OffsetKey.signal(session, "sig-1");
    assertThat(k.asString()).isEqualTo("signal/" + session + "/sig-1");
    assertThat(OffsetKey.parse(k.asString())).isEqualTo(k);
    assertThat(k.sessionId()).as("not a per-session position").isNull();
    for (int partitions : new int[] {1, 6, 12, 50}) {
      assertThat(OffsetStore.partitionFor(k, partitions))
          .isEqualTo(OffsetStore.partitionForSession(session, partitions))
          .isEqualTo(OffsetStore.partitionFor(OffsetKey.events(session), partitions));
      assertThat(OffsetStore.partitionFor(OffsetKey.signal("files/all", "sig-2"), partitions))
          .as("resync-files: the files position's partition")
          .isEqualTo(OffsetStore.partitionFor(OffsetKey.files("all"), partitions));
    }
    assertThatThrownBy(() -> OffsetKey.signal(session, "a/b")).hasMessageContaining("without '/'");
  }

  @Test
  void otherKeysKeepTheirPartitions() {
    assertThat(OffsetKey.files("all").partitionKey()).isEqualTo("files/all");
    assertThat(OffsetKey.resources("sess_1").partitionKey()).isEqualTo("sess_1");
    assertThat(OffsetKey.sessions("org").partitionKey()).isEqualTo("sessions/org");
  }
}

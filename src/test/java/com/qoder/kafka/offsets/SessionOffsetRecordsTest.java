package com.qoder.kafka.offsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.qoder.kafka.source.SessionState;
import com.qoder.kafka.source.SessionStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SessionOffsetRecordsTest {

  @Test
  void aSessionsProgressSurvivesTheOffsetRecord() {
    SessionState.Snapshot s = new SessionState.Snapshot("sess_1", "evt_9", List.of("evt_8", "evt_9"), "AAAAAAAAAAE=",
        SessionStatus.RELEASED, 9, 1, 2, 1_779_069_713_409_000_123L, 42, 1_000);
    OffsetRecord r = SessionOffsetRecords.toRecord(s);
    assertThat(r.key()).isEqualTo(OffsetKey.events("sess_1"));
    assertThat(r.state()).isEqualTo("RELEASED");
    assertThat(SessionOffsetRecords.toSnapshot(r)).isEqualTo(s);
  }

  @Test
  void thePositionSurvivesTheOffsetRecordAndAResetClearsIt() {
    SessionState.Snapshot s = new SessionState.Snapshot("sess_1", "evt_9", List.of("evt_9"), "AAAAAAAAAAE=",
        SessionStatus.ACTIVE, 9, 0, 0, 1_779_069_713_409_000_123L, 42, 1_000, 1_779_069_713_409_000_000L, 3);
    OffsetRecord r = SessionOffsetRecords.toRecord(s);
    assertThat(SessionOffsetRecords.toSnapshot(r)).isEqualTo(s);
    // offsets reset: every event after the cursor is produced again, so no position either.
    SessionState.Snapshot reset = SessionOffsetRecords.toSnapshot(
        SessionOffsetRecords.reset(r.key(), r, "evt_2", Instant.EPOCH));
    assertThat(reset.positionNanos()).isZero();
    assertThat(reset.tiesAtPosition()).isZero();
    assertThat(reset.window()).isEmpty();
    assertThat(reset.newestCreatedAtNanos()).as("the lag timestamp never goes back").isEqualTo(s.newestCreatedAtNanos());
    // A record of an earlier release has no position: the newest delivered event's time is one.
    Map<String, String> old = new java.util.HashMap<>(r.attributes());
    old.remove(SessionOffsetRecords.POSITION_NS);
    old.remove(SessionOffsetRecords.POSITION_TIES);
    OffsetRecord earlier = new OffsetRecord(r.key(), r.cursor(), r.recentIds(), r.state(), r.counters(), r.updatedAt(), old);
    assertThat(SessionOffsetRecords.toSnapshot(earlier).positionNanos()).isEqualTo(s.newestCreatedAtNanos());
  }

  @Test
  void thePauseMarkIsStoredAndARecordOfAnEarlierReleaseIsNotPaused() {
    // Written by a release before live signals: no "paused" attribute.
    String old = "{\"v\":1,\"cursor\":\"evt_9\",\"recent_ids\":[\"evt_9\"],\"state\":\"ACTIVE\","
        + "\"counters\":{\"delivered\":9,\"dead_lettered\":0,\"duplicates_skipped\":0},"
        + "\"updated_at\":\"2025-06-01T12:00:00Z\",\"attributes\":{\"window\":\"\",\"position_ns\":\"5\"}}";
    OffsetRecord stored = OffsetCodec.decode(OffsetKey.events("sess_1"),
        old.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(SessionOffsetRecords.isPaused(stored)).isFalse();
    SessionState.Snapshot before = SessionOffsetRecords.toSnapshot(stored);

    OffsetRecord paused = SessionOffsetRecords.withPaused(stored, true);
    OffsetRecord reread = OffsetCodec.decode(paused.key(),
        OffsetCodec.encode(paused));
    assertThat(SessionOffsetRecords.isPaused(reread)).isTrue();
    assertThat(SessionOffsetRecords.toSnapshot(reread)).as("the progress is the same, paused or not").isEqualTo(before);
    assertThat(SessionOffsetRecords.isPaused(SessionOffsetRecords.withPaused(reread, false))).isFalse();
    // A page written after resume carries no mark: the session is no longer paused.
    assertThat(SessionOffsetRecords.isPaused(SessionOffsetRecords.toRecord(before))).isFalse();
  }

  @Test
  void anUnknownStateIsAnErrorNotAFreshSession() {
    OffsetRecord r = new OffsetRecord(OffsetKey.events("sess_1"), "evt_1", List.of(), "ASLEEP",
        OffsetRecord.Counters.ZERO, Instant.EPOCH, Map.of());
    assertThatThrownBy(() -> SessionOffsetRecords.toSnapshot(r)).hasMessageContaining("unknown state 'ASLEEP'")
        .hasMessageContaining("sess_1");
  }
}

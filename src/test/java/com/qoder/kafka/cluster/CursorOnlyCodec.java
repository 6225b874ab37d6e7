package com.qoder.kafka.cluster;

import com.qoder.kafka.kafka.OffsetKey;
import com.qoder.kafka.kafka.OffsetRecord;
import com.qoder.kafka.source.SessionState;
import com.qoder.kafka.source.SessionStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Keeps only a session's id and cursor: enough to see which progress was written and restored. */
final class CursorOnlyCodec implements SessionRecordCodec {

  static SessionState.Snapshot snapshot(String sessionId, String cursor) {
    return new SessionState.Snapshot(sessionId, cursor, List.of(), "", SessionStatus.ACTIVE, 0, 0, 0, 0, 0, 0);
  }

  static OffsetRecord record(String sessionId, String cursor) {
    return new OffsetRecord(OffsetKey.events(sessionId), cursor, List.of(), "ACTIVE", OffsetRecord.Counters.ZERO,
        Instant.EPOCH, Map.of());
  }

  @Override
  public OffsetRecord toRecord(SessionState.Snapshot snapshot) {
    return record(snapshot.sessionId(), snapshot.cursor());
  }

  @Override
  public SessionState.Snapshot toSnapshot(OffsetRecord record) {
    return snapshot(record.key().sessionId(), record.cursor());
  }
}

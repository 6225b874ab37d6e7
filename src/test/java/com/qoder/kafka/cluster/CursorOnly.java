package com.qoder.kafka.cluster;

import com.qoder.kafka.offsets.OffsetRecord;
import com.qoder.kafka.offsets.SessionOffsetRecords;
import com.qoder.kafka.source.SessionState;
import com.qoder.kafka.source.SessionStatus;
import java.util.List;

/**
 * A session's progress reduced to its id and cursor: enough to see which progress was written and
 * restored. Its record is the connector's own ({@link SessionOffsetRecords}).
 */
final class CursorOnly {

  private CursorOnly() {}

  static SessionState.Snapshot snapshot(String sessionId, String cursor) {
    return new SessionState.Snapshot(sessionId, cursor, List.of(), "", SessionStatus.ACTIVE, 0, 0, 0, 0, 0, 0);
  }

  static OffsetRecord record(String sessionId, String cursor) {
    return SessionOffsetRecords.toRecord(snapshot(sessionId, cursor));
  }
}

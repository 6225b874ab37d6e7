package com.qoder.kafka.cluster;

import com.qoder.kafka.kafka.OffsetRecord;
import com.qoder.kafka.source.SessionState;

/**
 * Converts a session's progress to and from its offset record (the runtime owns the format).
 */
public interface SessionRecordCodec {

  OffsetRecord toRecord(SessionState.Snapshot snapshot);

  /**
   * @throws IllegalArgumentException when the stored record cannot be read
   */
  SessionState.Snapshot toSnapshot(OffsetRecord record);
}

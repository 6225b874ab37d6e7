package com.qoder.kafka.runtime;

import com.qoder.kafka.kafka.OffsetKey;
import com.qoder.kafka.kafka.OffsetRecord;
import com.qoder.kafka.kafka.OffsetSource;
import com.qoder.kafka.source.ChangeSource;
import com.qoder.kafka.source.Checkpoint;
import java.time.Instant;
import java.util.List;

/**
 * A change source's position as an offset record under {@code <source>/<entity>}: its cursor and
 * counters in the record's own fields, its compact state (item window, watermarks) as attributes.
 */
final class CheckpointRecords {

  private CheckpointRecords() {}

  static OffsetKey key(ChangeSource source, String entity) {
    return new OffsetKey(OffsetSource.fromId(source.id()), entity);
  }

  static OffsetRecord toRecord(Checkpoint c) {
    return new OffsetRecord(key(c.source(), c.entity()), c.cursor(), List.of(), null,
        new OffsetRecord.Counters(c.delivered(), c.deadLettered(), 0), Instant.now(), c.attributes());
  }

  /** The checkpoint of a stored record of a change source. */
  static Checkpoint toCheckpoint(ChangeSource source, OffsetRecord r) {
    return new Checkpoint(source, r.key().entity(), r.cursor(), r.counters().delivered(),
        r.counters().deadLettered(), r.attributes());
  }
}

package com.qoder.kafka.offsets;

import com.qoder.kafka.source.ChangeSource;
import com.qoder.kafka.source.Checkpoint;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A change source's position as an offset record under {@code <source>/<entity>}: its cursor and
 * counters in the record's own fields, its compact state (item window, watermarks) as attributes.
 */
public final class CheckpointRecords {

  private CheckpointRecords() {}

  /** The key of {@code source}'s position of {@code entity}. */
  public static OffsetKey key(ChangeSource source, String entity) {
    return new OffsetKey(OffsetSource.fromId(source.id()), entity);
  }

  public static OffsetRecord toRecord(Checkpoint c) {
    return new OffsetRecord(key(c.source(), c.entity()), c.cursor(), List.of(), null,
        new OffsetRecord.Counters(c.delivered(), c.deadLettered(), 0), Instant.now(), c.attributes());
  }

  /** The checkpoint of a stored record of a change source. */
  public static Checkpoint toCheckpoint(ChangeSource source, OffsetRecord r) {
    return new Checkpoint(source, r.key().entity(), r.cursor(), r.counters().delivered(),
        r.counters().deadLettered(), r.attributes());
  }

  /** The checkpoints of {@code source} among {@code stored} (read back from the offsets topic). */
  public static List<Checkpoint> restored(Map<OffsetKey, OffsetRecord> stored, ChangeSource source) {
    OffsetSource kind = OffsetSource.fromId(source.id());
    List<Checkpoint> out = new ArrayList<>();
    stored.forEach((k, v) -> {
      if (k.source() == kind) {
        out.add(toCheckpoint(source, v));
      }
    });
    return out;
  }
}

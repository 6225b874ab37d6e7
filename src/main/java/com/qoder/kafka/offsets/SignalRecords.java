package com.qoder.kafka.offsets;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A live signal's progress as an offset record under {@code signal/<target>/<signal id>}: its state
 * ({@code STARTED}, {@code DONE}, {@code FAILED}) and cursor in the record's own fields, the count
 * it produced as the delivered counter, and its type, mode and detail as attributes. Stored in the
 * partition of the target (see {@link OffsetKey#partitionKey()}), so it moves with the target's
 * ownership.
 */
public final class SignalRecords {

  private SignalRecords() {}

  /**
   * The progress of signal {@code signalId} acting on {@code target} (a session id or an offset key).
   *
   * @param cursor where the signal stands (a resync's last produced event), or null
   * @param produced how many records the signal produced so far
   */
  public static OffsetRecord progress(String target, String signalId, String state, String cursor, long produced,
      Map<String, String> attributes) {
    return new OffsetRecord(OffsetKey.signal(target, signalId), cursor, List.of(), state,
        new OffsetRecord.Counters(produced, 0, 0), Instant.now(), attributes);
  }
}

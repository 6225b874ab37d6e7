package com.qoder.kafka.offsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.qoder.kafka.config.ConfigException;
import com.qoder.kafka.config.ConfigLoader;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.source.SessionState;
import com.qoder.kafka.source.SessionStatus;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, defect 8 [{@code sessions.dedup-window} accepts values whose offset record exceeds
 * 1 MiB]: a session's offset record must stay within 64 KiB, whatever the window.
 */
class DedupWindowLimitTest {

  private static final int RECORD_LIMIT = 64 * 1024;

  /** The offset record of a session with a full window of {@code ids} and long ids everywhere else. */
  private static int recordBytes(int ids) {
    String longId = "evt_" + "f".repeat(96); // far longer than any documented id
    List<String> recent = List.of(longId + 1, longId + 2, longId + 3, longId + 4);
    String window = Base64.getEncoder().encodeToString(new byte[ids * 8]);
    SessionState.Snapshot s = new SessionState.Snapshot("sess_" + "0".repeat(32), longId + 4, recent, window,
        SessionStatus.ACTIVE, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE,
        Long.MAX_VALUE / 1_000_000, Long.MAX_VALUE, ids);
    return OffsetCodec.encode(SessionOffsetRecords.toRecord(s)).length;
  }

  @Test
  void aWindowWhoseOffsetRecordWouldExceed64KiBIsRejectedAtStartUp() {
    int tooLarge = 100_000;
    int bytes = recordBytes(tooLarge);
    assertThat(bytes).isGreaterThan(1024 * 1024);
    Throwable refused = catchThrowable(() -> ConfigLoader.load(null,
        Map.of("SESSIONS_DEDUP_WINDOW", Integer.toString(tooLarge)), Map.of()));
    assertThat(refused).as("sessions.dedup-window=%d accepted although its offset record is %,d bytes", tooLarge, bytes)
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).anySatisfy(p -> assertThat(p)
            .contains("sessions.dedup-window = 100000").contains("64 KiB")
            .contains(Integer.toString(Settings.MAX_DEDUP_WINDOW))));
  }

  @Test
  void theLargestAcceptedWindowKeepsTheOffsetRecordWithin64KiB() {
    int max = Settings.MAX_DEDUP_WINDOW;
    assertThat(ConfigLoader.load(null, Map.of("SESSIONS_DEDUP_WINDOW", Integer.toString(max)), Map.of())
        .integer(Settings.DEDUP_WINDOW)).isEqualTo(max);
    assertThat(recordBytes(max)).isLessThanOrEqualTo(RECORD_LIMIT);
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("SESSIONS_DEDUP_WINDOW", Integer.toString(max + 1)),
        Map.of())).isInstanceOf(ConfigException.class);
  }
}

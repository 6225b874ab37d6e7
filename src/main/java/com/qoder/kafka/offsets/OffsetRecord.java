package com.qoder.kafka.offsets;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The latest delivered position of one entity (a session's events, a session's resources, the
 * files list, an organization's sessions list), stored as versioned JSON in the compacted offsets
 * topic under {@link OffsetKey#asString()}.
 *
 * <p>Only this package makes one (from a source's state: {@link SessionOffsetRecords},
 * {@link CheckpointRecords}, {@link SignalRecords}) and encodes it ({@code OffsetCodec});
 * {@code ArchitectureRulesTest} checks that no other package calls the constructor.
 *
 * @param key what this position is for
 * @param cursor the id (or timestamp) of the last item acknowledged by Kafka — the {@code after_id}
 *     of the next request; null before the first delivery
 * @param recentIds ids of the most recently delivered items, oldest first, newest last, for
 *     de-duplication; the writer bounds its length (it goes into every offset record)
 * @param state the source's lifecycle state of the entity (for sessions ACTIVE, IDLE, TERMINATED,
 *     GONE, RELEASED — owned by the source package, stored as text); null when it has none
 * @param counters running totals for this entity
 * @param updatedAt when this record was written
 * @param attributes source-specific extra positions (for example an opaque {@code next_page}
 *     token); small, string-valued
 */
public record OffsetRecord(
    OffsetKey key,
    String cursor,
    List<String> recentIds,
    String state,
    Counters counters,
    Instant updatedAt,
    Map<String, String> attributes) {

  /** Running totals, never decreasing. */
  public record Counters(long delivered, long deadLettered, long duplicatesSkipped) {
    public static final Counters ZERO = new Counters(0, 0, 0);

    public Counters {
      if (delivered < 0 || deadLettered < 0 || duplicatesSkipped < 0) {
        throw new IllegalArgumentException("counters must not be negative: " + delivered + ", " + deadLettered
            + ", " + duplicatesSkipped);
      }
    }
  }

  public OffsetRecord {
    Objects.requireNonNull(key, "key");
    recentIds = recentIds == null ? List.of() : List.copyOf(recentIds);
    counters = counters == null ? Counters.ZERO : counters;
    Objects.requireNonNull(updatedAt, "updatedAt");
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
  }
}

package com.qoder.kafka.source;

import java.time.Duration;
import reactor.core.publisher.Mono;

/** Persists a session's progress (to the compacted offsets topic); completes when acknowledged. */
public interface OffsetWriter {

  /** How long a backlog may be read without writing progress, for writers that allow it. */
  Duration COALESCE_WHILE_BEHIND = Duration.ofSeconds(1);

  Mono<Void> write(SessionState.Snapshot snapshot);

  /**
   * Whether the poller may skip writing the progress of a page read while the session is behind
   * ({@code has_more}): it then writes when caught up, when the status changes, when it stops, and
   * otherwise at most every {@link #COALESCE_WHILE_BEHIND}. One offset round trip less per page of
   * a backlog; a crash re-delivers at most that much (at-least-once). False by default: a writer
   * that puts each page's offset in the page's transaction (exactly-once) needs every write.
   */
  default boolean coalescesWhileBehind() {
    return false;
  }

  /** {@code writer}, allowing the poller to coalesce writes while a backlog is read (at-least-once only). */
  static OffsetWriter coalescing(OffsetWriter writer) {
    return new OffsetWriter() {
      @Override
      public Mono<Void> write(SessionState.Snapshot snapshot) {
        return writer.write(snapshot);
      }

      @Override
      public boolean coalescesWhileBehind() {
        return true;
      }
    };
  }
}

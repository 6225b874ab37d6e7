package com.qoder.kafka.source;

import reactor.core.publisher.Mono;

/** Persists a session's progress (to the compacted offsets topic); completes when acknowledged. */
public interface OffsetWriter {

  Mono<Void> write(SessionState.Snapshot snapshot);
}

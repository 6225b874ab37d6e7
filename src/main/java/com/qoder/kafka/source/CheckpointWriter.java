package com.qoder.kafka.source;

import reactor.core.publisher.Mono;

/** Persists a change source's position (to the compacted offsets topic); completes when acknowledged. */
public interface CheckpointWriter {

  Mono<Void> write(Checkpoint checkpoint);
}

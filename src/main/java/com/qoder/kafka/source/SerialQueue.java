package com.qoder.kafka.source;

import java.util.function.Supplier;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Runs submitted jobs one after another, each to its end, in the order they were submitted: what
 * keeps the {@link LifecycleSource}'s records of a session in the order they were decided. Thread-safe.
 */
final class SerialQueue {

  private record Job(Supplier<Mono<Void>> work, Sinks.Empty<Void> done) {}

  private final String stoppedName;
  // Unsafe (not serialized by Reactor) so that a job may queue another one from its own stack
  // (re-entrant emission is queued by the unicast drain loop); concurrent callers are serialized
  // by synchronizing on the sink in submit().
  private final Sinks.Many<Job> jobs = Sinks.unsafe().many().unicast().onBackpressureBuffer();
  private final Sinks.Empty<Void> drained = Sinks.empty();

  /** @param stoppedName what the error of a job submitted after {@link #close()} calls the owner */
  SerialQueue(String stoppedName) {
    this.stoppedName = stoppedName;
    jobs.asFlux()
        .concatMap(job -> Mono.defer(job.work())
            .doOnSuccess(v -> job.done().tryEmitEmpty())
            .doOnError(e -> job.done().tryEmitError(e))
            .onErrorResume(e -> Mono.empty()))
        .doFinally(s -> drained.tryEmitEmpty())
        .subscribe();
  }

  /** Queues {@code work}; completes (or fails) when it has run. */
  Mono<Void> submit(Supplier<Mono<Void>> work) {
    Sinks.Empty<Void> done = Sinks.empty();
    Sinks.EmitResult r;
    synchronized (jobs) {
      r = jobs.tryEmitNext(new Job(work, done));
    }
    if (r.isFailure()) {
      return Mono.error(new IllegalStateException("the " + stoppedName + " is stopped (" + r + ")"));
    }
    return done.asMono();
  }

  /** Takes no more jobs; completes when those queued have run. */
  Mono<Void> close() {
    synchronized (jobs) {
      jobs.tryEmitComplete();
    }
    return drained.asMono();
  }
}

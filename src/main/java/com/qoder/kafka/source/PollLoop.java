package com.qoder.kafka.source;

import com.qoder.kafka.api.QoderApiException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Runs a change source's round — poll, diff, publish, wait for the acknowledgement, write the
 * offset — at once and then {@code interval} after the end of each round, never two rounds at a
 * time. A round that fails is logged and the next one runs after the interval (the source kept its
 * state, so the next round observes the same changes again); an authentication failure or a
 * {@link FatalPipelineException} stops the loop and is reported to {@code onFatal}.
 *
 * <p>A chain of timers, never a thread. Thread-safe: {@link #wakeUp()} and {@link #stop()} may be
 * called from any thread.
 */
final class PollLoop {

  private static final Logger log = LoggerFactory.getLogger(PollLoop.class);

  private enum Phase { NEW, RUNNING, STOPPING }

  private final String name;
  private final Duration interval;
  private final Supplier<Duration> pauseLength;
  private final Supplier<Mono<?>> round;
  private final Consumer<Throwable> onFatal;
  private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.NEW);
  private final AtomicReference<Sinks.Empty<Void>> wake = new AtomicReference<>(Sinks.empty());
  private final Sinks.Empty<Void> done = Sinks.empty();
  private final AtomicLong rounds = new AtomicLong();
  /** Completes when the round in progress ends; a completed sink between rounds. */
  private final AtomicReference<Sinks.Empty<Void>> inProgress = new AtomicReference<>(completed());

  PollLoop(String name, Duration interval, Supplier<Mono<?>> round, Consumer<Throwable> onFatal) {
    this(name, interval, () -> interval, round, onFatal);
  }

  /**
   * As the other constructor, with the pause after each round given by {@code pauseLength} (read
   * when a round has ended) instead of always {@code interval}: a source that runs small extra
   * rounds on {@link #wakeUp()} keeps its full rounds on their own schedule.
   */
  PollLoop(String name, Duration interval, Supplier<Duration> pauseLength, Supplier<Mono<?>> round,
      Consumer<Throwable> onFatal) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException(name + ": the poll interval must be positive, was " + interval);
    }
    this.name = name;
    this.interval = interval;
    this.pauseLength = pauseLength;
    this.round = round;
    this.onFatal = onFatal;
  }

  void start() {
    if (!phase.compareAndSet(Phase.NEW, Phase.RUNNING)) {
      throw new IllegalStateException(name + " was already started");
    }
    Mono.defer(this::oneRound)
        .then(Mono.defer(this::pause))
        .repeat(() -> phase.get() == Phase.RUNNING)
        .doFinally(s -> done.tryEmitEmpty())
        .subscribe(v -> { }, e -> log.error("{}: loop ended unexpectedly", name, e));
  }

  private static Sinks.Empty<Void> completed() {
    Sinks.Empty<Void> s = Sinks.empty();
    s.tryEmitEmpty();
    return s;
  }

  private Mono<Void> oneRound() {
    Sinks.Empty<Void> running = Sinks.empty();
    inProgress.set(running);
    return Mono.defer(round)
        .then()
        .onErrorResume(e -> {
          if (e instanceof FatalPipelineException || e instanceof QoderApiException.Authentication) {
            phase.set(Phase.STOPPING);
            onFatal.accept(e instanceof FatalPipelineException ? e : new FatalPipelineException(e.getMessage(), e));
          } else {
            log.warn("{}: round failed, retried in {}: {}", name, interval, e.toString());
          }
          return Mono.empty();
        })
        .doFinally(s -> {
          rounds.incrementAndGet();
          running.tryEmitEmpty();
        });
  }

  /** Completes when the round in progress, if any, has ended (at once between rounds). */
  Mono<Void> idle() {
    return inProgress.get().asMono();
  }

  private Mono<Void> pause() {
    if (phase.get() != Phase.RUNNING) {
      return Mono.empty();
    }
    Sinks.Empty<Void> w = wake.get();
    // A wake-up is consumed (replaced by a fresh sink) before the next round can start: the next
    // round may begin synchronously inside the completion signal.
    Mono<Void> woken = w.asMono().doOnSuccess(v -> wake.compareAndSet(w, Sinks.empty()));
    Duration pause = pauseLength.get();
    return Mono.delay(pause.isNegative() ? Duration.ZERO : pause).then().or(woken);
  }

  /** Starts the next round now (or right after the one in progress). */
  void wakeUp() {
    wake.get().tryEmitEmpty();
  }

  /** Rounds finished so far (succeeded or failed). */
  long rounds() {
    return rounds.get();
  }

  /** Stops after the round in progress; completes when it finished. */
  Mono<Void> stop() {
    Phase before = phase.getAndSet(Phase.STOPPING);
    if (before == Phase.NEW) {
      return Mono.empty();
    }
    wakeUp();
    return done.asMono();
  }

  @Override
  public String toString() {
    return "PollLoop[" + name + ", every " + interval + ", " + phase.get() + "]";
  }
}

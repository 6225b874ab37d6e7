package com.qoder.kafka.signal;

import com.qoder.kafka.kafka.OutboundRecord;
import com.qoder.kafka.offsets.OffsetRecord;
import com.qoder.kafka.offsets.SignalRecords;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * How a signal acts: one step at a time, each step its work, its progress record (in the offsets
 * topic, in the partition of its target) and its answers (on the notifications topic) written
 * together — one transaction in exactly-once mode. Used by {@link Signals}, {@link SignalActions}
 * and {@link Resync} on the job thread.
 */
final class SignalSteps {

  // Logged under Signals, the name operators know for the signals' work.
  private static final Logger log = LoggerFactory.getLogger(Signals.class);
  private static final int STEP_ATTEMPTS = 5;
  private static final Duration STEP_TIMEOUT = Duration.ofMinutes(2);

  private final SignalOptions options;
  private final SignalHost host;
  private final BooleanSupplier closing;
  private final BiConsumer<OffsetRecord, List<Notification>> committed;

  /** {@code committed} learns of every step written, after it was written. */
  SignalSteps(SignalOptions options, SignalHost host, BooleanSupplier closing,
      BiConsumer<OffsetRecord, List<Notification>> committed) {
    this.options = options;
    this.host = host;
    this.closing = closing;
    this.committed = committed;
  }

  SignalOptions options() {
    return options;
  }

  SignalHost host() {
    return host;
  }

  /** The partition key of what {@code s} acts on: its session, or the files position's key. */
  String target(Signal s) {
    if (s.session() != null) {
      return s.session();
    }
    String files = host.filesTarget();
    return files != null ? files : Signal.FILES_TARGET;
  }

  /**
   * One step of a signal: {@code work}, its progress record and its answers, together (one
   * transaction, exactly-once). Retried when the transaction was aborted while this instance still
   * owns the target; {@link Stopped} when it no longer does.
   */
  void step(Signal s, Supplier<Mono<?>> work, OffsetRecord progressRecord, List<Notification> answers) {
    step(target(s), work, progressRecord, answers);
  }

  void step(String target, Supplier<Mono<?>> work, OffsetRecord progressRecord, List<Notification> answers) {
    RuntimeException last = null;
    for (int attempt = 1; attempt <= STEP_ATTEMPTS; attempt++) {
      if (!host.owns(target)) {
        throw new Stopped("this instance no longer owns " + target);
      }
      try {
        block(host.inTransaction(target, () -> Mono.defer(work)
            .then(host.send(host.offsetRecord(progressRecord)).then())
            .then(Mono.defer(() -> sendAnswers(answers)))), "a signal step for " + target);
        committed.accept(progressRecord, answers);
        return;
      } catch (RuntimeException e) {
        if (!host.owns(target) || closing.getAsBoolean()) {
          throw new Stopped("this instance gave up " + target + " (" + e.getMessage() + ")");
        }
        last = e;
        log.info("signal step for {} not written (attempt {} of {}): {}", target, attempt, STEP_ATTEMPTS,
            e.toString());
      }
    }
    throw last;
  }

  /** Answers {@code failed} with {@code reason} and stores the signal as failed. */
  void fail(Signal s, String reason, OffsetRecord last) {
    long produced = last == null ? 0 : last.counters().delivered();
    step(s, Mono::empty, progressRecord(s, "FAILED", last == null ? null : last.cursor(), produced,
        Map.of("detail", reason)), List.of(answer(s, Notification.Status.FAILED, reason, produced)));
  }

  OffsetRecord progressRecord(Signal s, String state, String cursor, long produced, Map<String, String> attributes) {
    Map<String, String> a = new LinkedHashMap<>(attributes);
    a.put("type", s.type().id());
    if (s.mode() != null) {
      a.put("mode", s.mode().id());
    }
    return SignalRecords.progress(target(s), s.id(), state, cursor, produced, a);
  }

  Notification answer(Signal s, Notification.Status status, String detail, long produced) {
    return new Notification(s.id(), s.type().id(), target(s), status, detail, produced, options.instanceId(),
        Instant.now());
  }

  private Mono<Void> sendAnswers(List<Notification> answers) {
    Mono<Void> m = Mono.empty();
    for (Notification n : answers) {
      m = m.then(Mono.defer(() -> host.send(OutboundRecord.of(options.notificationsTopic(), n.signal(), n.toJson(),
          List.of(), null)).then()));
    }
    return m;
  }

  /** Blocks the job thread for {@code m}, at most two minutes; {@code what} names it in the error. */
  static <T> T block(Mono<T> m, String what) {
    try {
      return m.block(STEP_TIMEOUT);
    } catch (IllegalStateException e) {
      if (e.getMessage() != null && e.getMessage().startsWith("Timeout on blocking")) {
        throw new IllegalStateException(what + " did not finish within " + STEP_TIMEOUT);
      }
      throw e;
    }
  }

  /** The signal's target moved to another instance (or this one stops): the next owner resumes it. */
  static final class Stopped extends RuntimeException {
    Stopped(String message) {
      super(message, null, false, false);
    }
  }
}

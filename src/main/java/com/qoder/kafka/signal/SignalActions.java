package com.qoder.kafka.signal;

import static com.qoder.kafka.signal.SignalSteps.block;

import com.qoder.kafka.kafka.OutboundRecord;
import com.qoder.kafka.offsets.OffsetRecord;
import com.qoder.kafka.offsets.SessionOffsetRecords;
import com.qoder.kafka.offsets.SignalRecords;
import com.qoder.kafka.source.SessionState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The signals that act in one step, on the job thread: {@code pause}, {@code resume},
 * {@code resync-files}, and the {@code failed} answer to a signal record that cannot be read.
 * ({@code resync} walks the history in many steps: {@link Resync}.)
 */
final class SignalActions {

  // Logged under Signals, the name operators know for the signals' work.
  private static final Logger log = LoggerFactory.getLogger(Signals.class);
  /** The hold a pause puts on a session's poller, kept across restarts by the stored pause mark. */
  static final String PAUSE_HOLD = "pause";

  private final SignalSteps steps;
  private final SignalHost host;
  private final SignalOptions options;
  /** Set by the runtime: whether the session table holds the session for a pause. */
  private volatile Predicate<String> pausedCheck = id -> true;

  SignalActions(SignalSteps steps) {
    this.steps = steps;
    this.host = steps.host();
    this.options = steps.options();
  }

  void pausedCheck(Predicate<String> check) {
    this.pausedCheck = check;
  }

  void pause(Signal s) {
    block(host.hold(s.session(), PAUSE_HOLD, options.holdTimeout()), "stopping the poller of " + s.session());
    var snapshot = host.snapshot(s.session());
    if (snapshot == null) {
      host.unhold(s.session(), PAUSE_HOLD);
      steps.fail(s, "session " + s.session() + " has no progress on this connector yet (not discovered, or not"
          + " configured); nothing to pause", null);
      return;
    }
    try {
      steps.step(s, () -> host.send(sessionRecord(snapshot, true)), steps.progressRecord(s, "DONE", null, 0,
          Map.of("detail", "paused")), List.of(steps.answer(s, Notification.Status.ACCEPTED, "", 0),
          steps.answer(s, Notification.Status.STARTED, "the session's poller stopped", 0),
          steps.answer(s, Notification.Status.DONE, "paused; the pause is stored with the session's offsets", 0)));
    } catch (RuntimeException e) {
      host.unhold(s.session(), PAUSE_HOLD);
      throw e;
    }
  }

  void resume(Signal s) {
    var snapshot = host.snapshot(s.session());
    boolean held = snapshot != null && pausedCheck.test(s.session());
    steps.step(s, () -> held ? host.send(sessionRecord(snapshot, false)) : Mono.empty(),
        steps.progressRecord(s, "DONE", null, 0, Map.of("detail", held ? "resumed" : "was not paused")),
        List.of(steps.answer(s, Notification.Status.ACCEPTED, "", 0),
            steps.answer(s, Notification.Status.STARTED, "", 0),
            steps.answer(s, Notification.Status.DONE, held ? "resumed; polling again" : "the session was not paused",
                0)));
    host.unhold(s.session(), PAUSE_HOLD);
  }

  void resyncFiles(Signal s) {
    String detail = block(host.resyncFiles(), "starting a full scan of the files list");
    steps.step(s, Mono::empty, steps.progressRecord(s, "DONE", null, 0, Map.of("detail", detail)),
        List.of(steps.answer(s, Notification.Status.ACCEPTED, "", 0),
            steps.answer(s, Notification.Status.STARTED, "", 0),
            steps.answer(s, Notification.Status.DONE, detail, 0)));
  }

  /** The offsets-topic record of the session's progress, with or without the pause mark. */
  private OutboundRecord sessionRecord(SessionState.Snapshot snapshot, boolean paused) {
    return host.offsetRecord(SessionOffsetRecords.withPaused(SessionOffsetRecords.toRecord(snapshot), paused));
  }

  void answerUnreadable(String id, String reason) {
    OffsetRecord p = SignalRecords.progress(id, id, "FAILED", null, 0, Map.of("detail", reason));
    Notification n = new Notification(id, null, null, Notification.Status.FAILED, "unreadable signal: " + reason, 0,
        options.instanceId(), Instant.now());
    try {
      steps.step(id, Mono::empty, p, List.of(n));
    } catch (RuntimeException e) {
      log.warn("signal {}: could not answer that it is unreadable: {}", id, e.toString());
    }
  }
}

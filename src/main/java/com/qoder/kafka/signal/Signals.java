package com.qoder.kafka.signal;

import com.qoder.kafka.cluster.PartitionListener;
import com.qoder.kafka.offsets.OffsetKey;
import com.qoder.kafka.offsets.OffsetRecord;
import com.qoder.kafka.offsets.OffsetSource;
import com.qoder.kafka.offsets.SessionOffsetRecords;
import com.qoder.kafka.signal.SignalSteps.Stopped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Live signals on one instance (like Debezium's signal topic): every instance reads the whole signals
 * topic; the instance that owns a signal's target (the offsets partition of its session, as for
 * polling) acts on it.
 *
 * <h2>Acting once</h2>
 * A signal's progress is an offset record {@code signal/<target>/<id>} in the offsets topic, in the
 * partition of its target, so it moves with the session's ownership: a new owner reads it with the
 * partition ({@link #assigned}) and resumes where the previous owner's last committed step stood. In
 * exactly-once mode every step — the records a resync produces, the step's progress record and its
 * answers on the notifications topic — is one transaction of the instance's producer, fenced like the
 * pages ({@link SignalHost#inTransaction}); so a signal acts exactly once and a {@code read_committed}
 * reader sees one {@code done}. (At-least-once: a step interrupted by a crash may be done again.)
 *
 * <h2>Order</h2>
 * Signals are keyed by target, so those of one session arrive in order; for each target only the
 * oldest unfinished signal runs, one at a time. A signal whose stored progress is {@code done} or
 * {@code failed} is not run again.
 *
 * <p>Threads: one reader thread polls the signals topic and dispatches; one job thread runs the
 * signals' work, blocking on the API and on transactions (never a Reactor or Netty thread). The
 * partition callbacks run on the cluster member's thread.
 *
 * <p>Here: ownership, the signals pending and running, and which runs next. Beside it:
 * {@link SignalReader} (the reading loop), {@link SignalSteps} (a step and its answers, written
 * together), {@link SignalActions} and {@link Resync} (what each type of signal does).
 */
public final class Signals implements PartitionListener, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Signals.class);
  /** Header naming the signal on every record a resync produces. */
  public static final String SIGNAL_HEADER = "qoder_signal";
  /** Header naming the resync mode ({@code missing} or {@code republish}). */
  public static final String MODE_HEADER = "qoder_signal_mode";
  private static final int RECENT = 50;
  /** A signal whose run ended unfinished here is not started again before this. */
  private static final Duration RETRY_AFTER = Duration.ofSeconds(5);

  private final SignalOptions options;
  private final SignalHost host;
  private final SignalReader reader;
  private final SignalSteps steps;
  private final SignalActions actions;
  private final ExecutorService jobs;
  private final AtomicBoolean closing = new AtomicBoolean();

  // Guarded by this.
  private final LinkedHashMap<String, Signal> pending = new LinkedHashMap<>();
  /** Signal records that could not be read: id → reason (answered {@code failed} by the id's owner). */
  private final LinkedHashMap<String, String> unreadable = new LinkedHashMap<>();
  private final Map<String, OffsetRecord> progress = new HashMap<>();
  private final Set<Integer> partitions = new HashSet<>();
  private final Map<String, Job> running = new HashMap<>();
  private final LinkedHashMap<String, String> recent = new LinkedHashMap<>();
  /** Signals whose last run ended unfinished on this instance: not started again before this (nanoTime). */
  private final Map<String, Long> notBefore = new HashMap<>();

  private Signals(SignalOptions options, SignalHost host) {
    this.options = options;
    this.host = host;
    this.reader = new SignalReader(options, closing::get, this::accept, this::dispatch);
    this.steps = new SignalSteps(options, host, closing::get, this::committed);
    this.actions = new SignalActions(steps);
    this.jobs = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "qoder-kafka-signal-job-" + options.instanceId());
      t.setDaemon(true);
      return t;
    });
  }

  /** Signals for this instance; {@link #start} begins reading. Register it as a partition listener first. */
  public static Signals create(SignalOptions options, SignalHost host) {
    return new Signals(options, host);
  }

  public void start() {
    reader.start();
  }

  // ---- partitions (member thread) ---------------------------------------------------------------

  @Override
  public void assigned(Set<Integer> added, Map<OffsetKey, OffsetRecord> stored) {
    List<String> paused = new ArrayList<>();
    synchronized (this) {
      partitions.addAll(added);
      for (OffsetRecord r : stored.values()) {
        if (r.key().source() == OffsetSource.SIGNAL) {
          String id = signalIdOf(r.key());
          progress.put(id, r);
          remember(id, r.state() + " " + r.attributes().getOrDefault("detail", ""));
        } else if (r.key().source() == OffsetSource.EVENTS && SessionOffsetRecords.isPaused(r)) {
          paused.add(r.key().sessionId());
        }
      }
    }
    // Before the member tracks the restored sessions: a paused session is never started.
    for (String id : paused) {
      host.hold(id, SignalActions.PAUSE_HOLD, options.holdTimeout()).subscribe(v -> { }, e -> { });
    }
    if (!paused.isEmpty()) {
      log.info("{} session(s) of partitions {} stay paused (pause signal stored with their offsets)", paused.size(),
          added);
    }
  }

  @Override
  public Mono<Void> revoking(Set<Integer> removed) {
    List<CompletableFuture<Void>> stopping = new ArrayList<>();
    synchronized (this) {
      partitions.removeAll(removed);
      progress.values().removeIf(r -> removed.contains(host.partitionOf(r.key().partitionKey())));
      for (Job j : running.values()) {
        if (removed.contains(host.partitionOf(j.target))) {
          j.cancelled.set(true);
          stopping.add(j.done);
        }
      }
    }
    return Mono.fromFuture(CompletableFuture.allOf(stopping.toArray(CompletableFuture[]::new)))
        .onErrorResume(e -> Mono.empty())
        // The next owner decides from the stored offsets whether they are paused.
        .then(Mono.fromRunnable(() -> host.dropHolds(removed)));
  }

  // ---- dispatching (reader thread) --------------------------------------------------------------

  private synchronized void accept(byte[] value) {
    try {
      Signal s = Signal.fromJson(value);
      pending.putIfAbsent(s.id(), s);
    } catch (IllegalArgumentException e) {
      String id = Signal.idOf(value);
      if (id == null) {
        log.warn("a signal record without a readable id was ignored: {}", e.getMessage());
      } else {
        unreadable.putIfAbsent(id, e.getMessage());
      }
    }
  }

  private synchronized void dispatch() {
    if (closing.get()) {
      return;
    }
    Set<String> seenTargets = new HashSet<>();
    for (var it = pending.values().iterator(); it.hasNext(); ) {
      Signal s = it.next();
      String target = steps.target(s);
      if (!seenTargets.add(target)) {
        continue; // an older signal of the same target comes first
      }
      if (!knownHere(target)) {
        continue;
      }
      OffsetRecord p = progress.get(s.id());
      if (p != null && finished(p)) {
        it.remove();
        seenTargets.remove(target);
        continue;
      }
      Long wait = notBefore.get(s.id());
      if (wait != null && System.nanoTime() - wait < 0) {
        continue; // its last run here ended unfinished: not again at once
      }
      if (!running.containsKey(target)) {
        Job j = new Job(s, p, target);
        running.put(target, j);
        jobs.execute(() -> runJob(j));
      }
    }
    for (var it = unreadable.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      String id = e.getKey();
      if (!knownHere(id) || running.containsKey(id)) {
        continue;
      }
      OffsetRecord p = progress.get(id);
      it.remove();
      if (p == null) {
        String reason = e.getValue();
        Job j = new Job(null, null, id);
        running.put(id, j);
        jobs.execute(() -> {
          try {
            actions.answerUnreadable(id, reason);
          } finally {
            finishJob(id, j);
          }
        });
      }
    }
  }

  /** This instance owns {@code target} and has read the stored progress of its partition. */
  private boolean knownHere(String target) {
    return partitions.contains(host.partitionOf(target)) && host.owns(target);
  }

  private static boolean finished(OffsetRecord p) {
    return "DONE".equals(p.state()) || "FAILED".equals(p.state());
  }

  // ---- jobs (job thread) ------------------------------------------------------------------------

  private static final class Job {
    final Signal signal;
    final OffsetRecord stored;
    final String target;
    final AtomicBoolean cancelled = new AtomicBoolean();
    final CompletableFuture<Void> done = new CompletableFuture<>();

    Job(Signal signal, OffsetRecord stored, String target) {
      this.signal = signal;
      this.stored = stored;
      this.target = target;
    }
  }

  private void runJob(Job j) {
    Signal s = j.signal;
    try {
      switch (s.type()) {
        case PAUSE -> actions.pause(s);
        case RESUME -> actions.resume(s);
        case RESYNC -> new Resync(steps, j.signal, j.stored, j.cancelled::get).run();
        case RESYNC_FILES -> actions.resyncFiles(s);
        default -> throw new IllegalStateException("unhandled signal type " + s.type());
      }
    } catch (Stopped e) {
      log.info("signal {} ({} {}) handed over: {}", s.id(), s.type().id(), steps.target(s), e.getMessage());
    } catch (RuntimeException e) {
      log.warn("signal {} ({} {}) failed: {}", s.id(), s.type().id(), steps.target(s), e.toString());
      try {
        steps.fail(s, e.getMessage() == null ? e.toString() : e.getMessage(), null);
      } catch (RuntimeException again) {
        log.warn("signal {}: the failure could not be answered ({}); it is tried again", s.id(), again.toString());
      }
    } finally {
      finishJob(j.target, j);
    }
  }

  private void finishJob(String target, Job j) {
    synchronized (this) {
      running.remove(target, j);
      if (j.signal != null) {
        OffsetRecord p = progress.get(j.signal.id());
        if (p == null || !finished(p)) {
          notBefore.put(j.signal.id(), System.nanoTime() + RETRY_AFTER.toNanos());
        } else {
          notBefore.remove(j.signal.id());
        }
      }
    }
    j.done.complete(null);
  }

  /** Tells the signals how to see whether a session is held by a pause (the session table). */
  public void pausedCheck(Predicate<String> check) {
    actions.pausedCheck(check);
  }

  /** A step of a signal was written: its progress is known here, and its last answer is shown. */
  private synchronized void committed(OffsetRecord progressRecord, List<Notification> answers) {
    String id = signalIdOf(progressRecord.key());
    progress.put(id, progressRecord);
    if (!answers.isEmpty()) {
      Notification n = answers.get(answers.size() - 1);
      remember(id, (n.type() == null ? "" : n.type() + " " + (n.target() == null ? "" : n.target() + " "))
          + n.status().id() + (n.produced() > 0 ? " (" + n.produced() + " produced)" : "")
          + (n.detail().isEmpty() ? "" : ": " + n.detail()));
    }
  }

  private void remember(String id, String line) {
    recent.remove(id);
    recent.put(id, line);
    while (recent.size() > RECENT) {
      recent.remove(recent.keySet().iterator().next());
    }
  }

  private static String signalIdOf(OffsetKey key) {
    String e = key.entity();
    return e.substring(e.lastIndexOf('/') + 1);
  }

  // ---- status -----------------------------------------------------------------------------------

  /** For the status page: the newest signals known here (acted on here, or stored with owned partitions). */
  public synchronized Map<String, Object> status() {
    Map<String, Object> m = new LinkedHashMap<>();
    List<String> ids = new ArrayList<>(recent.keySet());
    for (int i = ids.size() - 1; i >= 0 && m.size() < 20; i--) {
      m.put(ids.get(i), recent.get(ids.get(i)));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("signalsPending", pending.size());
    out.put("signalsRunning", new TreeSet<>(running.keySet()).stream().toList());
    out.put("signals", m);
    return out;
  }

  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    List<CompletableFuture<Void>> stopping = new ArrayList<>();
    synchronized (this) {
      for (Job j : running.values()) {
        j.cancelled.set(true);
        stopping.add(j.done);
      }
    }
    try {
      CompletableFuture.allOf(stopping.toArray(CompletableFuture[]::new))
          .get(options.holdTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      log.warn("signal jobs did not stop within {}: {}", options.holdTimeout(), e.toString());
    }
    jobs.shutdownNow();
    try {
      reader.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

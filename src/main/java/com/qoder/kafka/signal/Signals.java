package com.qoder.kafka.signal;

import com.qoder.kafka.cluster.PartitionListener;
import com.qoder.kafka.kafka.OffsetKey;
import com.qoder.kafka.kafka.OffsetRecord;
import com.qoder.kafka.kafka.OffsetSource;
import com.qoder.kafka.kafka.OutboundRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
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
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
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
 */
public final class Signals implements PartitionListener, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Signals.class);
  /** Header naming the signal on every record a resync produces. */
  public static final String SIGNAL_HEADER = "qoder_signal";
  /** Header naming the resync mode ({@code missing} or {@code republish}). */
  public static final String MODE_HEADER = "qoder_signal_mode";
  static final String PAUSE_HOLD = "pause";
  private static final int RECENT = 50;
  private static final int STEP_ATTEMPTS = 5;
  private static final Duration STEP_TIMEOUT = Duration.ofMinutes(2);

  private final SignalOptions options;
  private final SignalHost host;
  private final Thread reader;
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
  private static final Duration RETRY_AFTER = Duration.ofSeconds(5);

  private Signals(SignalOptions options, SignalHost host) {
    this.options = options;
    this.host = host;
    this.reader = new Thread(this::read, "qoder-kafka-signals-" + options.instanceId());
    this.reader.setDaemon(true);
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
        } else if (r.key().source() == OffsetSource.EVENTS && host.isPaused(r)) {
          paused.add(r.key().sessionId());
        }
      }
    }
    // Before the member tracks the restored sessions: a paused session is never started.
    for (String id : paused) {
      host.hold(id, PAUSE_HOLD, options.holdTimeout()).subscribe(v -> { }, e -> { });
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

  // ---- reading and dispatching (reader thread) --------------------------------------------------

  private void read() {
    Map<String, Object> c = new HashMap<>(options.clientConfig());
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers());
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, "qoder-kafka-signals-" + options.instanceId());
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.remove(ConsumerConfig.GROUP_ID_CONFIG); // every instance reads every signal: no group
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
      List<TopicPartition> tps = consumer.partitionsFor(options.signalsTopic(), Duration.ofSeconds(30)).stream()
          .map(p -> new TopicPartition(options.signalsTopic(), p.partition())).toList();
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      log.info("reading signals from topic '{}' ({} partitions); answers go to '{}'", options.signalsTopic(),
          tps.size(), options.notificationsTopic());
      while (!closing.get()) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          accept(r.value());
        }
        dispatch();
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      if (!closing.get()) {
        log.error("reading signals from topic '{}' stopped: {}; signals are not acted on by instance {} until it"
            + " restarts", options.signalsTopic(), e.toString(), options.instanceId(), e);
      }
    }
  }

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
      String target = target(s);
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
            answerUnreadable(id, reason);
          } finally {
            finishJob(id, j);
          }
        });
      }
    }
  }

  /** The partition key of what {@code s} acts on: its session, or the files position's key. */
  private String target(Signal s) {
    if (s.session() != null) {
      return s.session();
    }
    String files = host.filesTarget();
    return files != null ? files : Signal.FILES_TARGET;
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
        case PAUSE -> pause(j);
        case RESUME -> resume(j);
        case RESYNC -> new Resync(this, j.signal, j.stored, j.cancelled::get).run();
        case RESYNC_FILES -> resyncFiles(j);
        default -> throw new IllegalStateException("unhandled signal type " + s.type());
      }
    } catch (Stopped e) {
      log.info("signal {} ({} {}) handed over: {}", s.id(), s.type().id(), target(s), e.getMessage());
    } catch (RuntimeException e) {
      log.warn("signal {} ({} {}) failed: {}", s.id(), s.type().id(), target(s), e.toString());
      try {
        fail(s, e.getMessage() == null ? e.toString() : e.getMessage(), null);
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

  private void pause(Job j) {
    Signal s = j.signal;
    block(host.hold(s.session(), PAUSE_HOLD, options.holdTimeout()), "stopping the poller of " + s.session());
    var snapshot = host.snapshot(s.session());
    if (snapshot == null) {
      host.unhold(s.session(), PAUSE_HOLD);
      fail(s, "session " + s.session() + " has no progress on this connector yet (not discovered, or not"
          + " configured); nothing to pause", null);
      return;
    }
    try {
      step(s, () -> host.send(host.sessionRecord(snapshot, true)), progressRecord(s, "DONE", null, 0,
          Map.of("detail", "paused")), List.of(answer(s, Notification.Status.ACCEPTED, "", 0),
          answer(s, Notification.Status.STARTED, "the session's poller stopped", 0),
          answer(s, Notification.Status.DONE, "paused; the pause is stored with the session's offsets", 0)));
    } catch (RuntimeException e) {
      host.unhold(s.session(), PAUSE_HOLD);
      throw e;
    }
  }

  private void resume(Job j) {
    Signal s = j.signal;
    var snapshot = host.snapshot(s.session());
    boolean held = snapshot != null && isPausedHere(s.session());
    step(s, () -> held ? host.send(host.sessionRecord(snapshot, false)) : Mono.empty(),
        progressRecord(s, "DONE", null, 0, Map.of("detail", held ? "resumed" : "was not paused")),
        List.of(answer(s, Notification.Status.ACCEPTED, "", 0), answer(s, Notification.Status.STARTED, "", 0),
            answer(s, Notification.Status.DONE, held ? "resumed; polling again" : "the session was not paused", 0)));
    host.unhold(s.session(), PAUSE_HOLD);
  }

  private boolean isPausedHere(String session) {
    return pausedCheck.test(session);
  }

  /** Set by the runtime: whether the session table holds the session for a pause. */
  private volatile java.util.function.Predicate<String> pausedCheck = id -> true;

  /** Tells the signals how to see whether a session is held by a pause (the session table). */
  public void pausedCheck(java.util.function.Predicate<String> check) {
    this.pausedCheck = check;
  }

  private void resyncFiles(Job j) {
    Signal s = j.signal;
    String detail = block(host.resyncFiles(), "starting a full scan of the files list");
    step(s, Mono::empty, progressRecord(s, "DONE", null, 0, Map.of("detail", detail)),
        List.of(answer(s, Notification.Status.ACCEPTED, "", 0), answer(s, Notification.Status.STARTED, "", 0),
            answer(s, Notification.Status.DONE, detail, 0)));
  }

  private void answerUnreadable(String id, String reason) {
    OffsetRecord p = new OffsetRecord(OffsetKey.signal(id, id), null, List.of(), "FAILED", OffsetRecord.Counters.ZERO,
        Instant.now(), Map.of("detail", reason));
    Notification n = new Notification(id, null, null, Notification.Status.FAILED, "unreadable signal: " + reason, 0,
        options.instanceId(), Instant.now());
    try {
      step(id, Mono::empty, p, List.of(n));
    } catch (RuntimeException e) {
      log.warn("signal {}: could not answer that it is unreadable: {}", id, e.toString());
    }
  }

  /** Answers {@code failed} with {@code reason} and stores the signal as failed. */
  void fail(Signal s, String reason, OffsetRecord last) {
    long produced = last == null ? 0 : last.counters().delivered();
    step(s, Mono::empty, progressRecord(s, "FAILED", last == null ? null : last.cursor(), produced,
        Map.of("detail", reason)), List.of(answer(s, Notification.Status.FAILED, reason, produced)));
  }

  // ---- steps ------------------------------------------------------------------------------------

  /**
   * One step of a signal: {@code work}, its progress record and its answers, together (one
   * transaction, exactly-once). Retried when the transaction was aborted while this instance still
   * owns the target; {@link Stopped} when it no longer does.
   */
  void step(Signal s, java.util.function.Supplier<Mono<?>> work, OffsetRecord progressRecord,
      List<Notification> answers) {
    step(target(s), work, progressRecord, answers);
  }

  private void step(String target, java.util.function.Supplier<Mono<?>> work, OffsetRecord progressRecord,
      List<Notification> answers) {
    RuntimeException last = null;
    for (int attempt = 1; attempt <= STEP_ATTEMPTS; attempt++) {
      if (!host.owns(target)) {
        throw new Stopped("this instance no longer owns " + target);
      }
      try {
        block(host.inTransaction(target, () -> Mono.defer(work)
            .then(host.send(host.progressRecord(progressRecord)).then())
            .then(Mono.defer(() -> sendAnswers(answers)))), "a signal step for " + target);
        committed(progressRecord, answers);
        return;
      } catch (RuntimeException e) {
        if (!host.owns(target) || closing.get()) {
          throw new Stopped("this instance gave up " + target + " (" + e.getMessage() + ")");
        }
        last = e;
        log.info("signal step for {} not written (attempt {} of {}): {}", target, attempt, STEP_ATTEMPTS,
            e.toString());
      }
    }
    throw last;
  }

  private Mono<Void> sendAnswers(List<Notification> answers) {
    Mono<Void> m = Mono.empty();
    for (Notification n : answers) {
      m = m.then(Mono.defer(() -> host.send(OutboundRecord.of(options.notificationsTopic(), n.signal(), n.toJson(),
          List.of(), null)).then()));
    }
    return m;
  }

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

  OffsetRecord progressRecord(Signal s, String state, String cursor, long produced, Map<String, String> attributes) {
    Map<String, String> a = new LinkedHashMap<>(attributes);
    a.put("type", s.type().id());
    if (s.mode() != null) {
      a.put("mode", s.mode().id());
    }
    return new OffsetRecord(OffsetKey.signal(target(s), s.id()), cursor, List.of(), state,
        new OffsetRecord.Counters(produced, 0, 0), Instant.now(), a);
  }

  Notification answer(Signal s, Notification.Status status, String detail, long produced) {
    return new Notification(s.id(), s.type().id(), target(s), status, detail, produced, options.instanceId(),
        Instant.now());
  }

  SignalOptions options() {
    return options;
  }

  SignalHost host() {
    return host;
  }

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

  private static String signalIdOf(OffsetKey key) {
    String e = key.entity();
    return e.substring(e.lastIndexOf('/') + 1);
  }

  /** The signal's target moved to another instance (or this one stops): the next owner resumes it. */
  static final class Stopped extends RuntimeException {
    Stopped(String message) {
      super(message, null, false, false);
    }
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

  /** Bytes of a string header value. */
  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}

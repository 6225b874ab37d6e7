package com.qoder.kafka.cluster;

import com.qoder.kafka.api.SessionIds;
import com.qoder.kafka.kafka.KafkaSink;
import com.qoder.kafka.kafka.OffsetKey;
import com.qoder.kafka.kafka.OffsetRecord;
import com.qoder.kafka.kafka.OffsetSource;
import com.qoder.kafka.kafka.OffsetStore;
import com.qoder.kafka.source.EventDelivery;
import com.qoder.kafka.source.OffsetWriter;
import com.qoder.kafka.source.SessionState;
import com.qoder.kafka.source.SessionSupervisor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * This instance's membership in the connector's consumer group, and everything that follows from
 * it: which sessions it polls, and (exactly-once) the transactions its pages are written in.
 *
 * <h2>Ownership</h2>
 * Every instance with the same connector name subscribes to the offsets topic with the group id
 * {@code qoder-kafka.<connector name>} (classic protocol, cooperative-sticky assignment: {@link RebalanceAwareAssignor}). The
 * offsets partitions a member is assigned are the sessions it owns: a session belongs to the
 * partition its offset records are written to ({@link OffsetStore#partitionForSession}). The member
 * never reads records with this consumer (its partitions are paused); the group is only the
 * membership, failure detection and assignment. Discovery runs everywhere, but the session table
 * follows only owned sessions ({@link SessionSupervisor#ownership}), and every write is checked
 * against ownership again ({@link NotOwnedException}).
 *
 * <ul>
 *   <li><b>Assigned</b>: wait until no transaction of the previous owner is open on those partitions
 *       (last stable offset = end offset) — exactly-once fences a dead or dropped owner's producer
 *       so its open transaction is aborted at once ({@link ZombieFencer}) —, restore their sessions
 *       from the compacted topic, start their pollers, scan discovery once for sessions without
 *       offsets.
 *   <li><b>Revoked</b> (cooperative: only the partitions that move): stop their pollers after the step
 *       in hand, commit (exactly-once) or let their offset writes finish (at-least-once), forget their
 *       state — all before the callback returns, so the next owner starts from the final offsets.
 *   <li><b>Lost</b> (this member was dropped from the group): stop their pollers, abort the open
 *       transaction (exactly-once) or let the offset writes of delivered pages finish (at-least-once:
 *       nothing to fence, and a refused offset is a duplicate later); the new owner continues from
 *       the stored offsets.
 * </ul>
 * Sessions of partitions that stay keep polling through every rebalance.
 *
 * <h2>Threads</h2>
 * The {@link KafkaConsumer} is not thread-safe: every call on it happens on one thread,
 * {@code qoder-kafka-member-<instance>}, which runs the poll loop, the rebalance callbacks and — in
 * exactly-once mode — every transaction commit, so {@code groupMetadata()} is always read where it
 * is current. Restores run on a helper thread while the member thread keeps committing, so no
 * transaction stays open longer than the commit interval plus one commit.
 */
public final class ClusterMember implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ClusterMember.class);
  private static final Duration RECONCILE_EVERY = Duration.ofSeconds(5);
  private static final Duration MEMBERS_EVERY = Duration.ofSeconds(10);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration FENCE_TIMEOUT = Duration.ofSeconds(10);
  private static final int FENCE_ATTEMPTS = 3;
  private static final int SAMPLE = 8;

  private final ClusterOptions options;
  private final OffsetStore offsets;
  private final SessionRecordCodec codec;
  private final Consumer<Throwable> onFatal;
  private final Ownership ownership;
  private final PageTransactions txns;
  private final TransactionCycle cycle;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Admin admin;
  /** Exactly-once: ends a previous owner's open transaction at once (null: at-least-once). */
  private final ZombieFencer fencer;
  private final AtomicBoolean fencingWarned = new AtomicBoolean();
  private final ExecutorService restorer;
  private final Thread thread;
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final CountDownLatch firstAssignment = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicBoolean closing = new AtomicBoolean();
  private final AtomicBoolean failed = new AtomicBoolean();
  private final AtomicLong rebalances = new AtomicLong();
  private final Duration pollTimeout;
  private final Duration stableTimeout;
  /** Set when this member sends a JoinGroup (see RebalanceAwareAssignor), cleared when assigned. */
  private volatile long joiningSince;
  private volatile boolean joining;

  // Member-thread state.
  private final Set<Integer> assigned = new TreeSet<>();
  private final Map<Integer, Long> positions = new HashMap<>();
  /** Bumped whenever a partition is assigned or given up: a resume read before is stale. */
  private final Map<Integer, Long> epochs = new HashMap<>();
  private final List<PendingResume> pendingResumes = new ArrayList<>();
  private boolean inCallback;
  private SessionSupervisor sessions;
  private volatile PartitionListener partitionListener = PartitionListener.NONE;
  private List<String> staticIds = List.of();
  private List<String> organizations = List.of();
  private long nextReconcile;
  private long nextMembers;

  // Published for the status page.
  private volatile String memberId = "";
  private volatile int generation = -1;
  private volatile Map<String, Object> lastRebalance = Map.of();
  private volatile List<Map<String, Object>> members = List.of();

  private ClusterMember(ClusterOptions options, KafkaSink sink, OffsetStore offsets, SessionRecordCodec codec,
      Consumer<Throwable> onFatal) {
    this.options = options;
    this.offsets = offsets;
    this.codec = codec;
    this.onFatal = onFatal;
    this.ownership = new Ownership(options.offsetsPartitions());
    TransactionalProducer producer = TransactionalProducer.of(sink, offsets);
    this.cycle = options.exactlyOnce() ? new TransactionCycle(producer, options.transactionTimeout()) : null;
    this.txns = options.exactlyOnce()
        ? new PageTransactions(cycle, producer, codec, ownership, this::onLateWrite)
        : null;
    Duration commit = options.commitInterval();
    this.pollTimeout = options.exactlyOnce() && commit.toMillis() < 200 ? commit : Duration.ofMillis(200);
    // A previous owner's open transaction ends within the transaction timeout (plus the
    // coordinator's abort check, every 10 s by default); waiting longer means it hangs.
    this.stableTimeout = options.transactionTimeout().multipliedBy(2).plusSeconds(30);
    Map<String, Object> cc = consumerConfig(options);
    cc.put(RebalanceAwareAssignor.ON_JOIN_CONFIG, (Runnable) this::onJoin);
    this.consumer = new KafkaConsumer<>(cc);
    this.admin = Admin.create(adminConfig(options));
    this.fencer = options.exactlyOnce()
        ? new ZombieFencer(admin, options.offsetsTopic(), options.transactionalIdPrefix(),
            sink.options().transactionalId(), FENCE_TIMEOUT)
        : null;
    this.restorer = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "qoder-kafka-restore-" + options.instanceId());
      t.setDaemon(true);
      return t;
    });
    this.thread = new Thread(this::run, "qoder-kafka-member-" + options.instanceId());
    this.thread.setDaemon(true);
  }

  /**
   * A member that has not joined yet; {@link #start} joins. In exactly-once mode {@code sink} must be
   * transactional (its transactions were initialized).
   *
   * @param onFatal told once when this instance can no longer work safely (fenced producer,
   *     unreadable offsets, a hanging transaction); the caller stops the instance
   */
  public static ClusterMember create(ClusterOptions options, KafkaSink sink, OffsetStore offsets,
      SessionRecordCodec codec, Consumer<Throwable> onFatal) {
    if (options.exactlyOnce() && !sink.options().transactional()) {
      throw new IllegalArgumentException("exactly-once needs a transactional Kafka sink");
    }
    String expected = options.transactionalIdPrefix() + options.instanceId();
    if (options.exactlyOnce() && !expected.equals(sink.options().transactionalId())) {
      // The prefix is how a new owner recognizes (and fences) the other instances' producers.
      throw new IllegalArgumentException("the Kafka sink's transactional id must be " + expected + " (see"
          + " ClusterOptions.transactionalId), was " + sink.options().transactionalId());
    }
    return new ClusterMember(options, sink, offsets, codec, onFatal);
  }

  static Map<String, Object> consumerConfig(ClusterOptions o) {
    Map<String, Object> c = new HashMap<>(o.clientProperties().toClientConfig());
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, o.bootstrapServers());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, o.groupId());
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, o.groupId() + "-" + o.instanceId());
    // Classic protocol: the consumer protocol (KIP-848) takes the session timeout from the broker's
    // group config (45 s minimum by default); the connector's failover time is a connector setting.
    c.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
    c.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, RebalanceAwareAssignor.class.getName());
    c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) o.sessionTimeout().toMillis());
    c.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) Math.max(100, o.sessionTimeout().toMillis() / 3));
    c.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) ClusterOptions.MAX_POLL_INTERVAL.toMillis());
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    // Dynamic membership: a stopping instance leaves at once, so its sessions move at once.
    c.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    return c;
  }

  private static Map<String, Object> adminConfig(ClusterOptions o) {
    Map<String, Object> c = new HashMap<>(o.clientProperties().toClientConfig());
    c.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, o.bootstrapServers());
    c.put(AdminClientConfig.CLIENT_ID_CONFIG, o.groupId() + "-" + o.instanceId() + "-admin");
    return c;
  }

  // ---- the pollers' side ------------------------------------------------------------------------

  /**
   * Whether this instance reports the session's lifecycle now: it owns the session, and (exactly-once)
   * its lifecycle state is not being read back after an aborted transaction.
   */
  public boolean ownsLifecycle(String sessionId) {
    return ownership.ownsLifecycle(SessionIds.canonical(sessionId));
  }

  /** Whether this instance owns the session now (the session table's ownership predicate). */
  public boolean owns(String sessionId) {
    return ownership.owns(SessionIds.canonical(sessionId));
  }

  /**
   * Wraps the publisher: pages of sessions this instance does not own are refused; in exactly-once
   * mode pages go into the open transaction.
   */
  public EventDelivery delivery(EventDelivery publisher) {
    EventDelivery guarded = (sessionId, events) -> ownership.owns(sessionId)
        ? publisher.deliver(sessionId, events)
        : Mono.error(new NotOwnedException(sessionId));
    return txns != null ? txns.delivery(publisher) : guarded;
  }

  /** Exactly-once: how the change sources write inside the transactions; null at-least-once. */
  public ChangeTransactions changeTransactions() {
    return txns == null ? null : new ChangeTransactions(txns);
  }

  /**
   * How session progress is written: at-least-once, straight to the offsets topic (after an
   * ownership check); exactly-once, into the page's transaction, completing when it committed.
   */
  public OffsetWriter offsetWriter() {
    if (txns != null) {
      return txns.writer();
    }
    return snapshot -> ownership.mayWrite(snapshot.sessionId())
        ? offsets.write(codec.toRecord(snapshot)).then()
        : Mono.error(new NotOwnedException(snapshot.sessionId()));
  }

  /**
   * Runs a signal's {@code work} (its records sent through the connector's sink) on behalf of
   * {@code sessionId} (or another partition key, such as {@code files/all}), which this instance must
   * own. Exactly-once: inside the open transaction, completing when it committed, so the work's
   * records and its stored progress become visible together or not at all, and a member that lost
   * the partition cannot commit them. At-least-once: after an ownership check, when the work
   * completed.
   */
  public Mono<Void> inTransaction(String sessionId, java.util.function.Supplier<Mono<?>> work) {
    if (txns != null) {
      return txns.job(sessionId, work);
    }
    return Mono.defer(() -> ownership.owns(sessionId) ? Mono.defer(work).then()
        : Mono.error(new NotOwnedException(sessionId)));
  }

  /** The offsets partition of a session id (or another partition key). */
  public int partitionOf(String sessionId) {
    return ownership.partitionOf(sessionId);
  }

  // ---- lifecycle --------------------------------------------------------------------------------

  /**
   * Joins the group. Sessions are tracked as partitions are assigned: restored non-final sessions,
   * the static ids that fall into them, and one discovery scan per organization (none when empty).
   */
  public void start(SessionSupervisor supervisor, List<String> staticSessionIds, List<String> discoveryOrganizations) {
    this.sessions = supervisor;
    this.staticIds = staticSessionIds.stream().map(SessionIds::canonical).toList();
    this.organizations = List.copyOf(discoveryOrganizations);
    supervisor.ownership(this::owns);
    thread.start();
  }

  /** Tells {@code listener} of partitions that come and go (the change sources); call before {@link #start}. */
  public void partitionListener(PartitionListener listener) {
    this.partitionListener = listener;
  }

  /** Blocks until the first assignment was handled (restored and polling), or the timeout. */
  public boolean awaitFirstAssignment(Duration timeout) throws InterruptedException {
    return firstAssignment.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  public boolean hasJoined() {
    return firstAssignment.getCount() == 0;
  }

  /**
   * Leaves the group: commits what is pending (exactly-once), gives up every partition, closes the
   * consumer so the others get the partitions at once. Call after the pollers were stopped.
   */
  public void close(Duration timeout) {
    closing.set(true);
    if (thread.isAlive()) {
      try {
        if (!stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          log.warn("cluster member {} did not leave the group within {}", options.instanceId(), timeout);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    } else if (stopped.getCount() > 0) {
      closeClients();
      stopped.countDown();
    }
  }

  @Override
  public void close() {
    close(CLOSE_TIMEOUT);
  }

  // ---- the member thread ------------------------------------------------------------------------

  private void run() {
    try {
      consumer.subscribe(List.of(options.offsetsTopic()), new Listener());
      if (txns != null) {
        cycle.begin();
      }
      log.info("cluster member {} joining group '{}' on topic '{}' ({} partitions, {}, session timeout {})",
          options.instanceId(), options.groupId(), options.offsetsTopic(), options.offsetsPartitions(),
          options.exactlyOnce() ? "exactly-once" : "at-least-once", options.sessionTimeout());
      nextReconcile = System.nanoTime() + RECONCILE_EVERY.toNanos();
      nextMembers = System.nanoTime();
      while (!closing.get()) {
        consumer.poll(pollTimeout);
        publishGroupMetadata();
        consumer.pause(consumer.assignment());
        runTasks();
        applyResumes();
        if (txns != null) {
          commitIfDue();
        }
        long now = System.nanoTime();
        if (now - nextReconcile >= 0) {
          nextReconcile = now + RECONCILE_EVERY.toNanos();
          reconcile();
        }
        if (now - nextMembers >= 0) {
          nextMembers = now + MEMBERS_EVERY.toNanos();
          refreshMembers();
        }
      }
    } catch (Throwable t) {
      fatal(t);
    } finally {
      try {
        if (txns != null) {
          if (!failed.get()) {
            handle(cycle.commit(this::groupOffsets, consumer::groupMetadata, idleTimeout()));
          }
          cycle.shutdown();
        }
      } catch (RuntimeException e) {
        log.warn("final commit failed: {}", e.toString());
      } finally {
        closeClients();
        stopped.countDown();
        log.info("cluster member {} left group '{}'", options.instanceId(), options.groupId());
      }
    }
  }

  private void closeClients() {
    try {
      // Runs the revocation callback for what is still owned, then leaves the group.
      consumer.close(CloseOptions.timeout(CLOSE_TIMEOUT));
    } catch (RuntimeException e) {
      log.warn("closing the group consumer: {}", e.toString());
    }
    admin.close(Duration.ofSeconds(5));
    restorer.shutdownNow();
  }

  private final class Listener implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      guarded(() -> revoke(ids(partitions), true));
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      guarded(() -> revoke(ids(partitions), false));
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      guarded(() -> assign(ids(partitions)));
    }

    private void guarded(Runnable r) {
      if (failed.get()) {
        return;
      }
      inCallback = true;
      try {
        r.run();
      } catch (RuntimeException e) {
        fatal(e);
      } finally {
        inCallback = false;
      }
    }
  }

  /**
   * Called on the member thread while poll() builds a JoinGroup request. The generation cannot move
   * on before this member's request arrives, so this is the last safe moment to commit before the
   * rebalance; pages arriving until the assignment are held in the next transaction.
   */
  private void onJoin() {
    joiningSince = System.nanoTime();
    joining = true;
    if (txns != null && !failed.get() && Thread.currentThread() == thread && cycle.isOpen()) {
      commitNow(true);
    }
  }

  private static Set<Integer> ids(Collection<TopicPartition> partitions) {
    return partitions.stream().map(TopicPartition::partition).collect(Collectors.toCollection(TreeSet::new));
  }

  private void assign(Set<Integer> added) {
    publishGroupMetadata();
    joining = false; // the rebalance is complete: groupMetadata() is current again
    consumer.pause(consumer.assignment());
    if (added.isEmpty()) {
      log.info("rebalance: generation {}, no partitions added; this instance owns {}", generation, assigned);
      firstAssignment.countDown();
      return;
    }
    long t0 = System.nanoTime();
    added.forEach(p -> epochs.merge(p, 1L, Long::sum));
    Restored restored = awaitValue(CompletableFuture.supplyAsync(() -> {
      Map<Integer, Long> ends = waitStable(added, null);
      return new Restored(ends, offsets.restore(added));
    }, restorer), stableTimeout.plus(OffsetStore.DEFAULT_RESTORE_TIMEOUT), "restoring offsets partitions " + added);
    Map<Integer, Long> ends = restored.ends();
    Map<OffsetKey, OffsetRecord> stored = restored.records();
    List<SessionState.Snapshot> snapshots = new ArrayList<>();
    for (OffsetRecord r : stored.values()) {
      if (r.key().source() == OffsetSource.EVENTS && !ownership.isHeld(r.key().sessionId())) {
        snapshots.add(codec.toSnapshot(r));
      }
    }
    partitionListener.assigned(added, stored);
    sessions.restore(snapshots);
    assigned.addAll(added);
    positions.putAll(ends);
    ownership.add(added);
    List<String> polled = new ArrayList<>();
    for (SessionState.Snapshot s : snapshots) {
      if (sessions.track(s.sessionId())) {
        polled.add(s.sessionId());
      }
    }
    for (String id : staticIds) {
      if (added.contains(ownership.partitionOf(id)) && sessions.track(id)) {
        polled.add(id);
      }
    }
    for (String org : closing.get() ? List.<String>of() : organizations) {
      sessions.scan(org).subscribe(n -> { }, e -> log.warn("discovery after the assignment of partitions {} failed:"
          + " {}; the next scan retries", added, e.toString()));
    }
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    noteRebalance("assigned", added, snapshots.size(), polled);
    log.info("rebalance: generation {}, assigned partitions {} in {} ms: {} session(s) restored, {} now polled here{};"
        + " this instance owns {}", generation, added, ms, snapshots.size(), polled.size(), sample(polled), assigned);
    firstAssignment.countDown();
  }

  private void revoke(Set<Integer> removed, boolean clean) {
    if (removed.isEmpty()) {
      return;
    }
    long t0 = System.nanoTime();
    // At-least-once has nothing to fence, so lost partitions drain like revoked ones: the offsets of
    // pages already in Kafka still go out. Refusing them would only make the next owner (often this
    // member, rejoining after a broker restart) deliver those pages again.
    if (clean || txns == null) {
      ownership.drain(removed);
    } else {
      ownership.remove(removed);
    }
    removed.forEach(p -> epochs.merge(p, 1L, Long::sum));
    if (!clean) {
      // Lost: the group already gave them away, so nothing may be committed for them.
      assigned.removeAll(removed);
      removed.forEach(positions::remove);
    }
    List<String> ids = sessionsIn(removed);
    Mono<Void> stopping = Mono.when(sessions.stop(ids, options.revocationTimeout()),
        partitionListener.revoking(removed).timeout(options.revocationTimeout()).onErrorResume(e -> {
          log.warn("partitions {}: the change sources did not finish their work within {}: {}", removed,
              options.revocationTimeout(), e.toString());
          return Mono.empty();
        }));
    if (txns != null && !failed.get()) {
      if (clean) {
        commitNow(true);
      } else {
        handle(cycle.abortOpen(new IllegalStateException("this member lost partitions " + removed
            + " (dropped from the group)"), idleTimeout()));
        beginNext();
      }
    }
    awaitWhileCommitting(stopping.toFuture(), options.revocationTimeout().plusSeconds(1));
    // Discovery may have started a poller just as ownership changed (its state existed, its poller did
    // not yet when stop() looked): stop whatever of these partitions still runs; stopping twice is harmless.
    Set<String> all = new TreeSet<>(ids);
    List<String> again = sessionsIn(removed);
    if (!again.isEmpty()) {
      awaitWhileCommitting(sessions.stop(again, options.revocationTimeout()).toFuture(),
          options.revocationTimeout().plusSeconds(1));
      all.addAll(again);
    }
    // From here nothing more is written for these partitions: a poller that outlived the stop is
    // refused. Then the commit below closes the last transaction that may hold their records (pages
    // that completed while the pollers stopped), so once this callback returns no open transaction of
    // this instance touches them: the next owner's fencing (ZombieFencer) can only hit a dead or
    // dropped owner, never one that handed over cleanly.
    ownership.drained(removed);
    if (clean && txns != null && !failed.get()) {
      commitNow(true);
    }
    sessions.forget(all);
    List<String> lingering = all.stream().filter(id -> sessions.state(id) != null).toList();
    if (!lingering.isEmpty()) {
      holdUntilStopped(lingering);
    }
    if (clean) {
      assigned.removeAll(removed);
      removed.forEach(positions::remove);
    }
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    noteRebalance(clean ? "revoked" : "lost", removed, all.size(), List.copyOf(all));
    log.info("rebalance: partitions {} {} ({} session(s) handed over in {} ms{}); this instance owns {}",
        removed, clean ? "revoked" : "lost", all.size(), ms, sample(all), assigned);
  }

  private List<String> sessionsIn(Set<Integer> partitionIds) {
    List<String> out = new ArrayList<>();
    for (SessionState s : sessions.states()) {
      if (partitionIds.contains(ownership.partitionOf(s.sessionId()))) {
        out.add(s.sessionId());
      }
    }
    return out;
  }

  /** Pollers that outlived the revocation timeout: held back until they end, then resumed if owned. */
  private void holdUntilStopped(List<String> ids) {
    ownership.hold(ids);
    log.warn("{} poller(s) still running after their partition was given up (a request that outlasts {}, or a"
        + " poller discovery started meanwhile); their sessions are held back until they stop{}", ids.size(),
        options.revocationTimeout(), sample(ids));
    sessions.stop(ids, Duration.ofDays(1)).subscribe(v -> { }, e -> { }, () -> tasks.add(() -> {
      sessions.forget(ids);
      resume(ids, Set.of());
    }));
  }

  /**
   * Rebuilds sessions whose state was dropped (aborted transaction, late poller) from their committed
   * offsets. Non-blocking: the wait for stable offsets and the restore run on a helper thread, and
   * {@link #applyResumes} finishes the job on the member thread, which keeps polling meanwhile.
   */
  private void resume(List<String> ids, Set<String> reload) {
    List<String> mine = new ArrayList<>();
    List<String> gone = new ArrayList<>();
    for (String id : ids) {
      if (sessions.state(id) != null) {
        continue; // still running: holdUntilStopped resumes it
      }
      (ownership.ownsPartitionOf(id) ? mine : gone).add(id);
    }
    Set<String> toReload = new TreeSet<>();
    for (String id : reload) {
      if (ownership.ownsPartitionOf(id)) {
        toReload.add(id);
      } else {
        ownership.reloaded(List.of(id)); // moved meanwhile: its new owner restores it
      }
    }
    ownership.release(gone);
    if (mine.isEmpty() && toReload.isEmpty()) {
      return;
    }
    Set<Integer> parts = new TreeSet<>();
    mine.forEach(id -> parts.add(ownership.partitionOf(id)));
    toReload.forEach(id -> parts.add(ownership.partitionOf(id)));
    Map<Integer, Long> minimums = new HashMap<>();
    Map<Integer, Long> epochsAtStart = new HashMap<>();
    for (int p : parts) {
      minimums.put(p, positions.getOrDefault(p, 0L));
      epochsAtStart.put(p, epochs.getOrDefault(p, 0L));
    }
    CompletableFuture<Map<OffsetKey, OffsetRecord>> stored = CompletableFuture.supplyAsync(() -> {
      waitStable(parts, minimums);
      return offsets.restore(parts);
    }, restorer);
    pendingResumes.add(new PendingResume(List.copyOf(mine), Set.copyOf(toReload), epochsAtStart, stored));
  }

  private record PendingResume(List<String> ids, Set<String> reload, Map<Integer, Long> epochs,
      CompletableFuture<Map<OffsetKey, OffsetRecord>> stored) {}

  private record Restored(Map<Integer, Long> ends, Map<OffsetKey, OffsetRecord> records) {}

  private void applyResumes() {
    if (pendingResumes.isEmpty()) {
      return;
    }
    List<PendingResume> done = pendingResumes.stream().filter(r -> r.stored().isDone()).toList();
    pendingResumes.removeAll(done);
    for (PendingResume r : done) {
      Map<OffsetKey, OffsetRecord> stored;
      try {
        stored = r.stored().join();
      } catch (RuntimeException e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        if (cause instanceof HangingTransactionException) {
          fatal(cause);
          return;
        }
        log.warn("resuming {} session(s) failed ({}); trying again", r.ids().size(), cause.toString());
        resume(r.ids(), r.reload());
        continue;
      }
      boolean stale = r.epochs().entrySet().stream()
          .anyMatch(e -> !e.getValue().equals(epochs.getOrDefault(e.getKey(), 0L)));
      if (stale) {
        resume(r.ids(), r.reload()); // a partition moved meanwhile: what was read may be old
        continue;
      }
      List<SessionState.Snapshot> snapshots = new ArrayList<>();
      List<String> mine = new ArrayList<>();
      for (String id : r.ids()) {
        if (ownership.ownsPartitionOf(id) && sessions.state(id) == null) {
          mine.add(id);
          OffsetRecord rec = stored.get(OffsetKey.events(id));
          if (rec != null) {
            snapshots.add(codec.toSnapshot(rec));
          }
        }
      }
      sessions.restore(snapshots);
      Set<String> reload = r.reload().stream().filter(ownership::ownsPartitionOf)
          .collect(Collectors.toCollection(TreeSet::new));
      if (!reload.isEmpty()) {
        // Before they are released: their lifecycle state goes back to what was committed.
        partitionListener.reloaded(reload, stored);
        log.info("{} session(s) with lifecycle records in an aborted transaction: their committed lifecycle state"
            + " restored{}", reload.size(), sample(reload));
      }
      ownership.release(r.ids());
      ownership.reloaded(r.reload());
      int polled = 0;
      for (String id : mine) {
        if (sessions.track(id)) {
          polled++;
        }
      }
      log.info("{} session(s) resumed from their committed offsets, {} polled again{}", mine.size(), polled,
          sample(mine));
    }
  }

  /** Sessions in the table whose partition this instance does not own: should not exist; stop them. */
  private void reconcile() {
    List<String> stray = new ArrayList<>();
    for (SessionState s : sessions.states()) {
      String id = s.sessionId();
      if (!ownership.ownsPartitionOf(id) && !ownership.isHeld(id)) {
        stray.add(id);
      }
    }
    if (stray.isEmpty()) {
      return;
    }
    log.warn("{} session(s) of partitions this instance does not own were still in its table; stopping them{}",
        stray.size(), sample(stray));
    stopThenResume(stray);
  }

  /** Holds the sessions, stops their pollers, then (member thread) forgets and resumes them. */
  private void stopThenResume(List<String> ids) {
    ownership.hold(ids);
    sessions.stop(ids, options.revocationTimeout()).toFuture().whenComplete((v, e) -> tasks.add(() -> {
      sessions.forget(ids);
      List<String> lingering = ids.stream().filter(id -> sessions.state(id) != null).toList();
      if (!lingering.isEmpty()) {
        holdUntilStopped(lingering);
      }
      resume(ids, Set.of());
    }));
  }

  private void runTasks() {
    Runnable r;
    while (!failed.get() && (r = tasks.poll()) != null) {
      r.run();
    }
  }


  // ---- transactions (member thread) -------------------------------------------------------------

  private Duration idleTimeout() {
    return options.transactionTimeout().multipliedBy(3).dividedBy(4);
  }

  private void commitIfDue() {
    if (failed.get() || !cycle.due(options.commitInterval())) {
      return;
    }
    // Mid-rebalance (joined, not yet assigned) the metadata is about to change: the commit would be
    // refused. Hold it, unless the transaction would come close to its timeout.
    if (joining && !inCallback && cycle.openAgeNanos() < options.transactionTimeout().toNanos() / 2) {
      return;
    }
    commitNow(true);
  }

  private void commitNow(boolean openNext) {
    handle(cycle.commit(this::groupOffsets, consumer::groupMetadata, idleTimeout()));
    if (openNext) {
      beginNext();
    }
  }

  private void beginNext() {
    if (failed.get() || cycle.isOpen()) {
      return; // failed, or still open because there was nothing to commit
    }
    try {
      cycle.begin();
    } catch (RuntimeException e) {
      fatal(e);
    }
  }

  /**
   * The group offsets committed with a transaction: every partition this member holds, at the offset
   * after its newest committed state record there. Their only job is fencing (KIP-447): the group
   * coordinator refuses them from a member of an older generation.
   */
  private Map<TopicPartition, OffsetAndMetadata> groupOffsets(Map<Integer, Long> written) {
    Map<TopicPartition, OffsetAndMetadata> m = new HashMap<>();
    for (int p : assigned) {
      long at = Math.max(positions.getOrDefault(p, 0L), written.getOrDefault(p, 0L));
      m.put(new TopicPartition(options.offsetsTopic(), p), new OffsetAndMetadata(at, options.instanceId()));
    }
    return m;
  }

  private void handle(TransactionCycle.Outcome outcome) {
    if (outcome instanceof TransactionCycle.Outcome.Committed c) {
      c.written().forEach((p, next) -> {
        if (assigned.contains(p)) {
          positions.merge(p, next, Math::max);
        }
      });
    } else if (outcome instanceof TransactionCycle.Outcome.Aborted a) {
      log.warn("transaction {} aborted: {}; {} session(s) resume from their committed offsets{}", a.id(),
          a.cause() == null ? "?" : a.cause().getMessage(), a.dirty().size(), sample(a.dirty()));
      dropAndResume(a.dirty(), a.reload(), a.signal());
    } else if (outcome instanceof TransactionCycle.Outcome.Fatal f) {
      ownership.hold(f.dirty());
      sessions.stop(f.dirty(), options.revocationTimeout()).subscribe(v -> { }, e -> { });
      f.signal().run();
      fatal(new IllegalStateException("the transactional producer cannot continue: " + f.cause().getMessage()
          + "; this instance stops (its sessions move to the other instances, which resume from the committed"
          + " offsets; restart it to rejoin)", f.cause()));
    }
  }

  /**
   * @param reload sessions whose lifecycle records were in the aborted transaction: held back until
   *     the change sources have their committed state again ({@link PartitionListener#reloaded})
   */
  private void dropAndResume(Collection<String> ids, Set<String> reload, Runnable signal) {
    ownership.reloading(reload);
    if (ids.isEmpty()) {
      signal.run();
      resume(List.of(), reload);
      return;
    }
    List<String> list = List.copyOf(ids);
    ownership.hold(list);
    // Stop first: the pollers then end on the failed write instead of reading on from a cursor
    // that is ahead of what was committed.
    CompletableFuture<Void> stoppedPollers = sessions.stop(list, options.revocationTimeout()).toFuture();
    signal.run();
    stoppedPollers.whenComplete((v, e) -> tasks.add(() -> {
      sessions.forget(list);
      List<String> lingering = list.stream().filter(id -> sessions.state(id) != null).toList();
      if (!lingering.isEmpty()) {
        holdUntilStopped(lingering);
      }
      resume(list, reload);
    }));
  }

  /** An offset record arrived for a transaction already aborted (called on a poller thread). */
  private void onLateWrite(String sessionId) {
    stopThenResume(List.of(sessionId));
  }

  // ---- waiting without starving the transaction -------------------------------------------------

  /**
   * Waits for {@code f} on the member thread inside a rebalance callback, committing the open
   * transaction when due meanwhile (the member's group metadata is current there).
   */
  private boolean awaitWhileCommitting(CompletableFuture<?> f, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long slice = txns != null ? Math.max(10, options.commitInterval().toMillis()) : 100;
    while (!f.isDone()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      if (txns != null) {
        commitIfDue();
      }
      try {
        f.get(Math.min(slice, TimeUnit.NANOSECONDS.toMillis(left) + 1), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        // keep waiting
      } catch (ExecutionException e) {
        return true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return f.isDone();
      }
    }
    return true;
  }

  private <T> T awaitValue(CompletableFuture<T> f, Duration timeout, String what) {
    if (!awaitWhileCommitting(f, timeout)) {
      f.cancel(true);
      throw new IllegalStateException(what + " did not finish within " + timeout);
    }
    try {
      return f.get();
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      throw c instanceof RuntimeException r ? r : new IllegalStateException(what + " failed: " + c, c);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(what + " interrupted", e);
    }
  }

  /**
   * Blocks (a helper thread, never the member thread) until the partitions hold no transaction that
   * could still change what a restore reads: with {@code minimums} null (an assignment), no open
   * transaction at all (last stable offset = end offset: a previous owner's transaction committed or
   * aborted); else the last stable offset reached this member's own committed records. Returns the
   * end offsets.
   *
   * <p>On an assignment in exactly-once mode, an open transaction found there is ended at once by
   * fencing the producer that holds it ({@link #fencePreviousOwners}) instead of waiting for the
   * transaction timeout.
   *
   * @throws HangingTransactionException when a transaction stays open past any transaction timeout
   */
  private Map<Integer, Long> waitStable(Set<Integer> partitionIds, Map<Integer, Long> minimums) {
    Map<TopicPartition, OffsetSpec> spec = new HashMap<>();
    partitionIds.forEach(p -> spec.put(new TopicPartition(options.offsetsTopic(), p), OffsetSpec.latest()));
    long deadline = System.nanoTime() + stableTimeout.toNanos();
    boolean told = false;
    int fenceAttempts = 0;
    long nextFence = System.nanoTime();
    try {
      while (true) {
        Map<TopicPartition, ListOffsetsResultInfo> stable = admin.listOffsets(spec,
            new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(30, TimeUnit.SECONDS);
        Map<TopicPartition, ListOffsetsResultInfo> end = admin.listOffsets(spec,
            new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all().get(30, TimeUnit.SECONDS);
        Map<Integer, Long> ends = new HashMap<>();
        end.forEach((tp, info) -> ends.put(tp.partition(), info.offset()));
        Map<Integer, String> open = new TreeMap<>();
        stable.forEach((tp, info) -> {
          long need = minimums == null ? ends.get(tp.partition()) : minimums.getOrDefault(tp.partition(), 0L);
          if (info.offset() < need) {
            open.put(tp.partition(), "stable " + info.offset() + " < " + need);
          }
        });
        if (open.isEmpty()) {
          return ends;
        }
        if (System.nanoTime() > deadline) {
          throw new HangingTransactionException("offsets partitions " + open + " of topic '" + options.offsetsTopic()
              + "' still hold an open transaction after " + stableTimeout + ", longer than any transaction may"
              + " last; a hanging transaction? Find it with kafka-transactions.sh find-hanging and abort it");
        }
        if (minimums == null && fencer != null && fenceAttempts < FENCE_ATTEMPTS && System.nanoTime() >= nextFence) {
          fenceAttempts++;
          nextFence = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
          if (fencePreviousOwners(open.keySet(), fenceAttempts == FENCE_ATTEMPTS)) {
            continue; // aborted now: look again at once
          }
        }
        if (!told) {
          told = true;
          log.info("waiting for open transactions on offsets partitions {} to finish (a previous owner's or an"
              + " aborted one; at most the transaction timeout {})", open, options.transactionTimeout());
        }
        TimeUnit.MILLISECONDS.sleep(100); // a helper thread polling the broker: there is no wait-for-LSO API
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for stable offsets", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot list the offsets of topic '" + options.offsetsTopic() + "': " + e, e);
    }
  }

  /**
   * Fences the producers of this connector's other instances whose open transaction holds one of
   * the partitions just assigned here (helper thread). Why this can only hit a dead or dropped owner:
   * the group gives a partition to this member only after its previous owner either
   * <ul>
   *   <li>revoked it (cooperative rebalancing: the owner must run {@code onPartitionsRevoked} and
   *       rejoin before the partition is handed out in the next generation), and {@link #revoke}
   *       stops the pollers, refuses further writes for the partition and commits before it returns,
   *       so no open transaction of that owner holds the partition any more; or
   *   <li>was removed from the group (session timeout, rebalance timeout, left): dead, or a zombie
   *       whose commit the group coordinator refuses anyway (KIP-447). Its open transaction would
   *       be aborted after the transaction timeout; fencing aborts it now. A zombie that wakes up
   *       finds its producer fenced and stops (exit code 1), as after a pause past the transaction
   *       timeout.
   * </ul>
   * This instance's own transactional id is never fenced (its own open transaction holds none of
   * these partitions: it did not own them). When the admin calls fail (no ACL, an old broker), a
   * WARN is logged once and the takeover waits for the transaction timeout, as without fencing.
   *
   * @return whether a producer was fenced (its transaction is aborted now)
   */
  private boolean fencePreviousOwners(Set<Integer> openPartitions, boolean lastAttempt) {
    long t0 = System.nanoTime();
    try {
      List<String> fenced = fencer.fence(openPartitions);
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      if (!fenced.isEmpty()) {
        log.info("fenced the transactional producer(s) {} of a previous owner in {} ms: their open transaction on"
            + " offsets partitions {} is aborted now instead of after the transaction timeout {}", fenced, ms,
            openPartitions, options.transactionTimeout());
        return true;
      }
      if (lastAttempt) {
        log.info("offsets partitions {} hold an open transaction of no other instance of this connector that this"
            + " principal can describe (one finishing on its own, or DESCRIBE on the transactional ids '{}*' is"
            + " missing); waiting for it to end", openPartitions, options.transactionalIdPrefix());
      }
      return false;
    } catch (ZombieFencer.FencingFailedException e) {
      if (fencingWarned.compareAndSet(false, true)) {
        log.warn("cannot fence the previous owner of offsets partitions {} ({}); takeover waits for its open"
            + " transaction to time out (connector.transaction-timeout {} plus the broker's abort check) instead."
            + " Fencing needs WRITE and DESCRIBE on the transactional ids with prefix '{}' (brokers 3.0+); this"
            + " warning is logged once", openPartitions, e.getMessage(), options.transactionTimeout(),
            options.transactionalIdPrefix());
      } else {
        log.debug("fencing the previous owner of offsets partitions {} failed: {}", openPartitions, e.getMessage());
      }
      return false;
    }
  }

  /** A transaction that stays open longer than any transaction may: the instance cannot go on safely. */
  static final class HangingTransactionException extends IllegalStateException {
    HangingTransactionException(String message) {
      super(message);
    }
  }


  // ---- status -----------------------------------------------------------------------------------

  private void publishGroupMetadata() {
    ConsumerGroupMetadata g = consumer.groupMetadata();
    memberId = g.memberId();
    generation = g.generationId();
  }

  private void refreshMembers() {
    admin.describeConsumerGroups(List.of(options.groupId())).describedGroups().get(options.groupId())
        .whenComplete((desc, err) -> {
          if (err != null) {
            log.debug("describing group {} failed: {}", options.groupId(), err.toString());
            return;
          }
          List<Map<String, Object>> list = new ArrayList<>();
          for (MemberDescription m : desc.members()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("memberId", m.consumerId());
            e.put("clientId", m.clientId());
            e.put("host", m.host());
            e.put("partitions", m.assignment().topicPartitions().stream().map(TopicPartition::partition).sorted()
                .toList());
            list.add(e);
          }
          members = List.copyOf(list);
        });
  }

  private void noteRebalance(String kind, Set<Integer> partitionIds, int sessionCount, List<String> moved) {
    rebalances.incrementAndGet();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("at", Instant.now().toString());
    m.put("generation", generation);
    m.put("change", kind);
    m.put("partitions", List.copyOf(partitionIds));
    m.put("sessions", sessionCount);
    m.put("sessionsSample", moved.stream().limit(SAMPLE).toList());
    lastRebalance = m;
  }

  /** The offsets partitions this instance owns now. */
  public List<Integer> ownedPartitions() {
    return List.copyOf(new TreeSet<>(ownership.partitions()));
  }

  public String instanceId() {
    return options.instanceId();
  }

  /**
   * The group's members as last described (every 10 s): {@code memberId}, {@code clientId}
   * ({@code <group id>-<instance id>}), {@code host} and assigned {@code partitions}.
   */
  public List<Map<String, Object>> groupMembers() {
    return members;
  }

  /** The consumer group id of the connector's instances. */
  public String groupId() {
    return options.groupId();
  }

  /** For the status page: {@code ownedPartitions} and a {@code cluster} section. */
  public Map<String, Object> status() {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("instanceId", options.instanceId());
    c.put("groupId", options.groupId());
    c.put("memberId", memberId);
    c.put("generation", generation);
    c.put("delivery", options.exactlyOnce() ? "exactly-once" : "at-least-once");
    c.put("ownedPartitions", ownedPartitions());
    c.put("offsetsPartitions", options.offsetsPartitions());
    SessionSupervisor s = sessions;
    c.put("sessionsPolled", s == null ? 0 : s.polled());
    c.put("rebalances", rebalances.get());
    c.put("lastRebalance", lastRebalance);
    c.put("members", members);
    if (txns != null) {
      c.put("transactionsCommitted", cycle.committedCount());
      c.put("transactionsAborted", cycle.abortedCount());
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("ownedPartitions", ownedPartitions());
    out.put("cluster", c);
    return out;
  }

  long transactionsAborted() {
    return txns == null ? 0 : cycle.abortedCount();
  }

  private void fatal(Throwable t) {
    if (failed.compareAndSet(false, true)) {
      closing.set(true);
      log.error("cluster member {} stops: {}", options.instanceId(), t.getMessage(), t);
      onFatal.accept(t);
    }
  }

  private static String sample(Collection<String> ids) {
    if (ids.isEmpty()) {
      return "";
    }
    List<String> list = new ArrayList<>(new TreeSet<>(ids));
    String head = String.join(", ", list.subList(0, Math.min(SAMPLE, list.size())));
    return ": " + head + (list.size() > SAMPLE ? ", … (" + (list.size() - SAMPLE) + " more)" : "");
  }
}

package com.qoder.kafka.cluster;

import com.qoder.kafka.api.SessionIds;
import com.qoder.kafka.kafka.KafkaSink;
import com.qoder.kafka.offsets.OffsetStore;
import com.qoder.kafka.offsets.SessionOffsetRecords;
import com.qoder.kafka.source.EventDelivery;
import com.qoder.kafka.source.OffsetWriter;
import com.qoder.kafka.source.SessionSupervisor;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
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
 *       so its open transaction is aborted at once ({@link StableOffsets}, {@link ZombieFencer}) —,
 *       restore their sessions
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
 * Sessions of partitions that stay keep polling through every rebalance. {@link HandOver} does all
 * three; this class runs the membership and wires the parts.
 *
 * <h2>Threads</h2>
 * The {@link KafkaConsumer} is not thread-safe: every call on it happens on one thread,
 * {@code qoder-kafka-member-<instance>}, which runs the poll loop, the rebalance callbacks and — in
 * exactly-once mode — every transaction commit, so {@code groupMetadata()} is always read where it
 * is current. Restores run on a helper thread while the member thread keeps committing, so no
 * transaction stays open longer than the commit interval plus one commit ({@link CommitTimer}).
 */
public final class ClusterMember implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ClusterMember.class);
  private static final Duration RECONCILE_EVERY = Duration.ofSeconds(5);
  private static final Duration MEMBERS_EVERY = Duration.ofSeconds(10);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration FENCE_TIMEOUT = Duration.ofSeconds(10);
  /** How often a restore looks again at an offsets partition with an open transaction. */
  private static final Duration STABLE_RECHECK = Duration.ofMillis(100);

  private final ClusterOptions options;
  private final OffsetStore offsets;
  private final Consumer<Throwable> onFatal;
  private final Ownership ownership;
  /** Exactly-once only (null at-least-once): the transactions and the records written in them. */
  private final TransactionCycle cycle;
  private final PageTransactions txns;
  private final PartitionPositions positions;
  private final CommitTimer commits;
  private final StableOffsets stable;
  private final MemberStatus status = new MemberStatus();
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Admin admin;
  private final ExecutorService restorer;
  private final Thread thread;
  private final CountDownLatch firstAssignment = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicBoolean closing = new AtomicBoolean();
  private final AtomicBoolean failed = new AtomicBoolean();
  private final Duration pollTimeout;
  private volatile PartitionListener partitionListener = PartitionListener.NONE;
  /** Set by {@link #start}, before the member thread starts. */
  private volatile HandOver handOver;
  private volatile SessionSupervisor sessions;

  private ClusterMember(ClusterOptions options, KafkaSink sink, OffsetStore offsets, Consumer<Throwable> onFatal) {
    this.options = options;
    this.offsets = offsets;
    this.onFatal = onFatal;
    this.ownership = new Ownership(options.offsetsPartitions());
    TransactionalProducer producer = TransactionalProducer.of(sink, offsets);
    this.cycle = options.exactlyOnce() ? new TransactionCycle(producer, options.transactionTimeout()) : null;
    this.txns = options.exactlyOnce()
        ? new PageTransactions(cycle, producer, ownership, id -> handOver.onLateWrite(id))
        : null;
    Duration commit = options.commitInterval();
    this.pollTimeout = options.exactlyOnce() && commit.toMillis() < 200 ? commit : Duration.ofMillis(200);
    Map<String, Object> cc = options.consumerConfig();
    cc.put(RebalanceAwareAssignor.ON_JOIN_CONFIG, (Runnable) this::onJoin);
    this.consumer = new KafkaConsumer<>(cc);
    this.admin = Admin.create(options.adminConfig());
    this.positions = new PartitionPositions(options.offsetsTopic(), options.instanceId());
    this.commits = new CommitTimer(cycle, commit, options.transactionTimeout(), positions, consumer::groupMetadata,
        failed::get, this::fatal, outcome -> handOver.afterFailedCommit(outcome));
    ZombieFencer fencer = options.exactlyOnce()
        ? new ZombieFencer(admin, options.offsetsTopic(), options.transactionalIdPrefix(),
            sink.options().transactionalId(), FENCE_TIMEOUT)
        : null;
    this.stable = new StableOffsets(options.offsetsTopic(), StableOffsets.lister(admin, options.offsetsTopic()),
        fencer == null ? null : fencer::fence, options.transactionalIdPrefix(), options.transactionTimeout(),
        STABLE_RECHECK);
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
      Consumer<Throwable> onFatal) {
    if (options.exactlyOnce() && !sink.options().transactional()) {
      throw new IllegalArgumentException("exactly-once needs a transactional Kafka sink");
    }
    String expected = options.transactionalIdPrefix() + options.instanceId();
    if (options.exactlyOnce() && !expected.equals(sink.options().transactionalId())) {
      // The prefix is how a new owner recognizes (and fences) the other instances' producers.
      throw new IllegalArgumentException("the Kafka sink's transactional id must be " + expected + " (see"
          + " ClusterOptions.transactionalId), was " + sink.options().transactionalId());
    }
    return new ClusterMember(options, sink, offsets, onFatal);
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
        ? offsets.write(SessionOffsetRecords.toRecord(snapshot)).then()
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
  public Mono<Void> inTransaction(String sessionId, Supplier<Mono<?>> work) {
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
    HandOver.Parts parts = new HandOver.Parts(ownership, positions, stable, offsets::restore, commits, status,
        restorer);
    this.handOver = new HandOver(parts, SessionTable.of(supervisor), () -> partitionListener,
        options.revocationTimeout(), staticSessionIds.stream().map(SessionIds::canonical).toList(),
        discoveryOrganizations, failed::get, closing::get, this::fatal);
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
      if (cycle != null) {
        cycle.begin();
      }
      log.info("cluster member {} joining group '{}' on topic '{}' ({} partitions, {}, session timeout {})",
          options.instanceId(), options.groupId(), options.offsetsTopic(), options.offsetsPartitions(),
          options.exactlyOnce() ? "exactly-once" : "at-least-once", options.sessionTimeout());
      long nextReconcile = System.nanoTime() + RECONCILE_EVERY.toNanos();
      long nextMembers = System.nanoTime();
      while (!closing.get()) {
        consumer.poll(pollTimeout);
        publishGroupMetadata();
        consumer.pause(consumer.assignment());
        handOver.runTasks();
        handOver.applyResumes();
        commits.commitIfDue();
        long now = System.nanoTime();
        if (now - nextReconcile >= 0) {
          nextReconcile = now + RECONCILE_EVERY.toNanos();
          handOver.reconcile();
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
        if (cycle != null) {
          if (!failed.get()) {
            commits.commitNow(false);
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
      guarded(() -> handOver.revoke(ids(partitions), true));
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      guarded(() -> handOver.revoke(ids(partitions), false));
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      guarded(() -> {
        publishGroupMetadata();
        commits.joining(false); // the rebalance is complete: groupMetadata() is current again
        consumer.pause(consumer.assignment());
        handOver.assign(ids(partitions));
        firstAssignment.countDown();
      });
    }

    private void guarded(Runnable r) {
      if (failed.get()) {
        return;
      }
      commits.inCallback(true);
      try {
        r.run();
      } catch (RuntimeException e) {
        fatal(e);
      } finally {
        commits.inCallback(false);
      }
    }
  }

  /**
   * Called on the member thread while poll() builds a JoinGroup request. The generation cannot move
   * on before this member's request arrives, so this is the last safe moment to commit before the
   * rebalance ({@link CommitTimer#beforeJoin}: only a transaction with no page in flight — waiting
   * here would delay the JoinGroup); later commits are held until the assignment.
   */
  private void onJoin() {
    if (Thread.currentThread() == thread) {
      commits.beforeJoin();
    } else {
      commits.joining(true);
    }
  }

  private static Set<Integer> ids(Collection<TopicPartition> partitions) {
    return partitions.stream().map(TopicPartition::partition).collect(Collectors.toCollection(TreeSet::new));
  }

  // ---- status -----------------------------------------------------------------------------------

  private void publishGroupMetadata() {
    ConsumerGroupMetadata g = consumer.groupMetadata();
    status.groupMetadata(g.memberId(), g.generationId());
  }

  private void refreshMembers() {
    admin.describeConsumerGroups(List.of(options.groupId())).describedGroups().get(options.groupId())
        .whenComplete((desc, err) -> {
          if (err != null) {
            log.debug("describing group {} failed: {}", options.groupId(), err.toString());
            return;
          }
          status.members(desc.members());
        });
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
    return status.members();
  }

  /** The consumer group id of the connector's instances. */
  public String groupId() {
    return options.groupId();
  }

  /** For the status page: {@code ownedPartitions} and a {@code cluster} section. */
  public Map<String, Object> status() {
    SessionSupervisor s = sessions;
    long[] transactions = cycle == null ? null : new long[] {commits.committedCount(), commits.abortedCount()};
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("ownedPartitions", ownedPartitions());
    out.put("cluster", status.section(options, ownedPartitions(), s == null ? 0 : s.polled(), transactions));
    return out;
  }

  long transactionsAborted() {
    return commits.abortedCount();
  }

  private void fatal(Throwable t) {
    if (failed.compareAndSet(false, true)) {
      closing.set(true);
      log.error("cluster member {} stops: {}", options.instanceId(), t.getMessage(), t);
      onFatal.accept(t);
    }
  }
}

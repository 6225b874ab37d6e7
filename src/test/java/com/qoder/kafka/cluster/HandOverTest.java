package com.qoder.kafka.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.Await;
import com.qoder.kafka.cluster.TransactionCycle.Outcome;
import com.qoder.kafka.offsets.OffsetKey;
import com.qoder.kafka.offsets.OffsetRecord;
import com.qoder.kafka.offsets.OffsetStore;
import com.qoder.kafka.source.EventDelivery;
import com.qoder.kafka.source.WriteAbortedException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Sessions changing hands without a broker: which sessions are restored, polled, stopped and
 * resumed on assign, revoke and lost, what may still be written while they stop, and — exactly-once
 * — that the hand-over commits (revoked) or aborts (lost) before it returns.
 */
class HandOverTest {

  private static final int PARTITIONS = 2;
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final String S1 = idIn(0, 0);
  private static final String S2 = idIn(0, 1);
  private static final String S3 = idIn(1, 0);

  /** The {@code n}-th test session id that falls into offsets partition {@code partition}. */
  static String idIn(int partition, int n) {
    int found = 0;
    for (int i = 0; ; i++) {
      String id = "sess-" + i;
      if (OffsetStore.partitionForSession(id, PARTITIONS) == partition && found++ == n) {
        return id;
      }
    }
  }

  /** A member's hand-over with fakes at its edges: the session table, the broker's offsets, the producer. */
  private static final class Member {
    final Ownership ownership = new Ownership(PARTITIONS);
    final PartitionPositions positions = new PartitionPositions("offsets", "me");
    final FakeTransactionalProducer producer = new FakeTransactionalProducer(PARTITIONS);
    final TransactionCycle cycle;
    final PageTransactions txns;
    final Map<OffsetKey, OffsetRecord> stored = new ConcurrentHashMap<>();
    final List<Throwable> fatal = new CopyOnWriteArrayList<>();
    final List<String> listener = new CopyOnWriteArrayList<>();
    final FakeSessionTable sessions = new FakeSessionTable(ownership::owns);
    final CommitTimer commits;
    final HandOver handOver;

    Member(boolean exactlyOnce) {
      cycle = exactlyOnce ? new TransactionCycle(producer, Duration.ofSeconds(1)) : null;
      txns = exactlyOnce ? new PageTransactions(cycle, producer, ownership,
          id -> handOverOf(this).onLateWrite(id)) : null;
      StableOffsets stable = new StableOffsets("offsets", (ps, level) -> ends(ps), null, "p.", Duration.ofSeconds(1),
          Duration.ZERO);
      commits = new CommitTimer(cycle, Duration.ofHours(1), Duration.ofSeconds(4), positions,
          () -> new ConsumerGroupMetadata("g"), () -> !fatal.isEmpty(), fatal::add,
          o -> handOverOf(this).afterFailedCommit(o));
      PartitionListener changeSources = new PartitionListener() {
        @Override
        public void assigned(Set<Integer> partitions, Map<OffsetKey, OffsetRecord> records) {
          listener.add("assigned " + partitions + " " + records.size());
        }

        @Override
        public void owned(Set<Integer> partitions) {
          listener.add("owned " + partitions + " " + ownership.owns(S1));
        }

        @Override
        public Mono<Void> revoking(Set<Integer> partitions) {
          listener.add("revoking " + partitions);
          return Mono.empty();
        }

        @Override
        public void reloaded(Set<String> sessionIds, Map<OffsetKey, OffsetRecord> records) {
          listener.add("reloaded " + sessionIds);
        }
      };
      HandOver.Parts parts = new HandOver.Parts(ownership, positions, stable, this::restore, commits, new MemberStatus(), Runnable::run);
      handOver = new HandOver(parts, sessions, () -> changeSources, Duration.ofMillis(100), List.of(S2),
          List.of("org-1"), () -> !fatal.isEmpty(), () -> false, fatal::add);
      if (cycle != null) {
        cycle.begin();
      }
    }

    private static HandOver handOverOf(Member m) {
      return m.handOver;
    }

    /** Every partition is stable at offset 10 (no open transaction). */
    private Map<Integer, Long> ends(Set<Integer> partitionIds) {
      Map<Integer, Long> m = new HashMap<>();
      partitionIds.forEach(p -> m.put(p, 10L));
      return m;
    }

    private Map<OffsetKey, OffsetRecord> restore(Set<Integer> partitionIds) {
      Map<OffsetKey, OffsetRecord> m = new HashMap<>();
      stored.forEach((k, v) -> {
        if (partitionIds.contains(OffsetStore.partitionFor(k, PARTITIONS))) {
          m.put(k, v);
        }
      });
      return m;
    }

    void store(String sessionId, String cursor) {
      stored.put(OffsetKey.events(sessionId), CursorOnly.record(sessionId, cursor));
    }

    /** Delivers a page of {@code sessionId} in the open transaction and sends its offset record. */
    CompletableFuture<Void> pageInTransaction(String sessionId, String cursor) {
      EventDelivery ok = (id, events) -> Mono.just(new EventDelivery.Report(0, 0));
      StepVerifier.create(txns.delivery(ok).deliver(sessionId, List.of())).expectNextCount(1).verifyComplete();
      int before = producer.sent.size();
      CompletableFuture<Void> written = txns.writer().write(CursorOnly.snapshot(sessionId, cursor)).toFuture();
      Await.until(WAIT, "offset record sent", () -> producer.sent.size() > before);
      return written;
    }

    /** Records, at each stop, whether a delivered page's offset of {@code sessionId} may still be written. */
    List<Boolean> writableWhileStopping(String sessionId) {
      List<Boolean> seen = new CopyOnWriteArrayList<>();
      sessions.onStop = () -> seen.add(ownership.mayWrite(sessionId));
      return seen;
    }
  }

  @Test
  void anAssignmentRestoresItsPartitionsSessionsAndPollsThemWithTheStaticOnes() {
    Member m = new Member(false);
    m.store(S1, "c5");
    m.store(S3, "c9");

    m.handOver.assign(Set.of(0));

    assertThat(m.sessions.cursors).as("only partition 0's sessions are restored").isEqualTo(Map.of(S1, "c5"));
    assertThat(m.sessions.tracked).containsExactlyInAnyOrder(S1, S2);
    assertThat(m.sessions.scanned).containsExactly("org-1");
    assertThat(m.listener).as("told before the sessions are polled, and again once owned")
        .containsExactly("assigned [0] 1", "owned [0] true");
    assertThat(m.ownership.owns(S1)).isTrue();
    assertThat(m.ownership.owns(S3)).isFalse();
    assertThat(m.positions.groupOffsets(Map.of()))
        .isEqualTo(Map.of(new TopicPartition("offsets", 0), new OffsetAndMetadata(10, "me")));
  }

  @Test
  void aRevocationStopsAndForgetsOnlyThePartitionsSessionsAndLetsTheirOffsetsOutMeanwhile() {
    Member m = new Member(false);
    m.handOver.assign(Set.of(0, 1));
    m.sessions.track(S1);
    m.sessions.track(S3);
    List<Boolean> writable = m.writableWhileStopping(S1);

    m.handOver.revoke(Set.of(0), true);

    assertThat(m.sessions.stopped).containsExactlyInAnyOrder(S1, S2);
    assertThat(m.sessions.sessionIds()).containsExactly(S3);
    assertThat(writable).as("offsets of pages already in Kafka still go out while the poller stops").contains(true)
        .doesNotContain(false);
    assertThat(m.ownership.mayWrite(S1)).as("nothing is written once the callback returned").isFalse();
    assertThat(m.ownership.owns(S3)).isTrue();
    assertThat(m.positions.assigned()).containsExactly(1);
    assertThat(m.listener).contains("revoking [0]");
  }

  @Test
  void atLeastOnceLostPartitionsDrainLikeRevokedOnes() {
    Member m = new Member(false);
    m.handOver.assign(Set.of(0));
    m.sessions.track(S1);
    List<Boolean> writable = m.writableWhileStopping(S1);

    m.handOver.revoke(Set.of(0), false);

    assertThat(writable).as("nothing to fence: refusing the offset would only duplicate the page later")
        .contains(true).doesNotContain(false);
    assertThat(m.sessions.stopped).containsExactlyInAnyOrder(S1, S2);
    assertThat(m.sessions.sessionIds()).isEmpty();
    assertThat(m.ownership.mayWrite(S1)).isFalse();
    assertThat(m.positions.assigned()).isEmpty();
  }

  @Test
  void exactlyOnceARevocationCommitsThePagesOfThePartitionBeforeItReturns() {
    Member m = new Member(true);
    m.handOver.assign(Set.of(0));
    m.sessions.track(S1);
    CompletableFuture<Void> written = m.pageInTransaction(S1, "c7");
    List<Boolean> writable = m.writableWhileStopping(S1);

    m.handOver.revoke(Set.of(0), true);

    assertThat(m.producer.calls).as("committed before the callback returned")
        .containsSubsequence("send events/" + S1, "sendOffsets", "commit");
    assertThat(writable).contains(true).doesNotContain(false);
    StepVerifier.create(Mono.fromFuture(written)).expectComplete().verify(WAIT);
    assertThat(m.sessions.sessionIds()).isEmpty();
    assertThat(m.cycle.isOpen()).as("the next transaction is open for the partitions that stay").isTrue();
  }

  @Test
  void exactlyOnceLostPartitionsRefuseEveryWriteAndAbortTheOpenTransaction() {
    Member m = new Member(true);
    m.handOver.assign(Set.of(0));
    m.sessions.track(S1);
    CompletableFuture<Void> written = m.pageInTransaction(S1, "c7");
    List<Boolean> writable = m.writableWhileStopping(S1);

    m.handOver.revoke(Set.of(0), false);
    m.handOver.runTasks();

    assertThat(writable).as("the group gave the partition away: nothing more may be written").contains(false)
        .doesNotContain(true);
    assertThat(m.producer.calls).contains("abort").doesNotContain("commit");
    StepVerifier.create(Mono.fromFuture(written)).expectError(WriteAbortedException.class).verify(WAIT);
    assertThat(m.sessions.sessionIds()).isEmpty();
    assertThat(m.ownership.isHeld(S1)).as("not owned any more: released, its new owner resumes it").isFalse();
    assertThat(m.handOver.resuming()).isFalse();
  }

  @Test
  void anAbortedTransactionsSessionsResumeFromTheirCommittedOffsets() {
    Member m = new Member(true);
    m.store(S1, "c-committed");
    m.handOver.assign(Set.of(0));
    assertThat(m.sessions.tracked).contains(S1);
    AtomicBoolean signalled = new AtomicBoolean();

    m.handOver.afterFailedCommit(new Outcome.Aborted(7, Set.of(S1), Set.of(S1), new IllegalStateException("x"),
        () -> signalled.set(m.sessions.stopped.contains(S1))));

    assertThat(signalled).as("the pollers are stopped before their writes fail").isTrue();
    assertThat(m.ownership.isHeld(S1)).isTrue();
    assertThat(m.ownership.ownsLifecycle(S1)).isFalse();
    m.sessions.cursors.put(S1, "c-ahead-in-memory");
    m.handOver.runTasks();
    m.handOver.applyResumes();

    assertThat(m.sessions.cursors).containsEntry(S1, "c-committed");
    assertThat(m.listener).contains("reloaded [" + S1 + "]");
    assertThat(m.ownership.owns(S1)).isTrue();
    assertThat(m.ownership.ownsLifecycle(S1)).isTrue();
    assertThat(m.sessions.polled).contains(S1);
    assertThat(m.sessions.tracked).containsExactly(S1, S2, S1);
  }

  @Test
  void aFatalProducerErrorStopsTheSessionsAndTheMember() {
    Member m = new Member(true);
    m.handOver.assign(Set.of(0));
    AtomicBoolean signalled = new AtomicBoolean();

    m.handOver.afterFailedCommit(new Outcome.Fatal(Set.of(S2), new IllegalStateException("fenced"),
        () -> signalled.set(true)));

    assertThat(m.sessions.stopped).containsExactly(S2);
    assertThat(m.ownership.isHeld(S2)).isTrue();
    assertThat(signalled).isTrue();
    assertThat(m.fatal).singleElement().satisfies(t -> assertThat(t).hasMessageContaining("fenced")
        .hasMessageContaining("this instance stops"));
  }

  @Test
  void aPollerThatOutlivesTheRevocationIsHeldUntilItStops() {
    Member m = new Member(false);
    m.handOver.assign(Set.of(0));
    m.sessions.track(S1);
    m.sessions.linger(S1);

    m.handOver.revoke(Set.of(0), true);

    assertThat(m.sessions.has(S1)).as("still running: its state is kept").isTrue();
    assertThat(m.ownership.isHeld(S1)).isTrue();
    m.sessions.endLingering(S1);
    m.handOver.runTasks();
    assertThat(m.sessions.has(S1)).isFalse();
    assertThat(m.ownership.isHeld(S1)).as("its partition moved: released for good").isFalse();
  }

  @Test
  void aPollerStillInTheTableWhenItsPartitionComesBackIsResumedOnceItLeaves() {
    // MEMBER_DROPPED: partitions lost while a page was in flight, assigned back half a second later;
    // the poller had signalled its stop but not yet left the table when the hold ended.
    Member m = new Member(false);
    m.store(S1, "c5");
    m.handOver.assign(Set.of(0));
    m.sessions.slowToLeave(S1);

    m.handOver.revoke(Set.of(0), false);
    assertThat(m.ownership.isHeld(S1)).isTrue();
    m.handOver.assign(Set.of(0));
    assertThat(m.sessions.polled).as("held: not restored by the assignment").contains(S1);
    m.handOver.runTasks();
    m.sessions.leaveTable(S1);
    m.handOver.runTasks();
    m.handOver.applyResumes();

    assertThat(m.ownership.isHeld(S1)).isFalse();
    assertThat(m.sessions.polled).as("polled again").contains(S1);
    assertThat(m.sessions.tracked).containsExactly(S1, S2, S2, S1);
    assertThat(m.sessions.cursors).containsEntry(S1, "c5");
  }

  @Test
  void aLateOffsetWriteStopsItsSessionAndResumesItFromTheCommittedOffsets() {
    Member m = new Member(true);
    m.store(S1, "c1");
    m.handOver.assign(Set.of(0));

    m.handOver.onLateWrite(S1);
    assertThat(m.ownership.isHeld(S1)).isTrue();
    m.handOver.runTasks();
    m.handOver.applyResumes();

    assertThat(m.sessions.stopped).containsExactly(S1);
    assertThat(m.sessions.cursors).containsEntry(S1, "c1");
    assertThat(m.ownership.owns(S1)).isTrue();
    assertThat(m.sessions.polled).contains(S1);
  }

  @Test
  void aSessionOfAPartitionNotOwnedIsStoppedByTheReconciliation() {
    Member m = new Member(false);
    m.handOver.assign(Set.of(0));
    m.sessions.states.add(S3); // e.g. discovery raced a rebalance
    m.sessions.polled.add(S3);

    m.handOver.reconcile();
    m.handOver.runTasks();

    assertThat(m.sessions.stopped).containsExactly(S3);
    assertThat(m.sessions.has(S3)).isFalse();
    assertThat(m.ownership.isHeld(S3)).isFalse();
  }
}

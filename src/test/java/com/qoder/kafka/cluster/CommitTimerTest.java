package com.qoder.kafka.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.Await;
import com.qoder.kafka.cluster.TransactionCycle.Outcome;
import com.qoder.kafka.source.EventDelivery;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * When the member commits, without a broker: at the commit interval, held while a rebalance is
 * under way (but not inside its callbacks), and while a callback waits — which is what lets a
 * page's offset write, which completes only at the commit, finish inside a revocation.
 */
class CommitTimerTest {

  private static final int PARTITIONS = 2;
  private static final Duration WAIT = Duration.ofSeconds(5);

  private final FakeTransactionalProducer producer = new FakeTransactionalProducer(PARTITIONS);
  private final Ownership ownership = new Ownership(PARTITIONS);
  private final TransactionCycle cycle = new TransactionCycle(producer, Duration.ofSeconds(1));
  private final PageTransactions txns = new PageTransactions(cycle, producer, ownership, id -> { });
  private final PartitionPositions positions = new PartitionPositions("offsets", "me");
  private final List<Outcome> failures = new CopyOnWriteArrayList<>();
  private final List<Throwable> fatal = new CopyOnWriteArrayList<>();

  CommitTimerTest() {
    ownership.add(List.of(0, 1));
    positions.assigned(java.util.Set.of(0, 1), Map.of(0, 10L, 1, 10L));
    cycle.begin();
  }

  private CommitTimer timer(Duration interval) {
    return new CommitTimer(cycle, interval, Duration.ofSeconds(8), positions, () -> new ConsumerGroupMetadata("g"),
        () -> !fatal.isEmpty(), fatal::add, failures::add);
  }

  /** A page of {@code sessionId} in the open transaction; the future is its offset write. */
  private CompletableFuture<Void> page(String sessionId) {
    EventDelivery ok = (id, events) -> Mono.just(new EventDelivery.Report(0, 0));
    StepVerifier.create(txns.delivery(ok).deliver(sessionId, List.of())).expectNextCount(1).verifyComplete();
    int before = producer.sent.size();
    CompletableFuture<Void> written = txns.writer().write(CursorOnly.snapshot(sessionId, "c")).toFuture();
    Await.until(WAIT, "offset record sent", () -> producer.sent.size() > before);
    return written;
  }

  @Test
  void nothingIsCommittedBeforeTheInterval() {
    CommitTimer timer = timer(Duration.ofHours(1));
    page("s1");
    timer.commitIfDue();
    assertThat(producer.calls).doesNotContain("commit");
  }

  @Test
  void aDueTransactionIsCommittedWithTheGroupOffsetsAndTheNextOneOpened() {
    CommitTimer timer = timer(Duration.ZERO);
    CompletableFuture<Void> written = page("s1");

    timer.commitIfDue();

    assertThat(producer.calls).endsWith("sendOffsets", "commit", "begin");
    int p = ownership.partitionOf("s1");
    assertThat(producer.lastGroupOffsets).containsEntry(new TopicPartition("offsets", p),
        new OffsetAndMetadata(101, "me"));
    assertThat(positions.minimums(java.util.Set.of(p))).as("the committed record is the new floor")
        .isEqualTo(Map.of(p, 101L));
    StepVerifier.create(Mono.fromFuture(written)).expectComplete().verify(WAIT);
    assertThat(cycle.isOpen()).isTrue();
  }

  @Test
  void aRebalanceUnderWayHoldsTheCommitExceptInsideItsCallbacks() {
    CommitTimer timer = timer(Duration.ZERO);
    page("s1");
    timer.joining(true);

    timer.commitIfDue();
    assertThat(producer.calls).as("the group metadata is about to change: the commit would be refused")
        .doesNotContain("commit");

    timer.inCallback(true);
    timer.commitIfDue();
    assertThat(producer.calls).contains("commit");
  }

  @Test
  void aJoinCommitsAnIdleTransactionAndHoldsTheNextCommits() {
    CommitTimer timer = timer(Duration.ZERO);
    page("s1");

    timer.beforeJoin();

    assertThat(producer.calls).as("the last moment the current generation's commit is accepted")
        .endsWith("sendOffsets", "commit", "begin");
    page("s2");
    timer.commitIfDue();
    assertThat(producer.calls.stream().filter("commit"::equals)).as("held until the assignment").hasSize(1);
  }

  @Test
  void aJoinDoesNotWaitForPagesInFlight() {
    // The join runs inside poll(): waiting there for pages (up to 3/4 of the transaction timeout,
    // then aborting them) kept the member from sending its JoinGroup, long enough under load to be
    // dropped from the group.
    CommitTimer timer = timer(Duration.ZERO);
    page("s1");
    Disposable inFlight = txns.delivery((id, events) -> Mono.never()).deliver("s2", List.of()).subscribe();
    try {
      timer.beforeJoin();

      assertThat(producer.calls).as("nothing committed or aborted while a page is in flight")
          .doesNotContain("commit", "abort");
      assertThat(cycle.isOpen()).isTrue();
      assertThat(failures).as("not aborted for want of an acknowledgement").isEmpty();
    } finally {
      inFlight.dispose();
    }
  }

  @Test
  void aCallbackWaitingForAPagesOffsetWriteCommitsMeanwhile() {
    CommitTimer timer = timer(Duration.ZERO);
    CompletableFuture<Void> written = page("s1");

    boolean done = timer.await(written, WAIT);

    assertThat(done).as("the write completes only because the wait committed").isTrue();
    assertThat(written).isCompleted();
    assertThat(producer.calls).contains("commit");
  }

  @Test
  void awaitGivesUpAtItsTimeout() {
    CommitTimer timer = timer(Duration.ofHours(1));
    CompletableFuture<Void> written = page("s1");

    assertThat(timer.await(written, Duration.ofMillis(30))).isFalse();
    assertThat(producer.calls).doesNotContain("commit");
  }

  @Test
  void anAbortIsHandedOnAndTheNextTransactionOpened() {
    CommitTimer timer = timer(Duration.ofHours(1));
    page("s1");

    timer.abortOpen(new IllegalStateException("lost partitions"));

    assertThat(failures).singleElement().isInstanceOfSatisfying(Outcome.Aborted.class,
        a -> assertThat(a.dirty()).containsExactly("s1"));
    assertThat(producer.calls).endsWith("abort", "begin");
    assertThat(fatal).isEmpty();
  }

  @Test
  void atLeastOnceThereIsNothingToCommitAndAWaitOnlyWaits() {
    CommitTimer timer = CommitTimer.atLeastOnce();
    timer.commitNow(true);
    timer.abortOpen(new IllegalStateException("lost"));
    assertThat(timer.await(CompletableFuture.completedFuture(null), WAIT)).isTrue();
    assertThat(timer.await(new CompletableFuture<>(), Duration.ofMillis(20))).isFalse();
    assertThat(timer.isOpen()).isFalse();
    assertThat(producer.calls).containsExactly("begin"); // this test's own cycle, untouched
  }
}

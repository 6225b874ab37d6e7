package com.qoder.kafka.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.cluster.TransactionCycle.Outcome;
import com.qoder.kafka.offsets.OffsetStore;
import com.qoder.kafka.source.EventDelivery;
import com.qoder.kafka.source.WriteAbortedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The exactly-once rules without a broker: a page's events and its offset record travel in one
 * transaction, its offset write completes only once that transaction committed, and any doubt (a
 * failed page, a refused commit, a lost partition) aborts it and names the sessions to resume.
 */
class PageTransactionsTest {

  private static final int PARTITIONS = 4;
  private static final Duration IDLE = Duration.ofSeconds(2);
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final ConsumerGroupMetadata GROUP = new ConsumerGroupMetadata("g");

  private final FakeTransactionalProducer producer = new FakeTransactionalProducer(PARTITIONS);
  private final Ownership ownership = new Ownership(PARTITIONS);
  private final TransactionCycle cycle = new TransactionCycle(producer, Duration.ofSeconds(1));
  private final List<String> lateWrites = new CopyOnWriteArrayList<>();
  private final PageTransactions txns = new PageTransactions(cycle, producer, ownership, lateWrites::add);
  private final EventDelivery delivered = (id, events) -> Mono.just(new EventDelivery.Report(events.size(), 0));

  PageTransactionsTest() {
    ownership.add(List.of(0, 1, 2, 3));
  }

  /** The group offsets a member holding every partition would commit. */
  private static Map<TopicPartition, OffsetAndMetadata> offsetsFor(Map<Integer, Long> written) {
    Map<TopicPartition, OffsetAndMetadata> m = new HashMap<>();
    written.forEach((p, next) -> m.put(new TopicPartition("offsets", p), new OffsetAndMetadata(next)));
    return m;
  }

  private Outcome commit() {
    return cycle.commit(PageTransactionsTest::offsetsFor, () -> GROUP, IDLE);
  }

  @Test
  void aPagesOffsetWriteCompletesOnlyOnceItsTransactionCommitted() {
    cycle.begin();
    StepVerifier.create(txns.delivery(delivered).deliver("s1", List.of())).expectNextCount(1).verifyComplete();
    CompletableFuture<Void> written = txns.writer().write(CursorOnly.snapshot("s1", "c9")).toFuture();
    Await.sent(producer, 1);
    assertThat(written).as("sent, but its transaction is still open").isNotDone();

    Outcome outcome = commit();

    int p = OffsetStore.partitionForSession("s1", PARTITIONS);
    assertThat(outcome).isInstanceOfSatisfying(Outcome.Committed.class, c -> {
      assertThat(c.pages()).isEqualTo(1);
      assertThat(c.written()).isEqualTo(Map.of(p, 101L));
    });
    StepVerifier.create(Mono.fromFuture(written)).expectComplete().verify(WAIT);
    assertThat(producer.calls).containsExactly("begin", "send events/s1", "sendOffsets", "commit");
    assertThat(producer.lastGroupOffsets).containsEntry(new TopicPartition("offsets", p), new OffsetAndMetadata(101));
    assertThat(producer.sent).extracting(r -> r.cursor()).containsExactly("c9");
  }

  @Test
  void aPageArrivingWithNoOpenTransactionWaitsForTheNext() {
    CompletableFuture<EventDelivery.Report> page = txns.delivery(delivered).deliver("s1", List.of()).toFuture();
    assertThat(page).isNotDone();
    cycle.begin();
    StepVerifier.create(Mono.fromFuture(page)).expectNextCount(1).expectComplete().verify(WAIT);
    assertThat(producer.calls).containsExactly("begin");
  }

  @Test
  void pagesAndWritesOfSessionsNotOwnedAreRefused() {
    cycle.begin();
    ownership.remove(List.of(0, 1, 2, 3));
    StepVerifier.create(txns.delivery(delivered).deliver("s1", List.of())).verifyError(NotOwnedException.class);
    StepVerifier.create(txns.writer().write(CursorOnly.snapshot("s1", "c1")))
        .verifyError(NotOwnedException.class);
    assertThat(producer.sent).isEmpty();
    assertThat(commit()).isInstanceOf(Outcome.Idle.class);
  }

  @Test
  void aFailedPageAbortsTheTransactionAndFailsTheOtherPagesWrites() {
    cycle.begin();
    EventDelivery failing = (id, events) -> Mono.error(new IllegalStateException("broker said no"));
    StepVerifier.create(txns.delivery(delivered).deliver("s1", List.of())).expectNextCount(1).verifyComplete();
    CompletableFuture<Void> s1 = txns.writer().write(CursorOnly.snapshot("s1", "c1")).toFuture();
    Await.sent(producer, 1);
    StepVerifier.create(txns.delivery(failing).deliver("s2", List.of())).verifyError(IllegalStateException.class);

    Outcome outcome = commit();

    assertThat(outcome).isInstanceOfSatisfying(Outcome.Aborted.class, a -> {
      assertThat(a.dirty()).containsExactly("s1");
      assertThat(a.cause()).hasMessage("broker said no");
      a.signal().run();
    });
    StepVerifier.create(Mono.fromFuture(s1)).expectError(WriteAbortedException.class).verify(WAIT);
    assertThat(producer.calls).contains("abort").doesNotContain("commit", "sendOffsets");
  }

  @Test
  void aCommitTheGroupRefusesAbortsTheTransaction() {
    producer.sendOffsetsFailure = new IllegalStateException("fenced by the group coordinator");
    cycle.begin();
    StepVerifier.create(txns.delivery(delivered).deliver("s1", List.of())).expectNextCount(1).verifyComplete();
    txns.writer().write(CursorOnly.snapshot("s1", "c1")).subscribe(v -> { }, e -> { });
    Await.sent(producer, 1);

    assertThat(commit()).isInstanceOfSatisfying(Outcome.Aborted.class,
        a -> assertThat(a.dirty()).containsExactly("s1"));
    assertThat(producer.calls).endsWith("sendOffsets", "abort");
  }

  @Test
  void aMemberOwningNoPartitionCannotCommitBecauseTheGroupCouldNotFenceIt() {
    cycle.begin();
    StepVerifier.create(txns.delivery(delivered).deliver("s1", List.of())).expectNextCount(1).verifyComplete();
    txns.writer().write(CursorOnly.snapshot("s1", "c1")).subscribe(v -> { }, e -> { });
    Await.sent(producer, 1);

    Outcome outcome = cycle.commit(written -> Map.of(), () -> GROUP, IDLE);

    assertThat(outcome).isInstanceOfSatisfying(Outcome.Aborted.class,
        a -> assertThat(a.cause()).hasMessageContaining("owns no offsets partition"));
    assertThat(producer.calls).doesNotContain("commit");
  }

  @Test
  void lostPartitionsAbortTheOpenTransactionAndALateOffsetWriteIsHandedBack() {
    cycle.begin();
    // The page's events are in the transaction; its offset write has not come yet.
    StepVerifier.create(txns.delivery(delivered).deliver("s1", List.of())).expectNextCount(1).verifyComplete();

    Outcome outcome = cycle.abortOpen(new IllegalStateException("lost partitions [1]"), Duration.ofMillis(50));

    assertThat(outcome).isInstanceOfSatisfying(Outcome.Aborted.class, a -> {
      assertThat(a.cause()).hasMessage("lost partitions [1]");
      a.signal().run();
    });
    StepVerifier.create(txns.writer().write(CursorOnly.snapshot("s1", "c1")))
        .expectError(WriteAbortedException.class).verify(WAIT);
    assertThat(lateWrites).containsExactly("s1");
    assertThat(producer.sent).as("the late offset record must not be sent").isEmpty();
    assertThat(producer.calls).doesNotContain("commit");
  }

  @Test
  void aProducerThatCannotAbortEndsTheInstance() {
    cycle.begin();
    StepVerifier.create(txns.delivery(delivered).deliver("s1", List.of())).expectNextCount(1).verifyComplete();
    txns.writer().write(CursorOnly.snapshot("s1", "c1")).subscribe(v -> { }, e -> { });
    Await.sent(producer, 1);
    producer.sendOffsetsFailure = new IllegalStateException("refused");
    producer.abortFailure = new IllegalStateException("producer fenced");

    Outcome outcome = commit();

    assertThat(outcome).isInstanceOfSatisfying(Outcome.Fatal.class, f -> {
      assertThat(f.dirty()).containsExactly("s1");
      assertThat(f.cause()).hasMessage("producer fenced");
    });
    assertThat(producer.calls).doesNotContain("commit");
  }

  @Test
  void aLifecycleUnitJoinsTheTransactionOfItsSessionsPageInProgress() {
    cycle.begin();
    StepVerifier.create(txns.delivery(delivered).deliver("s1", List.of())).expectNextCount(1).verifyComplete();
    StepVerifier.create(txns.unit(List.of("s1"), txns.unitWrite(CursorOnly.record("s1", "lifecycle"))))
        .verifyComplete();
    txns.writer().write(CursorOnly.snapshot("s1", "c1")).subscribe(v -> { }, e -> { });
    Await.sent(producer, 2);

    Outcome outcome = cycle.abortOpen(new IllegalStateException("lost"), IDLE);

    assertThat(outcome).isInstanceOfSatisfying(Outcome.Aborted.class, a -> {
      assertThat(a.reload()).as("its lifecycle state must be read back").isEqualTo(Set.of("s1"));
      assertThat(a.dirty()).containsExactly("s1");
    });
  }

  @Test
  void shutdownFailsPagesWaitingForATransaction() {
    List<Throwable> errors = new ArrayList<>();
    txns.delivery(delivered).deliver("s1", List.of()).subscribe(r -> { }, errors::add);
    cycle.shutdown();
    assertThat(errors).singleElement().satisfies(e -> assertThat(e).hasMessageContaining("stopping"));
  }

  /** Waits for the fake producer to have acknowledged {@code n} records. */
  private static final class Await {
    static void sent(FakeTransactionalProducer producer, int n) {
      com.qoder.kafka.Await.until(WAIT, "records sent: " + producer.calls, () -> producer.sent.size() >= n);
    }
  }
}

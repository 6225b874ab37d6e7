package com.qoder.kafka.cluster;

import com.qoder.kafka.api.SessionEvent;
import com.qoder.kafka.cluster.TransactionCycle.Txn;
import com.qoder.kafka.offsets.OffsetKey;
import com.qoder.kafka.offsets.OffsetRecord;
import com.qoder.kafka.offsets.SessionOffsetRecords;
import com.qoder.kafka.source.EventDelivery;
import com.qoder.kafka.source.OffsetWriter;
import com.qoder.kafka.source.SessionState;
import com.qoder.kafka.source.WriteAbortedException;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;

/**
 * Exactly-once writing: the pages of many sessions share the one open transaction of this
 * instance's producer, and the membership thread commits it every commit interval (like Kafka
 * Streams' {@code commit.interval.ms}).
 *
 * <p>A page is a session's new events plus its offset record, always in the same transaction: the
 * page <em>enlists</em> when its events are handed over (a ticket) and leaves when its offset record
 * is acknowledged. A transaction is committed only when no page is half-way, and its commit carries
 * the group's metadata ({@code sendOffsetsToTransaction} with {@code groupMetadata()}), so the group
 * coordinator refuses the commit of a member that lost its partitions (KIP-447): its transaction is
 * aborted and nothing it wrote becomes visible to {@code read_committed} readers. The offset write of
 * a page completes only when its transaction committed, so a session reads its next page only then.
 *
 * <p>When a transaction is aborted, the sessions whose offset record was in it have moved their
 * cursor in memory past events that are now invisible: the membership thread stops those sessions,
 * forgets their state and resumes them from their committed offsets ({@link TransactionCycle.Outcome.Aborted}).
 *
 * <p>The change sources write the same way. A resources or files step is a page keyed by its
 * position's offset key ({@link #changeDelivery}, then {@link #changeWrite}, which completes when
 * the transaction committed; an abort fails it with a {@link WriteAbortedException} and the source
 * goes back to its last committed position). Lifecycle records are a {@link #unit} that does not
 * wait for the commit — it may run inside an events page (transitions found in the page's events),
 * which holds the transaction open until its own offset write — so an aborted unit's sessions are
 * handed back to the membership thread ({@link TransactionCycle.Outcome.Aborted#reload}), which gives the source their
 * committed lifecycle records again before they may be written again.
 *
 * <p>This class writes the records; {@link TransactionCycle} decides which transaction they go in
 * and ends it. Thread-safety: used by pollers on any thread; blocks nowhere.
 */
final class PageTransactions {

  private final TransactionCycle cycle;
  private final TransactionalProducer producer;
  private final Ownership ownership;
  private final Consumer<String> onLateWrite;

  /**
   * @param onLateWrite called (on a poller thread) with a session whose offset record arrived for a
   *     transaction that was already aborted; the caller must stop and resume that session
   */
  PageTransactions(TransactionCycle cycle, TransactionalProducer producer, Ownership ownership,
      Consumer<String> onLateWrite) {
    this.cycle = cycle;
    this.producer = producer;
    this.ownership = ownership;
    this.onLateWrite = onLateWrite;
  }

  // ---- the pollers' side ------------------------------------------------------------------------

  /** Events of a page, in the open transaction; the session's offset write completes the page. */
  EventDelivery delivery(EventDelivery inner) {
    return (sessionId, events) -> cycle.enlist(sessionId, true, () -> ownership.owns(sessionId), List.of())
        .flatMap(t -> deliverIn(t, inner, sessionId, events));
  }

  private Mono<EventDelivery.Report> deliverIn(Txn t, EventDelivery inner, String sessionId,
      List<SessionEvent> events) {
    AtomicBoolean settled = new AtomicBoolean();
    return inner.deliver(sessionId, events)
        .doOnError(e -> {
          // Records of the page may be in the transaction: it must not commit.
          t.fail(e);
          if (settled.compareAndSet(false, true)) {
            cycle.leave(t, sessionId, true);
          }
        })
        .doOnCancel(() -> {
          t.fail(new IllegalStateException("a page of session " + sessionId + " was cancelled half-way"));
          if (settled.compareAndSet(false, true)) {
            cycle.leave(t, sessionId, true);
          }
        });
  }

  /** Offset records go into the transaction of the session's page; complete when it committed. */
  OffsetWriter writer() {
    return snapshot -> Mono.defer(() -> {
      String id = snapshot.sessionId();
      Txn ticket = cycle.takeTicket(id);
      Mono<Txn> txn = ticket != null ? Mono.just(ticket)
          : cycle.enlist(id, false, () -> ownership.mayWrite(id), List.of());
      return txn.flatMap(t -> writeIn(t, snapshot));
    });
  }

  private Mono<Void> writeIn(Txn t, SessionState.Snapshot snapshot) {
    String id = snapshot.sessionId();
    if (!cycle.markDirty(t, id)) {
      // The transaction gave up waiting for this page and was aborted: the events are invisible.
      onLateWrite.accept(id);
      cycle.leave(t, id, false);
      return t.resultOffThread;
    }
    return writeInto(t, id, SessionOffsetRecords.toRecord(snapshot), "the offset write of session " + id);
  }

  /**
   * Runs {@code work} (sends of a signal's job: events, its progress record, its answers) inside the
   * open transaction on behalf of {@code sessionId}, which must be owned; completes when the
   * transaction committed, fails when it was aborted (nothing of the work is then visible).
   */
  Mono<Void> job(String sessionId, Supplier<Mono<?>> work) {
    return Mono.defer(() -> ownership.owns(sessionId)
        ? cycle.enlist(sessionId, false, () -> ownership.owns(sessionId), List.of())
        : Mono.error(new NotOwnedException(sessionId)))
        .flatMap(t -> {
          AtomicBoolean settled = new AtomicBoolean();
          return Mono.defer(work).then()
              .doOnError(e -> {
                t.fail(e);
                if (settled.compareAndSet(false, true)) {
                  cycle.leave(t, sessionId, false);
                }
              })
              .doOnCancel(() -> {
                t.fail(new IllegalStateException("a signal's work for " + sessionId + " was cancelled half-way"));
                if (settled.compareAndSet(false, true)) {
                  cycle.leave(t, sessionId, false);
                }
              })
              .then(Mono.fromRunnable(() -> {
                if (settled.compareAndSet(false, true)) {
                  cycle.leave(t, sessionId, false);
                }
              }))
              .then(t.resultOffThread);
        });
  }

  // ---- the change sources' side (resources, files, lifecycle) ------------------------------------

  /**
   * The records of a resources or files step, in the open transaction, as a page keyed by the
   * step's position ({@code key}); the position's {@link #changeWrite} completes the page.
   */
  <T> Mono<T> changeDelivery(OffsetKey key, Mono<T> records) {
    String k = key.asString();
    return cycle.enlist(k, true, () -> ownership.owns(key), List.of()).flatMap(t -> {
      AtomicBoolean settled = new AtomicBoolean();
      return records
          .doOnError(e -> {
            t.fail(e); // records of the step may be in the transaction: it must not commit
            if (settled.compareAndSet(false, true)) {
              cycle.leave(t, k, true);
            }
          })
          .doOnCancel(() -> {
            t.fail(new IllegalStateException("a step of " + k + " was cancelled half-way"));
            if (settled.compareAndSet(false, true)) {
              cycle.leave(t, k, true);
            }
          });
    });
  }

  /**
   * A resources or files position, in the transaction of its step's records (or the open one when
   * it has none); completes when that transaction committed, fails with a
   * {@link WriteAbortedException} when it was aborted.
   */
  Mono<Void> changeWrite(OffsetRecord record) {
    return Mono.defer(() -> {
      OffsetKey key = record.key();
      String k = key.asString();
      Txn ticket = cycle.takeTicket(k);
      Mono<Txn> txn = ticket != null ? Mono.just(ticket)
          : cycle.enlist(k, false, () -> ownership.mayWrite(key), List.of());
      return txn.flatMap(t -> changeWriteIn(t, k, record));
    });
  }

  private Mono<Void> changeWriteIn(Txn t, String k, OffsetRecord record) {
    if (cycle.isFinished(t)) {
      cycle.leave(t, k, false); // its records were aborted with the transaction: the source goes back
      return t.resultOffThread;
    }
    return writeInto(t, k, record, "the position write of " + k);
  }

  /**
   * Sends {@code record} in {@code t} for {@code key}; completes when {@code t} committed. The page
   * (or unit) leaves the transaction once the record is acknowledged or failed; a cancelled write
   * fails the transaction, so nothing half-written commits.
   */
  private Mono<Void> writeInto(Txn t, String key, OffsetRecord record, String what) {
    AtomicBoolean settled = new AtomicBoolean();
    return producer.send(record)
        .doOnNext(md -> cycle.written(t, md))
        .then()
        .onErrorResume(e -> {
          t.fail(e);
          return Mono.empty();
        })
        .doOnCancel(() -> {
          if (settled.compareAndSet(false, true)) {
            t.fail(new IllegalStateException(what + " was cancelled"));
            cycle.leave(t, key, false);
          }
        })
        .then(Mono.fromRunnable(() -> {
          if (settled.compareAndSet(false, true)) {
            cycle.leave(t, key, false);
          }
        }))
        .then(t.resultOffThread);
  }

  /**
   * Runs a lifecycle step ({@code work}: its records, then the sessions' lifecycle positions through
   * {@link #unitWrite}) in one transaction: the one of an events page of one of the sessions when a
   * page is in progress (transitions found in its events; the page holds it open), else the open one.
   * Completes when the work is acknowledged, not at the commit; an abort hands {@code sessionIds}
   * back to the membership thread ({@link Outcome.Aborted#reload}).
   */
  Mono<Void> unit(Collection<String> sessionIds, Mono<Void> work) {
    List<String> ids = List.copyOf(sessionIds);
    return cycle.enlistUnit(ids, ownership::mayWriteLifecycle).flatMap(t -> {
      AtomicBoolean settled = new AtomicBoolean();
      Runnable leaveOnce = () -> {
        if (settled.compareAndSet(false, true)) {
          cycle.leave(t, TransactionCycle.UNIT, false);
        }
      };
      return work.contextWrite(c -> c.put(Txn.class, t))
          .doOnError(e -> {
            t.fail(e);
            leaveOnce.run();
          })
          .doOnCancel(() -> {
            t.fail(new IllegalStateException("lifecycle records of " + ids + " were cancelled half-way"));
            leaveOnce.run();
          })
          .then(Mono.fromRunnable(leaveOnce));
    });
  }

  /** A lifecycle position inside its {@link #unit}. */
  Mono<Void> unitWrite(OffsetRecord record) {
    return Mono.deferContextual(ctx -> {
      Txn t = ctx.getOrDefault(Txn.class, null);
      if (t == null) {
        return Mono.error(new IllegalStateException("the lifecycle position " + record.key()
            + " was written outside a transaction unit"));
      }
      return producer.send(record)
          .doOnNext(md -> cycle.written(t, md))
          .then();
    });
  }
}

package com.qoder.kafka.cluster;

import com.qoder.kafka.api.SessionEvent;
import com.qoder.kafka.kafka.KafkaFatalException;
import com.qoder.kafka.kafka.KafkaSink;
import com.qoder.kafka.kafka.OffsetKey;
import com.qoder.kafka.kafka.OffsetRecord;
import com.qoder.kafka.kafka.OffsetStore;
import com.qoder.kafka.source.EventDelivery;
import com.qoder.kafka.source.OffsetWriter;
import com.qoder.kafka.source.SessionState;
import com.qoder.kafka.source.WriteAbortedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

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
 * forgets their state and resumes them from their committed offsets ({@link Outcome.Aborted}).
 *
 * <p>The change sources write the same way. A resources or files step is a page keyed by its
 * position's offset key ({@link #changeDelivery}, then {@link #changeWrite}, which completes when
 * the transaction committed; an abort fails it with a {@link WriteAbortedException} and the source
 * goes back to its last committed position). Lifecycle records are a {@link #unit} that does not
 * wait for the commit — it may run inside an events page (transitions found in the page's events),
 * which holds the transaction open until its own offset write — so an aborted unit's sessions are
 * handed back to the membership thread ({@link Outcome.Aborted#reload}), which gives the source their
 * committed lifecycle records again before they may be written again.
 *
 * <p>Thread-safety: {@link #delivery} and {@link #writer} are used by pollers on any thread; the
 * transaction lifecycle ({@link #begin}, {@link #commit}, {@link #abortOpen}) runs on the membership
 * thread only, which blocks on the producer there (never a Reactor thread).
 */
final class PageTransactions {

  /** What a commit attempt came to. */
  sealed interface Outcome {
    /** Nothing to commit. */
    record Idle() implements Outcome {}

    record Committed(long id, int pages, Map<Integer, Long> written) implements Outcome {}

    /**
     * Aborted: the {@code dirty} sessions must be stopped before {@code signal} is run (it fails their
     * pending offset writes), then forgotten and resumed from their committed offsets; the {@code
     * reload} sessions had lifecycle records in it: their committed lifecycle state must be read back
     * before any more of them is written.
     */
    record Aborted(long id, Set<String> dirty, Set<String> reload, Throwable cause, Runnable signal)
        implements Outcome {}

    /** The producer cannot go on (fenced, unauthorized, ...): the instance must stop. */
    record Fatal(Set<String> dirty, Throwable cause, Runnable signal) implements Outcome {}
  }

  private static final Outcome IDLE = new Outcome.Idle();

  private final KafkaSink sink;
  private final OffsetStore offsets;
  private final SessionRecordCodec codec;
  private final Ownership ownership;
  private final Duration opTimeout;
  private final Duration drainTimeout;
  private final Consumer<String> onLateWrite;
  private final Object lock = new Object();
  private final List<Waiter> waiting = new ArrayList<>();
  private final Map<String, Txn> tickets = new HashMap<>();
  private final AtomicLong committed = new AtomicLong();
  private final AtomicLong aborted = new AtomicLong();
  private Txn open;
  /** The transaction being committed (closed to new pages), until its outcome. */
  private Txn closing;
  private long nextId = 1;
  private boolean closed;

  /**
   * @param onLateWrite called (on a poller thread) with a session whose offset record arrived for a
   *     transaction that was already aborted; the caller must stop and resume that session
   */
  PageTransactions(KafkaSink sink, OffsetStore offsets, SessionRecordCodec codec, Ownership ownership,
      Duration drainTimeout, Consumer<String> onLateWrite) {
    this.drainTimeout = drainTimeout;
    this.sink = sink;
    this.offsets = offsets;
    this.codec = codec;
    this.ownership = ownership;
    this.onLateWrite = onLateWrite;
    this.opTimeout = sink.options().maxBlock().plus(sink.options().requestTimeout());
  }

  /**
   * A page (or change unit) waiting for the next transaction: {@code key} names its ticket (a session
   * id, or a change source's offset key), {@code permitted} is the ownership check at admission,
   * {@code reload} the sessions whose lifecycle state follows the transaction's fate.
   */
  private record Waiter(String key, boolean ticket, BooleanSupplier permitted, Collection<String> reload,
      MonoSink<Txn> sink) {}

  /** The ticket-less name of a lifecycle unit. */
  private static final String UNIT = "lifecycle unit";

  /** One transaction of the producer. Fields are guarded by the enclosing lock unless volatile. */
  private static final class Txn {
    final long id;
    final Set<String> dirty = new HashSet<>();
    /** Sessions with lifecycle records in this transaction. */
    final Set<String> reload = new HashSet<>();
    final Map<Integer, Long> written = new HashMap<>();
    final CompletableFuture<Void> idle = new CompletableFuture<>();
    final Sinks.Empty<Void> result = Sinks.empty();
    final Mono<Void> resultOffThread = result.asMono().publishOn(Schedulers.parallel());
    long firstPageNanos;
    int active;
    int pages;
    boolean closing;
    boolean finished;
    volatile Throwable failure;

    Txn(long id) {
      this.id = id;
    }

    synchronized void fail(Throwable t) {
      if (failure == null) {
        failure = t;
      }
    }
  }

  // ---- the pollers' side ------------------------------------------------------------------------

  /** Events of a page, in the open transaction; the session's offset write completes the page. */
  EventDelivery delivery(EventDelivery inner) {
    return (sessionId, events) -> enlist(sessionId, true, () -> ownership.owns(sessionId), List.of())
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
            leave(t, sessionId, true);
          }
        })
        .doOnCancel(() -> {
          t.fail(new IllegalStateException("a page of session " + sessionId + " was cancelled half-way"));
          if (settled.compareAndSet(false, true)) {
            leave(t, sessionId, true);
          }
        });
  }

  /** Offset records go into the transaction of the session's page; complete when it committed. */
  OffsetWriter writer() {
    return snapshot -> Mono.defer(() -> {
      String id = snapshot.sessionId();
      Txn ticket;
      synchronized (lock) {
        ticket = tickets.remove(id);
      }
      Mono<Txn> txn = ticket != null ? Mono.just(ticket) : enlist(id, false, () -> ownership.mayWrite(id), List.of());
      return txn.flatMap(t -> writeIn(t, snapshot));
    });
  }

  private Mono<Void> writeIn(Txn t, SessionState.Snapshot snapshot) {
    String id = snapshot.sessionId();
    boolean late;
    synchronized (lock) {
      late = t.finished;
      if (!late) {
        t.dirty.add(id); // from here the session's state in memory is ahead of what is committed
      }
    }
    if (late) {
      // The transaction gave up waiting for this page and was aborted: the events are invisible.
      onLateWrite.accept(id);
      leave(t, id, false);
      return t.resultOffThread;
    }
    return writeInto(t, id, codec.toRecord(snapshot), "the offset write of session " + id);
  }

  private Mono<Txn> enlist(String key, boolean ticket, BooleanSupplier permitted, Collection<String> reload) {
    return Mono.create(s -> {
      Txn granted = null;
      RuntimeException refused = null;
      synchronized (lock) {
        if (closed) {
          refused = new IllegalStateException("the connector is stopping; " + key + " not written");
        } else if (!permitted.getAsBoolean()) {
          refused = new NotOwnedException(key);
        } else if (open != null) {
          granted = open;
          admit(granted, key, ticket);
          granted.reload.addAll(reload);
        } else {
          waiting.add(new Waiter(key, ticket, permitted, reload, s));
        }
      }
      if (granted != null) {
        s.success(granted);
      } else if (refused != null) {
        s.error(refused);
      }
    });
  }

  /**
   * Runs {@code work} (sends of a signal's job: events, its progress record, its answers) inside the
   * open transaction on behalf of {@code sessionId}, which must be owned; completes when the
   * transaction committed, fails when it was aborted (nothing of the work is then visible).
   */
  Mono<Void> job(String sessionId, java.util.function.Supplier<Mono<?>> work) {
    return Mono.defer(() -> ownership.owns(sessionId)
        ? enlist(sessionId, false, () -> ownership.owns(sessionId), List.of())
        : Mono.error(new NotOwnedException(sessionId)))
        .flatMap(t -> {
          AtomicBoolean settled = new AtomicBoolean();
          return Mono.defer(work).then()
              .doOnError(e -> {
                t.fail(e);
                if (settled.compareAndSet(false, true)) {
                  leave(t, sessionId, false);
                }
              })
              .doOnCancel(() -> {
                t.fail(new IllegalStateException("a signal's work for " + sessionId + " was cancelled half-way"));
                if (settled.compareAndSet(false, true)) {
                  leave(t, sessionId, false);
                }
              })
              .then(Mono.fromRunnable(() -> {
                if (settled.compareAndSet(false, true)) {
                  leave(t, sessionId, false);
                }
              }))
              .then(t.resultOffThread);
        });
  }

  /** Under the lock. */
  private void admit(Txn t, String sessionId, boolean ticket) {
    if (t.pages == 0) {
      t.firstPageNanos = System.nanoTime();
    }
    t.active++;
    t.pages++;
    if (ticket) {
      tickets.put(sessionId, t);
    }
  }

  private void leave(Txn t, String sessionId, boolean ticket) {
    synchronized (lock) {
      if (ticket) {
        tickets.remove(sessionId, t);
      }
      t.active--;
      if (t.closing && t.active == 0) {
        t.idle.complete(null);
      }
    }
  }

  // ---- the change sources' side (resources, files, lifecycle) ------------------------------------

  /**
   * The records of a resources or files step, in the open transaction, as a page keyed by the
   * step's position ({@code key}); the position's {@link #changeWrite} completes the page.
   */
  <T> Mono<T> changeDelivery(OffsetKey key, Mono<T> records) {
    String k = key.asString();
    return enlist(k, true, () -> ownership.owns(key), List.of()).flatMap(t -> {
      AtomicBoolean settled = new AtomicBoolean();
      return records
          .doOnError(e -> {
            t.fail(e); // records of the step may be in the transaction: it must not commit
            if (settled.compareAndSet(false, true)) {
              leave(t, k, true);
            }
          })
          .doOnCancel(() -> {
            t.fail(new IllegalStateException("a step of " + k + " was cancelled half-way"));
            if (settled.compareAndSet(false, true)) {
              leave(t, k, true);
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
      Txn ticket;
      synchronized (lock) {
        ticket = tickets.remove(k);
      }
      Mono<Txn> txn = ticket != null ? Mono.just(ticket)
          : enlist(k, false, () -> ownership.mayWrite(key), List.of());
      return txn.flatMap(t -> changeWriteIn(t, k, record));
    });
  }

  private Mono<Void> changeWriteIn(Txn t, String k, OffsetRecord record) {
    boolean late;
    synchronized (lock) {
      late = t.finished;
    }
    if (late) {
      leave(t, k, false); // its records were aborted with the transaction: the source goes back
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
    return sink.send(offsets.toOutboundRecord(record))
        .doOnNext(md -> {
          synchronized (lock) {
            t.written.merge(md.partition(), md.offset() + 1, Math::max);
          }
        })
        .then()
        .onErrorResume(e -> {
          t.fail(e);
          return Mono.empty();
        })
        .doOnCancel(() -> {
          if (settled.compareAndSet(false, true)) {
            t.fail(new IllegalStateException(what + " was cancelled"));
            leave(t, key, false);
          }
        })
        .then(Mono.fromRunnable(() -> {
          if (settled.compareAndSet(false, true)) {
            leave(t, key, false);
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
    return enlistUnit(ids).flatMap(t -> {
      AtomicBoolean settled = new AtomicBoolean();
      Runnable leaveOnce = () -> {
        if (settled.compareAndSet(false, true)) {
          leave(t, UNIT, false);
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
      return sink.send(offsets.toOutboundRecord(record))
          .doOnNext(md -> {
            synchronized (lock) {
              t.written.merge(md.partition(), md.offset() + 1, Math::max);
            }
          })
          .then();
    });
  }

  private Mono<Txn> enlistUnit(List<String> ids) {
    BooleanSupplier permitted = () -> ids.stream().allMatch(ownership::mayWriteLifecycle);
    return Mono.create(s -> {
      Txn granted = null;
      RuntimeException refused = null;
      synchronized (lock) {
        Txn page = null;
        for (String id : ids) {
          page = tickets.get(id);
          if (page != null) {
            break;
          }
        }
        if (closed) {
          refused = new IllegalStateException("the connector is stopping; lifecycle records of " + ids
              + " not written");
        } else if (!permitted.getAsBoolean()) {
          refused = new NotOwnedException(ids.stream().filter(id -> !ownership.mayWriteLifecycle(id)).findFirst()
              .orElse(ids.toString()));
        } else if (page != null && page.finished) {
          refused = new WriteAbortedException("the transaction of the events page of one of " + ids
              + " was aborted already", null);
        } else if (page != null || open != null || (closing != null && closing.active > 0 && !closing.finished)) {
          // An events page in progress holds its transaction open until its own offset write, and
          // may be waiting for these very records (or for records queued behind them): they must go
          // into its transaction — or into the one being committed while pages are still in it —
          // never wait for the next, which cannot begin before those pages are done.
          granted = page != null ? page : open != null ? open : closing;
          admit(granted, UNIT, false);
          granted.reload.addAll(ids);
        } else {
          waiting.add(new Waiter(UNIT, false, permitted, ids, s));
        }
      }
      if (granted != null) {
        s.success(granted);
      } else if (refused != null) {
        s.error(refused);
      }
    });
  }

  // ---- the membership thread's side -------------------------------------------------------------

  /** Opens the next transaction and lets the waiting pages in. Blocks. */
  void begin() {
    synchronized (lock) {
      if (closed || open != null) {
        return;
      }
    }
    sink.beginTransaction().block(opTimeout);
    List<Waiter> ready = new ArrayList<>();
    List<Waiter> refused = new ArrayList<>();
    Txn t;
    synchronized (lock) {
      if (closed) {
        return;
      }
      t = new Txn(nextId++);
      open = t;
      for (Waiter w : waiting) {
        if (w.permitted().getAsBoolean()) {
          admit(t, w.key(), w.ticket());
          t.reload.addAll(w.reload());
          ready.add(w);
        } else {
          refused.add(w);
        }
      }
      waiting.clear();
    }
    // Off this thread: what follows is the pollers' work (encoding, sending).
    for (Waiter w : ready) {
      Schedulers.parallel().schedule(() -> w.sink().success(t));
    }
    for (Waiter w : refused) {
      w.sink().error(new NotOwnedException(w.key()));
    }
  }

  /** Whether the open transaction holds pages for at least {@code interval}. */
  boolean due(Duration interval) {
    synchronized (lock) {
      return open != null && open.pages > 0 && System.nanoTime() - open.firstPageNanos >= interval.toNanos();
    }
  }

  /** How long the open transaction has held pages (0 when it holds none). */
  long openAgeNanos() {
    synchronized (lock) {
      return open == null || open.pages == 0 ? 0 : System.nanoTime() - open.firstPageNanos;
    }
  }

  boolean isOpen() {
    synchronized (lock) {
      return open != null;
    }
  }

  /**
   * Closes the open transaction to new pages, waits (at most {@code idleTimeout}) until its pages are
   * acknowledged, then commits it with the group's metadata — or aborts it when a page failed, the
   * wait timed out, or the group coordinator refused the commit. Blocks; does not open the next one.
   *
   * @param offsetsFor the offsets to commit for the group given what the transaction wrote (offsets
   *     partition → next offset); empty: the member owns nothing and cannot be fenced, so abort
   * @param groupMetadata the consumer's current {@code groupMetadata()} (read on the calling thread)
   */
  Outcome commit(Function<Map<Integer, Long>, Map<TopicPartition, OffsetAndMetadata>> offsetsFor,
      Supplier<ConsumerGroupMetadata> groupMetadata, Duration idleTimeout) {
    Txn t = close();
    if (t == null) {
      return IDLE;
    }
    awaitIdle(t, idleTimeout);
    Map<Integer, Long> written;
    synchronized (lock) {
      written = Map.copyOf(t.written);
    }
    if (t.failure == null) {
      Map<TopicPartition, OffsetAndMetadata> groupOffsets = offsetsFor.apply(written);
      if (groupOffsets.isEmpty()) {
        t.fail(new IllegalStateException("this instance owns no offsets partition, so the group could not fence"
            + " the transaction; it is aborted"));
      } else {
        try {
          sink.sendOffsetsToTransaction(groupOffsets, groupMetadata.get()).block(opTimeout);
          sink.commitTransaction().block(opTimeout);
          synchronized (lock) {
            t.finished = true;
            closing = null;
          }
          committed.incrementAndGet();
          t.result.tryEmitEmpty();
          return new Outcome.Committed(t.id, t.pages, written);
        } catch (RuntimeException e) {
          t.fail(e);
        }
      }
    }
    return abort(t);
  }

  /** Aborts the open transaction (the member lost its partitions: committing would be refused). */
  Outcome abortOpen(Throwable cause, Duration idleTimeout) {
    Txn t = close();
    if (t == null) {
      return IDLE;
    }
    t.fail(cause);
    awaitIdle(t, idleTimeout);
    return abort(t);
  }

  private Txn close() {
    synchronized (lock) {
      Txn t = open;
      if (t == null || t.pages == 0) {
        return null;
      }
      open = null;
      closing = t;
      t.closing = true;
      if (t.active == 0) {
        t.idle.complete(null);
      }
      return t;
    }
  }

  private static void awaitIdle(Txn t, Duration timeout) {
    try {
      t.idle.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      t.fail(new IllegalStateException("pages of transaction " + t.id + " were not acknowledged by Kafka within "
          + timeout));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      t.fail(e);
    } catch (ExecutionException e) {
      t.fail(e.getCause());
    }
  }

  private Outcome abort(Txn t) {
    Set<String> dirty;
    Set<String> reload;
    synchronized (lock) {
      t.finished = true;
      closing = null;
      dirty = Set.copyOf(t.dirty);
      reload = Set.copyOf(t.reload);
    }
    Throwable cause = t.failure;
    PageAbortedException failed = new PageAbortedException(t.id, cause);
    Runnable signal = () -> t.result.tryEmitError(failed);
    if (cause instanceof KafkaFatalException) {
      return new Outcome.Fatal(dirty, cause, signal);
    }
    try {
      // Let records still in flight finish first: aborting under them can leave the idempotent
      // producer's sequence numbers out of step with the broker (OutOfOrderSequence).
      sink.flush().block(drainTimeout);
    } catch (RuntimeException e) {
      // still in flight after the drain timeout: abort regardless
    }
    try {
      sink.abortTransaction().block(opTimeout);
    } catch (RuntimeException e) {
      return new Outcome.Fatal(dirty, e, signal);
    }
    aborted.incrementAndGet();
    return new Outcome.Aborted(t.id, dirty, reload, cause, signal);
  }

  /** No more transactions: pages waiting for one fail, the open one (if any) fails its pages. */
  void shutdown() {
    List<Waiter> refused;
    Txn t;
    synchronized (lock) {
      closed = true;
      refused = new ArrayList<>(waiting);
      waiting.clear();
      t = open;
      open = null;
    }
    IllegalStateException stopping = new IllegalStateException("the connector is stopping; page not written");
    refused.forEach(w -> w.sink().error(stopping));
    if (t != null) {
      t.result.tryEmitError(stopping);
    }
  }

  long committedCount() {
    return committed.get();
  }

  long abortedCount() {
    return aborted.get();
  }

  /** The page's transaction was aborted: its session resumes from its committed offsets. */
  static final class PageAbortedException extends WriteAbortedException {
    PageAbortedException(long txn, Throwable cause) {
      super("transaction " + txn + " was aborted (" + (cause == null ? "no cause" : cause.getMessage())
          + "); the session resumes from its committed offsets", cause);
    }
  }
}

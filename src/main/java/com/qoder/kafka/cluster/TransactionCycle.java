package com.qoder.kafka.cluster;

import com.qoder.kafka.kafka.KafkaFatalException;
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
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * The life of this instance's transactions: one is open at a time; pages (and change steps) are
 * admitted into it, wait for the next when none is open, and leave when their records are
 * acknowledged; the membership thread closes it to new pages, waits until none is half-way, and
 * commits it with the group's metadata — or aborts it. {@link PageTransactions} writes the records
 * that travel in these transactions.
 *
 * <p>Why a page cannot straddle two transactions: its events and its offset record must become
 * visible together or not at all, so a transaction is committed only when no admitted page is
 * half-way ({@code active == 0}), and a page admitted once keeps its transaction (its ticket).
 *
 * <p>Thread-safety: admission ({@link #enlist}, {@link #enlistUnit}, {@link #leave}) from pollers on
 * any thread; {@link #begin}, {@link #commit}, {@link #abortOpen} on the membership thread only,
 * which blocks on the producer there (never a Reactor thread). State is guarded by one lock.
 */
final class TransactionCycle {

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

  /** The ticket-less name of a lifecycle unit. */
  static final String UNIT = "lifecycle unit";

  private final TransactionalProducer producer;
  private final Duration drainTimeout;
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

  /** @param drainTimeout how long an abort lets records still in flight finish first */
  TransactionCycle(TransactionalProducer producer, Duration drainTimeout) {
    this.producer = producer;
    this.drainTimeout = drainTimeout;
  }

  /**
   * A page (or change unit) waiting for the next transaction: {@code key} names its ticket (a session
   * id, or a change source's offset key), {@code permitted} is the ownership check at admission,
   * {@code reload} the sessions whose lifecycle state follows the transaction's fate.
   */
  private record Waiter(String key, boolean ticket, BooleanSupplier permitted, Collection<String> reload,
      MonoSink<Txn> sink) {}

  /** One transaction of the producer. Fields are guarded by the cycle's lock unless volatile. */
  static final class Txn {
    final long id;
    final Set<String> dirty = new HashSet<>();
    /** Sessions with lifecycle records in this transaction. */
    final Set<String> reload = new HashSet<>();
    final Map<Integer, Long> written = new HashMap<>();
    final CompletableFuture<Void> idle = new CompletableFuture<>();
    final Sinks.Empty<Void> result = Sinks.empty();
    /** Completes when committed, fails when aborted; off the membership thread, which must not run pollers' work. */
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

    /** The first failure wins: the transaction must not commit. */
    synchronized void fail(Throwable t) {
      if (failure == null) {
        failure = t;
      }
    }
  }

  // ---- admission (pollers, any thread) -----------------------------------------------------------

  /**
   * The open transaction for a page or write under {@code key}, or the next one when none is open;
   * {@code ticket}: the page's later offset write joins the same transaction ({@link #takeTicket}).
   */
  Mono<Txn> enlist(String key, boolean ticket, BooleanSupplier permitted, Collection<String> reload) {
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
   * The transaction for a lifecycle unit of {@code ids}: the one of an events page of one of them
   * when a page is in progress, else the open one (or the one being committed while pages are still
   * in it), else the next.
   */
  Mono<Txn> enlistUnit(List<String> ids, Predicate<String> mayWriteLifecycle) {
    BooleanSupplier permitted = () -> ids.stream().allMatch(mayWriteLifecycle);
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
          refused = new NotOwnedException(ids.stream().filter(mayWriteLifecycle.negate()).findFirst()
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

  /** The transaction a page under {@code key} was admitted to with a ticket (null: none), which it leaves. */
  Txn takeTicket(String key) {
    synchronized (lock) {
      return tickets.remove(key);
    }
  }

  /**
   * A session's offset record joins {@code t}: from here its state in memory is ahead of what is
   * committed. False when {@code t} already ended (aborted): the record must not be sent.
   */
  boolean markDirty(Txn t, String sessionId) {
    synchronized (lock) {
      if (t.finished) {
        return false;
      }
      t.dirty.add(sessionId);
      return true;
    }
  }

  boolean isFinished(Txn t) {
    synchronized (lock) {
      return t.finished;
    }
  }

  /** An offset record of {@code t} was acknowledged: the group offsets committed with it follow it. */
  void written(Txn t, RecordMetadata md) {
    synchronized (lock) {
      t.written.merge(md.partition(), md.offset() + 1, Math::max);
    }
  }

  /** Under the lock. */
  private void admit(Txn t, String key, boolean ticket) {
    if (t.pages == 0) {
      t.firstPageNanos = System.nanoTime();
    }
    t.active++;
    t.pages++;
    if (ticket) {
      tickets.put(key, t);
    }
  }

  /** The page under {@code key} is done with {@code t} (acknowledged or failed). */
  void leave(Txn t, String key, boolean ticket) {
    synchronized (lock) {
      if (ticket) {
        tickets.remove(key, t);
      }
      t.active--;
      if (t.closing && t.active == 0) {
        t.idle.complete(null);
      }
    }
  }

  // ---- the membership thread's side -------------------------------------------------------------

  /** Opens the next transaction and lets the waiting pages in. Blocks. */
  void begin() {
    synchronized (lock) {
      if (closed || open != null) {
        return;
      }
    }
    producer.begin().block(producer.callTimeout());
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
    return commit(close(), offsetsFor, groupMetadata, idleTimeout);
  }

  /**
   * {@link #commit}s the open transaction if none of its pages is in flight; null (nothing done) if
   * one is. Checked and closed under one lock, so no page joins in between; the commit itself runs
   * outside it (pollers admit pages under that lock).
   */
  Outcome commitIfIdle(Function<Map<Integer, Long>, Map<TopicPartition, OffsetAndMetadata>> offsetsFor,
      Supplier<ConsumerGroupMetadata> groupMetadata, Duration idleTimeout) {
    Txn t;
    synchronized (lock) {
      if (open != null && open.active > 0) {
        return null;
      }
      t = close();
    }
    return commit(t, offsetsFor, groupMetadata, idleTimeout);
  }

  private Outcome commit(Txn t, Function<Map<Integer, Long>, Map<TopicPartition, OffsetAndMetadata>> offsetsFor,
      Supplier<ConsumerGroupMetadata> groupMetadata, Duration idleTimeout) {
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
          producer.sendOffsets(groupOffsets, groupMetadata.get()).block(producer.callTimeout());
          producer.commit().block(producer.callTimeout());
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
      producer.flush().block(drainTimeout);
    } catch (RuntimeException e) {
      // still in flight after the drain timeout: abort regardless
    }
    try {
      producer.abort().block(producer.callTimeout());
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

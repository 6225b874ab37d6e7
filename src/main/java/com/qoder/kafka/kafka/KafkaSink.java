package com.qoder.kafka.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The connector's only way into Kafka: a reactive bridge over one
 * {@code KafkaProducer<byte[], byte[]>} (acks=all, idempotent) with a global bound on the records
 * and bytes in flight.
 *
 * <h2>Flow</h2>
 * <ol>
 *   <li>{@link #submit(List)} queues the records for in-flight capacity (FIFO, non-blocking: the
 *       returned Mono simply completes later). When Kafka is slow or down, acknowledgements stop,
 *       capacity is not returned, {@code submit} stops completing, and the caller stops polling —
 *       so the heap is bounded by {@link KafkaSinkOptions#maxInFlightBytes()}, not by the backlog.
 *   <li>Granted records are handed to the producer on one dedicated thread,
 *       {@code qoder-kafka-send-<clientId>}: {@code Producer.send} blocks while it waits for
 *       topic metadata or buffer space, and must never run on a Reactor or Netty thread. A single
 *       thread also keeps the hand-over order equal to the submission order, which with
 *       idempotence (≤ 5 requests in flight) keeps per-partition order.
 *   <li>The producer's callback (on Kafka's network thread) returns the capacity and records the
 *       outcome; {@link SubmittedBatch#acknowledged()} completes on the callback scheduler once
 *       every record of the batch is acknowledged. Nothing ever calls {@code Future.get()}.
 * </ol>
 *
 * <h2>Failures</h2>
 * A broker outage does not fail records: the delivery timeout is effectively unbounded by default
 * and the producer retries; a {@code send} that times out waiting for metadata (the record was
 * never appended, so trying again cannot duplicate it) is retried on the send thread with a
 * warning. A record Kafka can never accept completes as a {@link RecordRejectedException} inside
 * its {@link SendResult}: checked against {@link #maxRecordBytes(String)} — {@code max.request.size},
 * or less for a topic whose {@code max.message.bytes} is smaller ({@link #limitRecordSize}) — before
 * the producer sees it, so it can neither poison a transaction nor reach the broker out of order. Fatal producer errors ({@link KafkaFatalException}) put the
 * sink in a failed state in which it refuses new records. Everything else is a
 * {@link KafkaDeliveryException}: the record is not acknowledged, the caller must not advance its
 * offset.
 *
 * <h2>Thread-safety</h2>
 * All methods are thread-safe and non-blocking, except {@link #create} and {@link #close(Duration)}
 * which block (start-up and shut-down only).
 */
public final class KafkaSink implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(KafkaSink.class);
  private static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);

  /** OPEN → (FAILED) → DRAINING (close waits, still accepting follow-up writes) → CLOSING → CLOSED. */
  private enum State { OPEN, FAILED, DRAINING, CLOSING, CLOSED }

  private final KafkaSinkOptions options;
  private final Producer<byte[], byte[]> producer;
  private final SendThread sendThread;
  private final Scheduler callbackScheduler;
  private final InFlightLimiter<Pending> limiter;
  private final AtomicReference<State> state = new AtomicReference<>(State.OPEN);
  private final Set<SubmittedBatch> unfinished = ConcurrentHashMap.newKeySet();
  /** Topics whose records must stay below max.request.size (their max.message.bytes is smaller). */
  private final Map<String, Integer> topicLimits = new ConcurrentHashMap<>();
  private volatile KafkaFatalException fatal;

  private KafkaSink(KafkaSinkOptions options, Producer<byte[], byte[]> producer) {
    this.options = options;
    this.producer = producer;
    // One callback thread per sink: outcomes reach callers off Kafka's network thread, in the
    // order they happened, and flush() completes only after the outcomes before it were delivered.
    this.callbackScheduler = Schedulers.newSingle("qoder-kafka-callback-" + options.clientId(), true);
    this.sendThread = new SendThread(options, producer, callbackScheduler, () -> fatal, this::enterFailedState,
        () -> state.get() == State.CLOSED);
    this.limiter = new InFlightLimiter<>(options.maxInFlightRecords(), options.maxInFlightBytes(),
        p -> p.bytes, sendThread::handOver);
  }

  /**
   * Creates the producer and, in exactly-once mode, initializes its transactions (which fences any
   * older producer with the same transactional id). Blocks: call at start-up.
   */
  public static KafkaSink create(KafkaSinkOptions options) {
    Objects.requireNonNull(options, "options");
    KafkaProducer<byte[], byte[]> producer;
    try {
      producer = new KafkaProducer<>(options.producerConfig());
    } catch (KafkaException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new KafkaFatalException("cannot create the Kafka producer for " + options.bootstrapServers() + ": "
          + cause.getMessage() + "; check the bootstrap servers and the Kafka client properties", e);
    }
    KafkaSink sink = new KafkaSink(options, producer);
    if (options.transactional()) {
      try {
        sink.sendThread.initTransactions().block(options.maxBlock().plus(Duration.ofSeconds(5)));
      } catch (RuntimeException e) {
        sink.close(Duration.ZERO);
        throw e;
      }
    }
    log.info("Kafka sink '{}' ready: bootstrap={}, compression={}, in-flight bound {} records / {} bytes{}",
        options.clientId(), options.bootstrapServers(), options.compression(), options.maxInFlightRecords(),
        options.maxInFlightBytes(), options.transactional() ? ", transactional id " + options.transactionalId() : "");
    return sink;
  }

  public KafkaSinkOptions options() {
    return options;
  }

  /**
   * The largest record ({@link OutboundRecord#estimatedSizeInBytes()}) this sink hands to the
   * producer for {@code topic}; larger ones are rejected at once with
   * {@link RecordRejectedException.Reason#RECORD_TOO_LARGE}. Callers that must keep a record's
   * place (the events topic) check it before sending.
   */
  public int maxRecordBytes(String topic) {
    Integer limit = topicLimits.get(topic);
    return limit == null ? options.maxRequestSizeBytes() : Math.min(limit, options.maxRequestSizeBytes());
  }

  /**
   * Lowers the record limit of {@code topic} below {@code max.request.size}, for a topic whose
   * {@code max.message.bytes} is smaller ({@link TopicSpec#maxRecordBytesWithin}): the broker would
   * refuse such records after later ones were sent — out of order, and fatal to a transaction. Call
   * at start-up, before records for the topic are submitted. Thread-safe.
   */
  public void limitRecordSize(String topic, int maxBytes) {
    Objects.requireNonNull(topic, "topic");
    if (maxBytes < 1) {
      throw new IllegalArgumentException("maxBytes must be positive, was " + maxBytes);
    }
    topicLimits.put(topic, maxBytes);
  }

  /**
   * Queues {@code records} for sending. The Mono completes (on the callback scheduler) once every
   * record got in-flight capacity and was handed to the producer — the moment the caller may fetch
   * more. Records too large for Kafka do not take capacity: they come back rejected in
   * {@link SubmittedBatch#acknowledged()}.
   *
   * <p>Cancelling before completion withdraws the records still waiting for capacity (they finish
   * as {@link KafkaDeliveryException}); records already handed over are sent regardless.
   *
   * <p>Errors at once with {@link KafkaFatalException} after a fatal error, and with
   * {@link KafkaDeliveryException} once the sink is closing. Cold: every subscription sends the
   * records again.
   */
  public Mono<SubmittedBatch> submit(List<OutboundRecord> records) {
    return submit(records, false);
  }

  private Mono<SubmittedBatch> submit(List<OutboundRecord> records, boolean ahead) {
    Objects.requireNonNull(records, "records");
    return Mono.defer(() -> {
      KafkaSinkException refusal = refusal();
      if (refusal != null) {
        return Mono.error(refusal);
      }
      List<OutboundRecord> copy = List.copyOf(records);
      SubmittedBatch batch = new SubmittedBatch(copy, callbackScheduler);
      List<Pending> toSend = new ArrayList<>(copy.size());
      List<Integer> tooLarge = new ArrayList<>();
      for (int i = 0; i < copy.size(); i++) {
        int size = copy.get(i).estimatedSizeInBytes();
        if (size > maxRecordBytes(copy.get(i).topic())) {
          tooLarge.add(i);
        } else {
          toSend.add(new Pending(this, batch, i, copy.get(i), size));
        }
      }
      if (!batch.isFinished()) {
        unfinished.add(batch);
        batch.finished().doFinally(s -> unfinished.remove(batch)).subscribe(v -> { }, e -> { });
      }
      for (int i : tooLarge) {
        OutboundRecord r = copy.get(i);
        batch.handedOver();
        batch.complete(i, null, SendErrors.classify(new RecordTooLargeException("the record is "
            + r.estimatedSizeInBytes() + " bytes with framing, more than the " + maxRecordBytes(r.topic())
            + " bytes topic '" + r.topic() + "' takes (" + (maxRecordBytes(r.topic()) < options.maxRequestSizeBytes()
                ? "limited by the topic's max.message.bytes" : "max.request.size, kafka.max-record-bytes") + ")"), r));
      }
      if (toSend.isEmpty()) {
        return Mono.just(batch);
      }
      return Mono.<SubmittedBatch>create(accepted -> {
        batch.onHandedOver(() -> accepted.success(batch));
        accepted.onCancel(() -> withdraw(toSend));
        if (!limiter.acquire(toSend, ahead)) {
          KafkaSinkException closed = refusalOrClosed();
          accepted.error(closed); // first, so the hand-over signal of the failed records cannot turn it into success
          toSend.forEach(p -> p.finishWithoutCapacity(closed));
        }
      }).publishOn(callbackScheduler);
    });
  }

  /**
   * Sends {@code records} and completes once the broker acknowledged (or rejected) every one of
   * them: {@code submit(records).flatMap(SubmittedBatch::acknowledged)}.
   */
  public Mono<List<SendResult>> sendAll(List<OutboundRecord> records) {
    return submit(records).flatMap(SubmittedBatch::acknowledged);
  }

  /** Sends one record; a rejected record errors with {@link RecordRejectedException}. */
  public Mono<RecordMetadata> send(OutboundRecord record) {
    return acknowledgedOne(submit(List.of(record), false));
  }

  /**
   * {@link #send}, queued ahead of the records that wait for in-flight capacity (only behind earlier
   * such records): for offset records, which follow an acknowledged page and should reach Kafka
   * right after it — the bound on what a crash delivers twice is what they leave behind.
   */
  public Mono<RecordMetadata> sendAhead(OutboundRecord record) {
    return acknowledgedOne(submit(List.of(record), true));
  }

  private static Mono<RecordMetadata> acknowledgedOne(Mono<SubmittedBatch> submitted) {
    return submitted.flatMap(SubmittedBatch::acknowledged).map(results -> {
      SendResult result = results.get(0);
      if (result.rejection() != null) {
        throw result.rejection();
      }
      return result.metadata();
    });
  }

  /**
   * Completes when every batch submitted before this call has finished (acknowledged, rejected or
   * failed — failures are reported to their own submitters, not here) and their outcomes were
   * delivered to subscribers of {@link SubmittedBatch#acknowledged()} that subscribed before this
   * call (same callback thread, in order). Does not block any thread; bound it with
   * {@code .timeout(...)}: during a broker outage it waits for the broker.
   */
  public Mono<Void> flush() {
    List<Mono<Void>> pending = unfinished.stream()
        .map(b -> b.finished().onErrorResume(e -> Mono.empty()))
        .toList();
    return Mono.when(pending).publishOn(callbackScheduler)
        .onErrorResume(RejectedExecutionException.class, e -> Mono.when(pending)); // closed: see SubmittedBatch
  }

  // ---- exactly-once support (transactionalId set) ------------------------------------------

  /** Begins a transaction, in order with the sends on the producer thread. */
  public Mono<Void> beginTransaction() {
    requireTransactional();
    return sendThread.beginTransaction();
  }

  /**
   * Adds the consumer offsets to the current transaction: committed only if the transaction
   * commits, and refused if {@code groupMetadata} shows this member was fenced by a rebalance.
   */
  public Mono<Void> sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets,
      ConsumerGroupMetadata groupMetadata) {
    requireTransactional();
    Map<TopicPartition, OffsetAndMetadata> copy = Map.copyOf(offsets);
    return sendThread.sendOffsetsToTransaction(copy, groupMetadata);
  }

  /** Commits the current transaction (the producer flushes its records first). */
  public Mono<Void> commitTransaction() {
    requireTransactional();
    return sendThread.commitTransaction();
  }

  /** Aborts the current transaction; its records complete with {@link KafkaDeliveryException}. */
  public Mono<Void> abortTransaction() {
    requireTransactional();
    return sendThread.abortTransaction();
  }

  // ---- observability ------------------------------------------------------------------------

  /** Records handed to the producer and not yet acknowledged or failed. */
  public int inFlightRecords() {
    return limiter.inFlightRecords();
  }

  /** Their estimated size ({@link OutboundRecord#estimatedSizeInBytes()}). */
  public long inFlightBytes() {
    return limiter.inFlightBytes();
  }

  /** High-water mark of {@link #inFlightBytes()} since creation. */
  public long maxObservedInFlightBytes() {
    return limiter.maxObservedBytes();
  }

  /** High-water mark of {@link #inFlightRecords()} since creation. */
  public int maxObservedInFlightRecords() {
    return limiter.maxObservedRecords();
  }

  /** Records submitted and still waiting for in-flight capacity. */
  public int waitingRecords() {
    return limiter.waitingRecords();
  }

  public boolean isFailed() {
    return state.get() == State.FAILED;
  }

  // ---- shutdown -----------------------------------------------------------------------------

  @Override
  public void close() {
    close(DEFAULT_CLOSE_TIMEOUT);
  }

  /**
   * Shuts down within {@code timeout}, in two steps.
   *
   * <ol>
   *   <li>Drain: wait until every submitted batch has finished. Submissions are still accepted in
   *       this step, so callers reacting to acknowledgements can still write the matching offset
   *       records; the step ends when nothing is left or the deadline passes.
   *   <li>Close: refuse new records, fail those still waiting for capacity (never sent), close the
   *       producer with the time left — records still unacknowledged then complete with
   *       {@link KafkaDeliveryException}, so no offset moves past them.
   * </ol>
   * Blocks (call it at shut-down, not on a Reactor or Netty thread); idempotent.
   */
  public void close(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    State previous = state.getAndUpdate(s -> s == State.OPEN || s == State.FAILED ? State.DRAINING : s);
    if (previous != State.OPEN && previous != State.FAILED) {
      return;
    }
    try {
      while (!unfinished.isEmpty() && remaining(deadline).toMillis() > 0) {
        flush().block(remaining(deadline));
      }
    } catch (RuntimeException e) {
      log.warn("Kafka sink '{}': {} records still unacknowledged after {}; closing anyway",
          options.clientId(), inFlightRecords(), timeout);
    }
    state.set(State.CLOSING);
    // Records that never got capacity were never sent: fail them so their offsets stay put.
    KafkaDeliveryException closing = new KafkaDeliveryException(
        "the Kafka sink is closing; the record was not sent", null, false);
    for (Pending p : limiter.close()) {
      p.finishWithoutCapacity(closing);
    }
    sendThread.stop(remaining(deadline));
    try {
      // Unacknowledged records fail in their callbacks once this deadline passes.
      producer.close(remaining(deadline));
    } catch (RuntimeException e) {
      log.warn("Kafka sink '{}': closing the producer failed: {}", options.clientId(), e.toString());
    }
    sendThread.stopNow();
    // Deliver the outcomes the producer reported while closing, then stop the callback thread.
    callbackScheduler.disposeGracefully().timeout(Duration.ofSeconds(5)).onErrorResume(e -> Mono.empty()).block();
    state.set(State.CLOSED);
    log.info("Kafka sink '{}' closed", options.clientId());
  }

  private static Duration remaining(long deadlineNanos) {
    return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
  }

  // ---- internals ----------------------------------------------------------------------------

  private KafkaSinkException refusal() {
    KafkaFatalException f = fatal;
    if (f != null) {
      return f;
    }
    State s = state.get();
    if (s != State.OPEN && s != State.DRAINING) {
      return new KafkaDeliveryException("the Kafka sink is " + s.name().toLowerCase() + "; record not sent",
          null, false);
    }
    return null;
  }

  private KafkaSinkException refusalOrClosed() {
    KafkaSinkException r = refusal();
    return r != null ? r : new KafkaDeliveryException("the Kafka sink is closed; record not sent", null, false);
  }

  private void withdraw(List<Pending> items) {
    KafkaDeliveryException cancelled = new KafkaDeliveryException(
        "the submission was cancelled before the record got in-flight capacity; it was not sent", null, true);
    for (Pending p : limiter.withdraw(items)) {
      p.finishWithoutCapacity(cancelled);
    }
  }

  private void requireTransactional() {
    if (!options.transactional()) {
      throw new IllegalStateException("this Kafka sink has no transactionalId; transactions need exactly-once "
          + "mode (set a transactional id)");
    }
  }

  /**
   * The broker refused a record that passed the size check (its topic's {@code max.message.bytes}
   * was lowered while running, or is not what start-up read): from now on records of that topic at
   * least this large are refused before sending, so the caller can put them aside in order, and a
   * transaction is not poisoned by the same refusal again.
   */
  void learnTopicLimit(OutboundRecord r, int size) {
    int before = maxRecordBytes(r.topic());
    if (size <= before) {
      topicLimits.merge(r.topic(), size - 1, Math::min);
      log.warn("Kafka sink '{}': the broker refused a record of {} bytes for topic '{}' (its max.message.bytes is"
          + " below the {} bytes the connector expected); records of the topic from {} bytes on now go to the"
          + " dead-letter topic. Check the topic's max.message.bytes against kafka.max-record-bytes.",
          options.clientId(), size, r.topic(), before, size);
    }
  }

  void enterFailedState(KafkaFatalException f) {
    if (fatal == null) {
      fatal = f;
      state.getAndUpdate(s -> s == State.OPEN ? State.FAILED : s);
      log.error("Kafka sink '{}' stopped: {}", options.clientId(), f.getMessage());
      for (Pending p : limiter.close()) {
        p.finishWithoutCapacity(f);
      }
    }
  }

  // ---- hooks of Pending, the callback of every record ----------------------------------------

  boolean isSendingNow(Pending p) {
    return sendThread.isSendingNow(p);
  }

  void release(long bytes) {
    limiter.release(bytes);
  }
}

package com.qoder.kafka.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;

/**
 * The one thread of a {@link KafkaSink} that talks to its producer, {@code qoder-kafka-send-<clientId>}:
 * it hands granted records to {@code Producer.send} (which blocks for metadata or buffer space, so
 * never on a Reactor or Netty thread) and runs the transactional operations in order with those
 * sends. Kept apart from the sink because everything here is confined to that thread.
 */
final class SendThread {

  // The sink's logger: these lines are the sink's, and log settings name it.
  private static final Logger log = LoggerFactory.getLogger(KafkaSink.class);

  private final KafkaSinkOptions options;
  private final Producer<byte[], byte[]> producer;
  private final Scheduler callbackScheduler;
  private final ExecutorService executor;
  private final Supplier<KafkaFatalException> fatal;
  private final Consumer<KafkaFatalException> onFatal;
  private final BooleanSupplier sinkClosed;
  private volatile Thread thread;
  /** The record being handed to the producer right now; read only on the send thread. */
  private Pending sendingNow;
  /** A transaction was begun and not yet committed or aborted; used only on the send thread. */
  private boolean inTransaction;

  /**
   * @param fatal the sink's fatal error, or null
   * @param onFatal puts the sink in its failed state
   * @param sinkClosed whether the sink is closed (a send timeout is then not retried)
   */
  SendThread(KafkaSinkOptions options, Producer<byte[], byte[]> producer, Scheduler callbackScheduler,
      Supplier<KafkaFatalException> fatal, Consumer<KafkaFatalException> onFatal, BooleanSupplier sinkClosed) {
    this.options = options;
    this.producer = producer;
    this.callbackScheduler = callbackScheduler;
    this.fatal = fatal;
    this.onFatal = onFatal;
    this.sinkClosed = sinkClosed;
    String threadName = "qoder-kafka-send-" + options.clientId();
    this.executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      thread = t;
      return t;
    });
  }

  /**
   * Whether {@code p}'s callback runs synchronously inside its own {@code send} on this thread —
   * then its failure means "not appended" and {@link #send} decides, not the callback.
   */
  boolean isSendingNow(Pending p) {
    return Thread.currentThread() == thread && sendingNow == p;
  }

  /** Called by the limiter, under its lock, with records in grant order: only enqueue them. */
  void handOver(List<Pending> granted) {
    try {
      executor.execute(() -> granted.forEach(this::send));
    } catch (RejectedExecutionException e) {
      // Unreachable while close() closes the limiter before the executor; kept so a bug cannot leak capacity.
      log.error("Kafka sink '{}': send thread gone, failing {} records", options.clientId(), granted.size());
      KafkaDeliveryException closed = new KafkaDeliveryException("the Kafka sink's send thread is stopped", e, false);
      granted.forEach(p -> callbackScheduler.schedule(() -> p.finish(null, closed)));
    }
  }

  private void send(Pending p) {
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(p.record.topic(), p.record.partition(), null,
        p.record.key(), p.record.value(), p.record.headers());
    try {
      while (true) {
        KafkaFatalException f = fatal.get();
        if (f != null) {
          p.finish(null, f);
          return;
        }
        p.immediateFailure = null;
        sendingNow = p;
        try {
          producer.send(record, p);
        } finally {
          sendingNow = null;
        }
        Exception immediate = p.immediateFailure;
        if (immediate == null) {
          return; // appended: the callback will report the outcome
        }
        if (immediate instanceof TimeoutException && !sinkClosed.getAsBoolean()) {
          // Metadata or buffer space did not arrive within max.block.ms. The record was never
          // appended, so sending it again cannot duplicate it; waiting here (and holding every
          // later record) is the backpressure we want while the cluster is unreachable.
          log.warn("Kafka sink '{}': no metadata or buffer space for topic '{}' within {} ({}); is the cluster "
              + "reachable and does the topic exist? Holding the record and retrying.",
              options.clientId(), p.record.topic(), options.maxBlock(), immediate.getMessage());
          continue;
        }
        p.finish(null, immediate);
        return;
      }
    } catch (RuntimeException e) {
      // Producer closed or in a failed transactional state: send threw instead of calling back.
      p.finish(null, e);
    } finally {
      p.batch.handedOver();
    }
  }

  // ---- transactions: on this thread, in order with the sends ---------------------------------

  Mono<Void> initTransactions() {
    return onSendThread("initTransactions", producer::initTransactions);
  }

  Mono<Void> beginTransaction() {
    return onSendThread("beginTransaction", () -> {
      producer.beginTransaction();
      inTransaction = true;
    });
  }

  Mono<Void> sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets,
      ConsumerGroupMetadata groupMetadata) {
    return onSendThread("sendOffsetsToTransaction", () -> producer.sendOffsetsToTransaction(offsets, groupMetadata));
  }

  Mono<Void> commitTransaction() {
    return onSendThread("commitTransaction", () -> {
      producer.commitTransaction();
      inTransaction = false;
    });
  }

  Mono<Void> abortTransaction() {
    return onSendThread("abortTransaction", () -> {
      producer.abortTransaction();
      inTransaction = false;
    });
  }

  private Mono<Void> onSendThread(String operation, Runnable action) {
    return Mono.<Void>create(done -> {
      try {
        executor.execute(() -> runTransactional(operation, action, done));
      } catch (RejectedExecutionException e) {
        done.error(new KafkaDeliveryException("the Kafka sink is closed; cannot " + operation, e, false));
      }
    }).publishOn(callbackScheduler);
  }

  private void runTransactional(String operation, Runnable action, MonoSink<Void> done) {
    try {
      action.run();
      done.success();
    } catch (RuntimeException e) {
      OutboundRecord context = new OutboundRecord("(transaction)", null, null, List.of(), operation);
      KafkaSinkException classified = SendErrors.classify(e, context);
      if (classified instanceof KafkaFatalException f) {
        onFatal.accept(f);
      }
      done.error(classified);
    }
  }

  // ---- shut-down -----------------------------------------------------------------------------

  /**
   * Lets the sends already queued finish (in exactly-once mode, then aborts a transaction still
   * open) and waits up to {@code timeout} for the thread to end.
   */
  void stop(Duration timeout) {
    if (options.transactional()) {
      executor.execute(this::abortOpenTransactionAtClose);
    }
    executor.shutdown();
    try {
      if (!executor.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("Kafka sink '{}': send thread still busy at close", options.clientId());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Interrupts the thread if still busy, after the producer was closed. */
  void stopNow() {
    executor.shutdownNow();
  }

  /**
   * On the send thread, after every send: a transaction still open is aborted here, explicitly.
   * Closing a producer inside a transaction makes its I/O thread abort it, and when the transaction
   * holds nothing (begun, never written to) that abort completes locally without a request, after
   * which the I/O thread idles in its network poll until {@code producer.close}'s timeout forces it
   * (the whole timeout, 30 s by default, spent doing nothing). Aborting first leaves no transaction to
   * close: the producer then closes at once. Records of the aborted transaction stay invisible to
   * {@code read_committed} readers; whoever wrote them learns it from their own outcome.
   */
  private void abortOpenTransactionAtClose() {
    if (!inTransaction || fatal.get() != null) {
      return; // nothing open, or a fenced/failed producer that cannot abort: close forces it
    }
    try {
      producer.abortTransaction();
      log.info("Kafka sink '{}': aborted the transaction still open at close", options.clientId());
    } catch (RuntimeException e) {
      log.warn("Kafka sink '{}': aborting the transaction still open at close failed: {}", options.clientId(),
          e.toString());
    } finally {
      inTransaction = false;
    }
  }
}

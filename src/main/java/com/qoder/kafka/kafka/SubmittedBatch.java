package com.qoder.kafka.kafka;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.RecordMetadata;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * A batch the {@link KafkaSink} has accepted: every record got in-flight capacity and was handed
 * to the producer. {@link #acknowledged()} completes once the broker answered for every record.
 *
 * <p>Two signals, because they drive two different things: acceptance lets the caller fetch the
 * next page (the sink has room), acknowledgement lets it advance the offset (the data is safe).
 */
public final class SubmittedBatch {

  private final List<OutboundRecord> records;
  private final SendResult[] results;
  private final AtomicInteger unfinished;
  private final AtomicInteger notHandedOver;
  private final Sinks.One<List<SendResult>> done = Sinks.one();
  /**
   * The outcome, moved once to the callback thread and cached: every subscriber that is there
   * when it arrives gets it in that one callback task, which {@link KafkaSink#flush()} relies on.
   */
  private final Mono<List<SendResult>> outcome;
  private volatile Throwable firstFailure;
  private volatile Runnable onHandedOver;

  SubmittedBatch(List<OutboundRecord> records, Scheduler callbackScheduler) {
    this.records = records;
    this.results = new SendResult[records.size()];
    this.unfinished = new AtomicInteger(records.size());
    this.notHandedOver = new AtomicInteger(records.size());
    this.outcome = done.asMono().publishOn(callbackScheduler)
        // After the sink closed its callback thread is gone, and records the producer fails while
        // closing report late: deliver them where they are reported, as what they are.
        .onErrorResume(RejectedExecutionException.class, e -> done.asMono())
        .cache();
    this.outcome.subscribe(v -> { }, e -> { });
    if (records.isEmpty()) {
      done.tryEmitValue(List.of());
    }
  }

  public int size() {
    return records.size();
  }

  public List<OutboundRecord> records() {
    return records;
  }

  /**
   * Completes with one {@link SendResult} per record, in submission order, once every record was
   * acknowledged or rejected ({@link RecordRejectedException}, for the dead-letter topic). Errors
   * with {@link KafkaFatalException} or {@link KafkaDeliveryException} if any record failed
   * otherwise — only after every record of the batch has finished, so no record of a failed batch
   * is still in flight when the caller reacts. The signal is delivered on the sink's callback
   * scheduler, never on Kafka's network thread.
   */
  public Mono<List<SendResult>> acknowledged() {
    return outcome;
  }

  /** Same as {@link #acknowledged()} but completes empty; failures still error. */
  Mono<Void> finished() {
    return outcome.then();
  }

  boolean isFinished() {
    return unfinished.get() == 0;
  }

  void onHandedOver(Runnable action) {
    this.onHandedOver = action;
  }

  /** Called on the send thread after the producer took record {@code index} (or refused it at once). */
  void handedOver() {
    if (notHandedOver.decrementAndGet() == 0) {
      Runnable action = onHandedOver;
      if (action != null) {
        action.run();
      }
    }
  }

  /** Records the outcome of record {@code index}; exactly once per record. */
  void complete(int index, RecordMetadata metadata, KafkaSinkException classified) {
    if (classified == null) {
      results[index] = new SendResult(records.get(index), metadata, null);
    } else {
      if (classified instanceof RecordRejectedException rejected) {
        results[index] = new SendResult(records.get(index), null, rejected);
      } else if (firstFailure == null) {
        synchronized (this) {
          if (firstFailure == null) {
            firstFailure = classified;
          }
        }
      }
    }
    if (unfinished.decrementAndGet() == 0) {
      Throwable failure = firstFailure;
      if (failure != null) {
        done.tryEmitError(failure);
      } else {
        done.tryEmitValue(List.copyOf(Arrays.asList(results)));
      }
    }
  }
}

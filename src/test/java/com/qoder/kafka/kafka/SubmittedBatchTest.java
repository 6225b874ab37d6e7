package com.qoder.kafka.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * A batch's outcome arrives as what it is even when it comes after the sink closed and its callback
 * thread is gone (records the producer fails while it closes): a caller must see the delivery
 * failure, not a rejected execution.
 */
class SubmittedBatchTest {

  @Test
  void anOutcomeReportedAfterTheCallbackThreadIsGoneStillArrivesAsItself() {
    Scheduler callbacks = Schedulers.newSingle("callbacks-test", true);
    OutboundRecord r = OutboundRecord.of("t", "k", new byte[1], List.of(), "c");
    SubmittedBatch batch = new SubmittedBatch(List.of(r), callbacks);
    callbacks.dispose();

    batch.complete(0, null, new KafkaDeliveryException("the producer closed before the broker acknowledged", null,
        false));

    StepVerifier.create(batch.acknowledged())
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(KafkaDeliveryException.class)
            .hasMessageContaining("producer closed"))
        .verify(Duration.ofSeconds(5));
  }
}

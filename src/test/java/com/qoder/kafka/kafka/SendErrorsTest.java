package com.qoder.kafka.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionAbortedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.junit.jupiter.api.Test;

/** One test per branch of the classifier. */
class SendErrorsTest {

  private static final OutboundRecord RECORD = OutboundRecord.of("events", "sess_1", new byte[10], List.of(), "evt_1");

  private static KafkaSinkException classify(Throwable t) {
    return SendErrors.classify(t, RECORD);
  }

  @Test
  void tooLargeIsARejectionCarryingTheCorrelation() {
    KafkaSinkException e = classify(new RecordTooLargeException("big"));
    assertThat(e).isInstanceOfSatisfying(RecordRejectedException.class, r -> {
      assertThat(r.reason()).isEqualTo(RecordRejectedException.Reason.RECORD_TOO_LARGE);
      assertThat(r.correlation()).isEqualTo("evt_1");
      assertThat(r.topic()).isEqualTo("events");
    });
    assertThat(e).hasMessageContaining("max.request.size").hasMessageContaining("max.message.bytes");
  }

  @Test
  void invalidRecordIsARejection() {
    assertThat(classify(new InvalidRecordException("compacted topic needs a key")))
        .isInstanceOfSatisfying(RecordRejectedException.class,
            r -> assertThat(r.reason()).isEqualTo(RecordRejectedException.Reason.INVALID_RECORD));
  }

  @Test
  void fencingIsFatal() {
    assertThat(classify(new ProducerFencedException("x"))).isInstanceOf(KafkaFatalException.class)
        .hasMessageContaining("fenced");
    assertThat(classify(new InvalidProducerEpochException("x"))).isInstanceOf(KafkaFatalException.class);
  }

  @Test
  void securityProblemsAreFatalAndSayWhatToGrant() {
    assertThat(classify(new TopicAuthorizationException("no"))).isInstanceOf(KafkaFatalException.class)
        .hasMessageContaining("WRITE").hasMessageContaining("'events'");
    assertThat(classify(new AuthenticationException("bad password"))).isInstanceOf(KafkaFatalException.class)
        .hasMessageContaining("sasl");
  }

  @Test
  void brokenSequenceAndOldBrokersAreFatal() {
    assertThat(classify(new OutOfOrderSequenceException("x"))).isInstanceOf(KafkaFatalException.class)
        .hasMessageContaining("out-of-order");
    assertThat(classify(new UnsupportedVersionException("x"))).isInstanceOf(KafkaFatalException.class);
  }

  @Test
  void timeoutsAndRetriableErrorsAreRetriableDeliveryFailures() {
    assertThat(classify(new TimeoutException("expired"))).isInstanceOfSatisfying(KafkaDeliveryException.class,
        d -> assertThat(d.retriable()).isTrue());
    assertThat(classify(new NotEnoughReplicasException("x"))).isInstanceOfSatisfying(KafkaDeliveryException.class,
        d -> assertThat(d.retriable()).isTrue());
    assertThat(classify(new TransactionAbortedException("x"))).isInstanceOfSatisfying(KafkaDeliveryException.class,
        d -> assertThat(d.getMessage()).contains("aborted"));
  }

  @Test
  void aClosedProducerAndUnknownErrorsAreNotRetriable() {
    assertThat(classify(new IllegalStateException("closed"))).isInstanceOfSatisfying(KafkaDeliveryException.class,
        d -> assertThat(d.retriable()).isFalse());
    assertThat(classify(new KafkaException("boom"))).isInstanceOfSatisfying(KafkaDeliveryException.class,
        d -> assertThat(d.retriable()).isFalse());
  }

  @Test
  void alreadyClassifiedErrorsPassThrough() {
    KafkaFatalException fatal = new KafkaFatalException("x", null);
    assertThat(classify(fatal)).isSameAs(fatal);
  }
}

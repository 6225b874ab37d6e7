package com.qoder.kafka.runtime;

import static com.qoder.kafka.kafka.KafkaTestSupport.await;
import static com.qoder.kafka.runtime.EventsPipelineTest.assertClean;
import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.IntegrationTest;
import com.qoder.kafka.checker.DeliveryChecker;
import com.qoder.kafka.checker.DeliveryReport;
import com.qoder.kafka.checker.Expected;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.EmbeddedKafka;
import com.qoder.kafka.kafka.KafkaSink;
import com.qoder.kafka.kafka.KafkaSinkOptions;
import com.qoder.kafka.registry.SchemaRegistry;
import com.qoder.kafka.sim.Endpoint;
import com.qoder.kafka.sim.QoderSimulator;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 3, acceptance (h): the broker is stopped for 30 s in the middle of a backfill. The bytes
 * handed to the producer and not acknowledged stay within {@code kafka.max-in-flight-bytes} (plus
 * one record), polling stops instead of filling the heap, and after the broker is back every event
 * arrives exactly once. Uses a broker of its own, since it stops it.
 */
@Tag("slow")
@IntegrationTest
class BrokerOutagePipelineTest {

  private static final Logger log = LoggerFactory.getLogger(BrokerOutagePipelineTest.class);
  private static final long BOUND = 2L * 1024 * 1024;
  private static final int SESSIONS = 60;
  private static final int PAGE = 100;
  private static final int EVENTS = 300;
  private static final Duration OUTAGE = Duration.ofSeconds(30);

  @Test
  void heapStaysBoundedWhileTheBrokerIsDownAndEverythingArrivesAfterwards() {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.defaults().withNumPartitions(3));
        QoderSimulator sim = QoderSimulator.builder().seed(121).sessions(SESSIONS).eventsPerSession(EVENTS)
            .releasedFraction(0).terminatedFraction(0).files(0).agents(0).maxResourcesPerSession(0)
            .historyEnd(Instant.now()).build().start()) {
      PipelineFixture f = PipelineFixture.of("outage", kafka.bootstrapServers(), sim)
          .set(Settings.MAX_IN_FLIGHT_BYTES.key(), "2MiB")
          .set(Settings.MAX_RECORD_BYTES.key(), "1MiB") // a record must fit in flight
          .set(Settings.PAGE_SIZE.key(), Integer.toString(PAGE));
      try (Connector connector = f.start(); SchemaRegistry registry = f.registry();
          DeliveryChecker checker = f.checker(registry)) {
        KafkaSink sink = connector.sink();
        await(Duration.ofSeconds(60), "the backfill is under way",
            () -> checker.check(Expected.all(sim.groundTruth())).delivered() >= 1_000);

        DeliveryReport beforeOutage = checker.check(Expected.all(sim.groundTruth()));
        kafka.stop();
        Instant down = Instant.now();
        long[] maxWaiting = {0};
        long[] maxInFlight = {0};
        // Not a sleep: the outage lasts 30 s by definition; meanwhile the sink is sampled.
        await(OUTAGE.plusSeconds(30), "a 30 s outage", () -> {
          maxWaiting[0] = Math.max(maxWaiting[0], sink.waitingRecords());
          maxInFlight[0] = Math.max(maxInFlight[0], sink.inFlightBytes());
          return Duration.between(down, Instant.now()).compareTo(OUTAGE) >= 0;
        });
        Instant up = Instant.now();
        long pollsDuringOutage = sim.requestLog().stream().filter(r -> r.endpoint() == Endpoint.EVENTS
            && r.time().isAfter(down.plusSeconds(5)) && r.time().isBefore(up)).count();
        kafka.restart();

        DeliveryReport report = checker.awaitDelivered(Duration.ofSeconds(120), () -> Expected.all(sim.groundTruth()));
        log.info("broker outage of {}: in-flight bytes max {} (bound {}), waiting records max {}, event requests "
                + "after the first 5 s of the outage {}, delivered before the outage {}\n{}",
            OUTAGE, sink.maxObservedInFlightBytes(), BOUND, maxWaiting[0], pollsDuringOutage,
            beforeOutage.delivered(), report);
        assertClean(report);
        assertThat(report.delivered()).isEqualTo((long) SESSIONS * EVENTS);
        // The sink's own accounting: never more unacknowledged bytes than the bound plus one record.
        assertThat(sink.maxObservedInFlightBytes())
            .isLessThanOrEqualTo(BOUND + KafkaSinkOptions.DEFAULT_MAX_REQUEST_SIZE_BYTES);
        assertThat(maxInFlight[0]).isLessThanOrEqualTo(BOUND + KafkaSinkOptions.DEFAULT_MAX_REQUEST_SIZE_BYTES);
        // Records queued for capacity stay within one page per session, and polling stopped. (Whether
        // any queued at all depends on timing: the group member may already have stopped its pollers
        // because the outage outlasted the group session timeout — also a stop, by another path.)
        assertThat(maxWaiting[0]).isLessThanOrEqualTo((long) SESSIONS * (PAGE + 1));
        assertThat(pollsDuringOutage).isLessThanOrEqualTo(SESSIONS);
        assertThat(connector.fatalError()).isEmpty();
      } finally {
        f.dropRegistry();
      }
    }
  }
}

package com.qoder.kafka.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.IntegrationTest;
import com.qoder.kafka.checker.DeliveryChecker;
import com.qoder.kafka.checker.DeliveryReport;
import com.qoder.kafka.checker.Expected;
import com.qoder.kafka.kafka.KafkaTestSupport;
import com.qoder.kafka.registry.SchemaRegistry;
import com.qoder.kafka.sim.QoderSimulator;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 3, acceptance (a): a backfill of 200 sessions × 500 events reaches Kafka exactly once, in
 * the API's order per session, keyed by session id, each value readable with the schema its id
 * names — the id registered under {@code qoder.session-events-value}.
 */
@IntegrationTest
class BackfillPipelineTest {

  private static final Logger log = LoggerFactory.getLogger(BackfillPipelineTest.class);
  static final int SESSIONS = 200;
  static final int EVENTS_PER_SESSION = 500;

  @Test
  void backfillArrivesExactlyOnceInApiOrder() {
    String bootstrap = KafkaTestSupport.sharedBroker().bootstrapServers();
    // Default topic names: this is the only test on the shared broker that uses them.
    DeliveryReport report = runBackfill(bootstrap, true);
    assertThat(report.schemaIds()).hasSize(1);
  }

  /**
   * Runs the backfill against {@code bootstrap} and checks it; shared with the Testcontainers
   * variant. Returns the final report (already asserted clean).
   */
  static DeliveryReport runBackfill(String bootstrap, boolean defaultTopics) {
    try (QoderSimulator sim = QoderSimulator.builder().seed(3).sessions(SESSIONS).eventsPerSession(EVENTS_PER_SESSION)
        .releasedFraction(0).terminatedFraction(0.1).files(0).agents(0).maxResourcesPerSession(0).build().start()) {
      PipelineFixture f = defaultTopics ? PipelineFixture.withDefaultTopics("backfill", bootstrap, sim)
          : PipelineFixture.of("backfill", bootstrap, sim);
      long started = System.nanoTime();
      try (Connector connector = f.start();
          SchemaRegistry registry = f.registry();
          DeliveryChecker checker = f.checker(registry)) {
        DeliveryReport report = checker.awaitDelivered(Duration.ofSeconds(180), () -> Expected.all(sim.groundTruth()));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        log.info("backfill of {} events in {} ms ({} events/s)\n{}", report.requiredEvents(), millis,
            report.requiredEvents() * 1000 / Math.max(1, millis), report);

        assertThat(report.requiredEvents()).isEqualTo((long) SESSIONS * EVENTS_PER_SESSION);
        assertThat(report.isClean()).as("%s", report).isTrue();
        assertThat(report.delivered()).isEqualTo(report.requiredEvents());
        assertThat(report.eventRecords()).isEqualTo(report.requiredEvents());
        int registered = registry.latest(f.eventsTopic() + "-value").id();
        assertThat(report.schemaIds()).isEqualTo(Set.of(registered));
        if (defaultTopics) {
          assertThat(f.eventsTopic() + "-value").isEqualTo("qoder.session-events-value");
        }
        // The session.error events of the history were copied to the alerts topic (checked per event).
        assertThat(report.errorRecords()).isPositive();
        assertThat(connector.fatalError()).isEmpty();
        return report;
      } finally {
        f.dropRegistry();
      }
    }
  }
}

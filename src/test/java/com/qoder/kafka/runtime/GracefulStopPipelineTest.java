package com.qoder.kafka.runtime;

import static com.qoder.kafka.kafka.KafkaTestSupport.await;
import static com.qoder.kafka.runtime.EventsPipelineTest.assertClean;
import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.IntegrationTest;
import com.qoder.kafka.checker.DeliveryChecker;
import com.qoder.kafka.checker.DeliveryReport;
import com.qoder.kafka.checker.Expected;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.KafkaTestSupport;
import com.qoder.kafka.registry.SchemaRegistry;
import com.qoder.kafka.sim.LiveMode;
import com.qoder.kafka.sim.QoderSimulator;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A graceful stop in exactly-once mode is prompt: pollers stop, the open transaction commits (or
 * aborts), the producer closes — seconds, not the whole {@code connector.shutdown-timeout} — and a
 * {@code read_committed} reader then sees every event exactly once after a restart finishes the job.
 */
@IntegrationTest
class GracefulStopPipelineTest {

  private static final Logger log = LoggerFactory.getLogger(GracefulStopPipelineTest.class);
  private static final Duration DELIVERY = Duration.ofSeconds(90);
  /** Well under the default shutdown timeout (30 s), which the test keeps. */
  private static final Duration PROMPT = Duration.ofSeconds(10);
  private static final int SESSIONS = 20;
  private static final int HISTORY = 200;

  @Test
  void exactlyOnceStopsPromptlyMidStreamAndWhenIdleAndLosesAndDuplicatesNothing() {
    try (QoderSimulator sim = QoderSimulator.builder().seed(303).sessions(SESSIONS).eventsPerSession(HISTORY)
        .releasedFraction(0).terminatedFraction(0).files(0).agents(0).maxResourcesPerSession(0)
        .historyEnd(Instant.now()).build().start()) {
      PipelineFixture f = PipelineFixture.of("graceful-eos", KafkaTestSupport.sharedBroker().bootstrapServers(), sim)
          .set(Settings.DELIVERY.key(), "exactly-once")
          .set(Settings.PAGE_SIZE.key(), "20")
          .set(Settings.SHUTDOWN_TIMEOUT.key(), Settings.SHUTDOWN_TIMEOUT.defaultValue())
          .set(Settings.SOURCE_RESOURCES.key(), "false")
          .set(Settings.SOURCE_FILES.key(), "false")
          .set(Settings.SOURCE_SESSIONS.key(), "false");
      Connector first = f.start();
      try (SchemaRegistry registry = f.registry(); DeliveryChecker checker = f.checker(registry)) {
        sim.liveMode(LiveMode.events(150));
        await(DELIVERY, "a third of the history delivered",
            () -> checker.check(Expected.all(sim.groundTruth())).delivered() >= SESSIONS * HISTORY / 3);
        Duration midStream = timedClose(first); // pages in flight, live events coming
        log.info("exactly-once graceful stop mid-stream took {} ms", midStream.toMillis());
        assertThat(first.fatalError()).isEmpty();
        assertThat(midStream).as("graceful stop mid-stream").isLessThan(PROMPT);
        DeliveryReport atStop = checker.check(Expected.all(sim.groundTruth()));
        assertThat(atStop.duplicated()).as("duplicates visible to read_committed at the stop: %s", atStop).isZero();
        assertThat(atStop.missing()).as("still to deliver at the stop").isPositive();

        Connector second = f.start();
        Duration idle;
        try {
          sim.liveMode(LiveMode.off());
          DeliveryReport report = checker.awaitDelivered(DELIVERY, () -> Expected.all(sim.groundTruth()));
          log.info("after the restart: {}", report);
          assertClean(report);
          assertThat(report.requiredEvents()).isEqualTo(sim.totalEvents());
        } finally {
          idle = timedClose(second); // nothing left to write: only the producer and the group to close
        }
        log.info("exactly-once graceful stop when idle took {} ms", idle.toMillis());
        assertThat(second.fatalError()).isEmpty();
        assertThat(idle).as("graceful stop when idle").isLessThan(PROMPT);
        DeliveryReport afterStop = checker.check(Expected.all(sim.groundTruth()));
        assertClean(afterStop);
      } finally {
        first.close();
        sim.liveMode(LiveMode.off());
        f.dropRegistry();
      }
    }
  }

  private static Duration timedClose(Connector c) {
    long t0 = System.nanoTime();
    c.close();
    return Duration.ofNanos(System.nanoTime() - t0);
  }
}

package com.qoder.kafka.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.IntegrationTest;
import com.qoder.kafka.checker.DeliveryChecker;
import com.qoder.kafka.checker.DeliveryReport;
import com.qoder.kafka.checker.Expected;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.KafkaTestSupport;
import com.qoder.kafka.runtime.Connector;
import com.qoder.kafka.sim.Faults.Trigger;
import com.qoder.kafka.sim.LiveMode;
import com.qoder.kafka.sim.QoderSimulator;
import com.qoder.kafka.sim.RequestRecord;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 defects 5 and 6 as rows of the fault matrix: the real connector, the adversarial
 * simulator over HTTP and a real broker; the independent checker counts every event in Kafka.
 */
@IntegrationTest
class DedupFaultsTest {

  private static final Duration DEADLINE = Duration.ofSeconds(90);
  private final String bootstrap = KafkaTestSupport.sharedBroker().bootstrapServers();

  /** Sessions longer than the de-dup window are delivered, then the API answers every cursor from the start. */
  @Test
  void replayFromTheStartLongerThanTheWindowDuplicatesNothing() {
    int sessions = 4;
    int events = 700; // longer than the 512-id window
    try (QoderSimulator sim = Fixtures.simulator(61, sessions, events).terminatedFraction(0).releasedFraction(0).liveMode(LiveMode.off()).build().start()) {
      Pipeline p = Pipeline.of("replay", bootstrap, sim, "mock://replay")
          .set(Settings.POLL_MIN.key(), "200ms").set(Settings.POLL_MAX.key(), "400ms");
      try (Connector c = Connector.start(p.config()); DeliveryChecker checker = Fixtures.checker(bootstrap, p)) {
        long total = sim.totalEvents();
        Fixtures.await(DEADLINE, "the backlog", () -> c.status().delivered() >= total);
        sim.faults().replayFromStart(Trigger.next(sessions * 3));
        Fixtures.await(DEADLINE, "every replay served", () -> replays(sim) >= sessions * 3);
        sim.appendEvents(sim.sessionIds().get(0), 5);
        row("REPLAY_FROM_START", replays(sim) + " cursors answered from the first event (" + events
            + "-event sessions, 512-id window)", sim, checker);
      }
    }
  }

  /**
   * Every cursor and fall-back rejected (400, document 003 note 3), so each session re-reads from its
   * first event; the instance stops during the re-read and a new one takes over.
   */
  @Test
  void aRestartDuringCursorRecoveryDuplicatesNothing() {
    int sessions = 4;
    int events = 2_000;
    try (QoderSimulator sim = Fixtures.simulator(62, sessions, events).terminatedFraction(0).releasedFraction(0).liveMode(LiveMode.off()).build().start()) {
      Pipeline p = Pipeline.of("recovery", bootstrap, sim, "mock://recovery")
          .set(Settings.POLL_MIN.key(), "200ms").set(Settings.POLL_MAX.key(), "400ms");
      try (DeliveryChecker checker = Fixtures.checker(bootstrap, p)) {
        long total = sim.totalEvents();
        try (Connector c = Connector.start(p.config())) {
          Fixtures.await(DEADLINE, "the backlog", () -> c.status().delivered() >= total);
          // The cursor and the 4 fall-back ids of each session rejected: re-reads from the first event.
          sim.faults().cursorRejected(Trigger.next(sessions * 5));
          Fixtures.await(DEADLINE, "re-reads started", () -> rereads(sim) >= sessions);
        } // stopped in the middle of the re-reads
        try (Connector c = Connector.start(p.config())) {
          Fixtures.await(DEADLINE, "the new instance polls", () -> c.sessions().polled() == sessions);
          row("RESTART_DURING_CURSOR_RECOVERY", rejected(sim) + " cursors rejected, " + rereads(sim)
              + " re-reads from the first event, instance restarted during them", sim, checker);
        }
      }
    }
  }

  private static long replays(QoderSimulator sim) {
    return sim.requestLog().stream().filter(r -> "replay_from_start".equals(r.fault())).count();
  }

  private static long rejected(QoderSimulator sim) {
    return sim.requestLog().stream().filter(r -> r.status() == 400).count();
  }

  private static long rereads(QoderSimulator sim) {
    return sim.requestLog().stream()
        .filter(r -> r.status() == 200 && r.endpoint() == com.qoder.kafka.sim.Endpoint.EVENTS
            && (r.query() == null || !r.query().contains("after")))
        .count() - sim.sessionIds().size(); // minus each session's first read
  }

  private static void row(String fault, String happened, QoderSimulator sim, DeliveryChecker checker) {
    DeliveryReport report = checker.awaitDelivered(DEADLINE, () -> Expected.all(sim.groundTruth()));
    java.util.List<RequestRecord> log = sim.requestLog();
    MatrixRow.report(fault, happened, report.requiredEvents(), report.missing(), report.duplicated(),
        MatrixRow.Figures.requests(log).withHeapAfterGc());
    Fixtures.assertCleanApartFromDuplicates(report);
    assertThat(report.duplicated()).as("duplicates: %s", report).isZero();
  }
}

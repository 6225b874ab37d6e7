package com.qoder.kafka.runtime;

import static com.qoder.kafka.kafka.KafkaTestSupport.await;
import static com.qoder.kafka.runtime.EventsPipelineTest.assertClean;
import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.IntegrationTest;
import com.qoder.kafka.ChildJvm;
import com.qoder.kafka.checker.DeliveryChecker;
import com.qoder.kafka.checker.DeliveryReport;
import com.qoder.kafka.checker.Expected;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.KafkaTestSupport;
import com.qoder.kafka.registry.SchemaRegistry;
import com.qoder.kafka.sim.LiveMode;
import com.qoder.kafka.sim.QoderSimulator;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 3, acceptance (c) and (d): a graceful restart loses and duplicates nothing; a SIGKILL of a
 * connector running in a child JVM loses nothing and duplicates at most the pages that were
 * acknowledged by Kafka but whose offsets were not yet written.
 */
@IntegrationTest
class RestartPipelineTest {

  private static final Logger log = LoggerFactory.getLogger(RestartPipelineTest.class);
  private static final Duration DELIVERY = Duration.ofSeconds(90);
  private static final int SESSIONS = 20;
  private static final int HISTORY = 200;
  private static final int PAGE = 20;

  private static QoderSimulator startSim(long seed) {
    return QoderSimulator.builder().seed(seed).sessions(SESSIONS).eventsPerSession(HISTORY).releasedFraction(0)
        .terminatedFraction(0).files(0).agents(0).maxResourcesPerSession(0).historyEnd(Instant.now()).build().start();
  }

  @Test
  void gracefulRestartMidStreamLosesAndDuplicatesNothing() {
    try (QoderSimulator sim = startSim(101)) {
      PipelineFixture f = PipelineFixture.of("graceful", KafkaTestSupport.sharedBroker().bootstrapServers(), sim)
          .set(Settings.PAGE_SIZE.key(), Integer.toString(PAGE));
      Connector first = f.start();
      try (SchemaRegistry registry = f.registry(); DeliveryChecker checker = f.checker(registry)) {
        sim.liveMode(LiveMode.events(150));
        await(DELIVERY, "a third of the history delivered",
            () -> checker.check(Expected.all(sim.groundTruth())).delivered() >= SESSIONS * HISTORY / 3);
        first.close(); // while pages are in flight and live events keep coming
        DeliveryReport atStop = checker.check(Expected.all(sim.groundTruth()));
        assertThat(atStop.missing()).as("still to deliver at the restart").isPositive();
        long createdAtStop = sim.totalEvents();
        try (Connector second = f.start()) {
          await(Duration.ofSeconds(30), "300 more live events", () -> sim.totalEvents() >= createdAtStop + 300);
          sim.liveMode(LiveMode.off());
          DeliveryReport report = checker.awaitDelivered(DELIVERY, () -> Expected.all(sim.groundTruth()));
          log.info("graceful restart: {}", report);
          assertClean(report);
          assertThat(report.requiredEvents()).isEqualTo(sim.totalEvents());
          assertThat(second.fatalError()).isEmpty();
        }
      } finally {
        first.close();
        sim.liveMode(LiveMode.off());
        f.dropRegistry();
      }
    }
  }

  @Test
  @Tag("slow")
  void sigkillMidStreamLosesNothingAndDuplicatesAtMostThePagesInFlight() throws Exception {
    try (QoderSimulator sim = startSim(111)) {
      String bootstrap = KafkaTestSupport.sharedBroker().bootstrapServers();
      // A 3 s group session: the restarted child gets the partitions once the killed one's session
      // expired (the default 10 s was most of the restart).
      PipelineFixture f = PipelineFixture.of("crash", bootstrap, sim).set(Settings.PAGE_SIZE.key(), Integer.toString(PAGE))
          .set(Settings.CLUSTER_SESSION_TIMEOUT.key(), "3s");
      // The child registers in the same real registry: decode with the schemas it holds, by id.
      try (DeliveryChecker checker = DeliveryChecker.builder(bootstrap).eventsTopic(f.eventsTopic())
          .errorsTopic(f.errorsTopic()).deadLetterTopic(f.deadLetterTopic()).registryUrl(f.registryUrl())
          .build()) {
        Process victim = startChild(f, sim, "crash-1");
        try {
          await(DELIVERY, () -> "the child delivers (log " + logFile("crash-1") + ")",
              () -> victim.isAlive() && checker.check(Expected.all(sim.groundTruth())).delivered() >= 200);
          sim.liveMode(LiveMode.events(100)); // from now on, new events race with the backfill
          await(DELIVERY, () -> "a third of the history delivered by the child (log " + logFile("crash-1") + ")",
              () -> victim.isAlive()
                  && checker.check(Expected.all(sim.groundTruth())).delivered() >= SESSIONS * HISTORY / 3);
        } finally {
          victim.destroyForcibly(); // SIGKILL: no shutdown hook, no flush, no final offsets
          assertThat(victim.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        DeliveryReport atKill = checker.check(Expected.all(sim.groundTruth()));
        log.info("at SIGKILL (exit {}): {}", victim.exitValue(), atKill);
        assertThat(atKill.missing()).as("still to deliver at the kill").isPositive();

        Process survivor = startChild(f, sim, "crash-2");
        DeliveryReport report;
        try {
          await(DELIVERY, "the restarted child delivers",
              () -> checker.check(Expected.all(sim.groundTruth())).delivered() > atKill.delivered());
          long now = sim.totalEvents();
          await(DELIVERY, "200 more live events", () -> sim.totalEvents() >= now + 200);
          sim.liveMode(LiveMode.off());
          report = checker.awaitDelivered(DELIVERY, () -> Expected.all(sim.groundTruth()));
        } finally {
          survivor.destroy(); // SIGTERM: the graceful path of the run command
          if (!survivor.waitFor(40, TimeUnit.SECONDS)) {
            survivor.destroyForcibly();
          }
        }
        log.info("after SIGKILL and restart: {} duplicate(s) in {} session(s) {}\n{}", report.duplicated(),
            report.duplicatesBySession().size(), report.duplicatesBySession(), report);
        assertThat(report.isCleanApartFromDuplicates()).as("%s", report).isTrue();
        assertThat(report.requiredEvents()).isEqualTo(sim.totalEvents());
        assertThat(report.schemaIds()).hasSize(1);
        // Duplicates come only from pages Kafka acknowledged whose offset record was not written
        // yet: at most one page per session that was being polled at the kill.
        assertThat(report.duplicatesBySession().values()).allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(PAGE));
        assertThat(report.duplicated()).isLessThanOrEqualTo((long) PAGE * SESSIONS);
        // The SIGTERM'd survivor wrote its final offsets: nothing new appears after it stopped.
        DeliveryReport afterStop = checker.check(Expected.all(sim.groundTruth()));
        assertThat(afterStop.duplicated()).isEqualTo(report.duplicated());
      } finally {
        sim.liveMode(LiveMode.off());
      }
    }
  }

  /** {@code java -cp <test class path> com.qoder.kafka.cli.Main run --set …}, token in the environment. */
  private static Process startChild(PipelineFixture f, QoderSimulator sim, String label) throws IOException {
    List<String> cmd = ChildJvm.command(List.of("-Xmx512m", "-XX:+UseSerialGC"), "com.qoder.kafka.cli.Main", "run");
    List<String> flags = f.asSetFlags();
    for (int i = 0; i + 1 < flags.size(); i += 2) {
      if (!flags.get(i + 1).startsWith(Settings.QODER_TOKEN.key() + "=")) { // never on a command line
        cmd.add(flags.get(i));
        cmd.add(flags.get(i + 1));
      }
    }
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(logFile(label));
    pb.environment().put("QODER_PAT", sim.token());
    pb.environment().keySet().removeIf(k -> k.startsWith("KAFKA_") || k.startsWith("QODER_") && !k.equals("QODER_PAT"));
    log.info("starting connector child JVM '{}', log {}", label, logFile(label));
    return ChildJvm.start(pb);
  }

  private static File logFile(String label) {
    Path dir = Path.of(System.getProperty("qoder.build.directory", "target"), "e2e-logs");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return dir.resolve(label + ".log").toFile();
  }
}

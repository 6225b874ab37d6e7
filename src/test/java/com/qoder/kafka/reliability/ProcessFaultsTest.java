package com.qoder.kafka.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.IntegrationTest;
import com.qoder.kafka.checker.DeliveryChecker;
import com.qoder.kafka.checker.DeliveryReport;
import com.qoder.kafka.checker.Expected;
import com.qoder.kafka.config.ConfigLoader;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.KafkaTestSupport;
import com.qoder.kafka.sim.LiveMode;
import com.qoder.kafka.sim.QoderSimulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The process half of the fault matrix: {@code qoder-kafka run} in child JVMs, killed and stopped
 * the way operators and orchestrators do it, against the test JVM's broker and the simulator in
 * live mode; the checker runs once at the end over everything the simulator ever served.
 */
@IntegrationTest
class ProcessFaultsTest {

  private static final Duration START_DEADLINE = Duration.ofSeconds(60);
  private static final Duration DELIVERY_DEADLINE = Duration.ofSeconds(90);
  private static final int KILL_CYCLES = 20;
  private static final int PAGE_SIZE = 50;
  /**
   * The group session of the SIGKILL loop: a restarted child gets its partitions once the killed
   * one's session has expired, so each cycle waits for it (the default 10 s made 20 cycles take
   * 170 s; the shared broker allows sessions down to 1 s).
   */
  private static final String KILL_LOOP_SESSION_TIMEOUT = "3s";

  private final String bootstrap = KafkaTestSupport.sharedBroker().bootstrapServers();

  /**
   * SIGKILL at random instants, 20 times in a row, restarting each time; one kill in five lands
   * during start-up (class loading, topic checks, offsets restore), the others while events flow.
   * At-least-once: what was acknowledged by Kafka but not yet recorded in the offsets topic when
   * the process died is produced again. The duplicate bound is what was in flight, measured after
   * each kill ({@link InFlightAtKill}): the events in the topic beyond each session's stored cursor.
   */
  @Test
  void sigkillTwentyTimesLosesNothing() {
    long seed = Long.getLong("reliability.seed", System.currentTimeMillis());
    Random random = new Random(seed);
    System.out.println("SIGKILL loop seed " + seed + " (rerun with -Dreliability.seed=" + seed + ")");
    long started = System.nanoTime();
    try (QoderSimulator sim = Fixtures.simulator(seed, 8, 100)
        .liveMode(LiveMode.events(60).withNewSessionsPerSecond(0.3).withTerminationsPerSecond(0.05)
            .withReleasesPerSecond(0.05))
        .build().start()) {
      Pipeline p = Pipeline.of("kill", bootstrap, sim, "mock://child").set(Settings.PAGE_SIZE.key(), "" + PAGE_SIZE)
          .set(Settings.CLUSTER_SESSION_TIMEOUT.key(), KILL_LOOP_SESSION_TIMEOUT);
      int duringStartUp = 0;
      long inFlightAtKills = 0;
      try (InFlightAtKill inFlight = new InFlightAtKill(bootstrap, p)) {
        for (int cycle = 1; cycle <= KILL_CYCLES; cycle++) {
          try (ChildConnector child = ChildConnector.start(p, ChildConnector.logFile(p.name() + "-" + cycle))) {
            if (random.nextInt(5) == 0) {
              duringStartUp++;
              randomInstant(random, 2000);
            } else {
              assertThat(child.awaitOutput("running:", START_DEADLINE)).as("child %d started:%n%s", cycle, child.tail())
                  .isTrue();
              randomInstant(random, 2500);
            }
            assertThat(child.isAlive()).as("child %d died before the kill:%n%s", cycle, child.tail()).isTrue();
            child.kill();
            assertThat(child.output()).as("the token in child %d's output", cycle).doesNotContain(sim.token());
          }
          long measured = inFlight.measure(sim);
          System.out.println("SIGKILL loop: kill " + cycle + " left " + measured + " events in flight");
          inFlightAtKills += measured;
        }
      }
      try (ChildConnector child = ChildConnector.start(p, ChildConnector.logFile(p.name() + "-final"));
          DeliveryChecker checker = Fixtures.checker(bootstrap, p)) {
        assertThat(child.awaitOutput("running:", START_DEADLINE)).as(child.tail()).isTrue();
        long bound = inFlightAtKills;
        DeliveryReport report = Fixtures.verify("SIGKILL_20_CYCLES", KILL_CYCLES + " x SIGKILL at random instants ("
            + duringStartUp + " during start-up), restart each time; at-least-once, duplicate bound " + bound
            + " (events in the topic beyond the stored cursors, summed over the kills)", sim, checker,
            DELIVERY_DEADLINE, bound);
        child.terminate();
        assertThat(child.awaitExit(Duration.ofSeconds(30))).as(child.tail()).isZero();
        assertThat(child.output()).doesNotContain(sim.token());
        System.out.printf("SIGKILL loop: %d cycles in %d s, %d events, %d duplicates%n", KILL_CYCLES,
            Duration.ofNanos(System.nanoTime() - started).toSeconds(), report.requiredEvents(), report.duplicated());
      }
    }
  }

  /** The kill instant: a random point within {@code maxMillis}; sleeping is the point here. */
  private static void randomInstant(Random random, int maxMillis) {
    Fixtures.hold(Duration.ofMillis(random.nextInt(maxMillis + 1)));
  }

  /**
   * SIGTERM in the middle of a backfill: the process drains (pages in hand acknowledged, offsets
   * written) and exits 0 within the shutdown timeout; the restart then produces no duplicate.
   *
   * <p>Temporary files: the connector writes none of its own. The first run gets a
   * {@code java.io.tmpdir} that cannot exist (a path below a regular file — not even root can
   * create it), as with a full or read-only temp file system; the second run gets an empty,
   * writable one, which must be empty again after the run (Netty unpacks its native transport
   * there at start-up and deletes it at once; without a usable directory it falls back to NIO).
   */
  @Test
  void sigtermDuringBackfillDrainsAndRestartsWithoutDuplicates() throws Exception {
    try (QoderSimulator sim = Fixtures.simulator(71, 40, 300).build().start()) {
      Pipeline p = Pipeline.of("term", bootstrap, sim, "mock://child");
      Path blocker = Files.createDirectories(ChildConnector.logFile(p.name()).getParent()).resolve(p.name() + "-file");
      Files.writeString(blocker, "a regular file: nothing can be created below it");
      Path unusableTmp = blocker.resolve("tmp");
      Path emptyTmp = Files.createDirectories(blocker.resolveSibling(p.name() + "-tmp"));
      long total = sim.totalEvents();
      long deliveredAtSigterm;
      try (DeliveryChecker checker = Fixtures.checker(bootstrap, p)) {
        try (ChildConnector child = ChildConnector.start(p, ChildConnector.logFile(p.name() + "-1"),
            List.of("-Djava.io.tmpdir=" + unusableTmp))) {
          assertThat(child.awaitOutput("running:", START_DEADLINE)).as(child.tail()).isTrue();
          Fixtures.await(Duration.ofSeconds(60), "a tenth of the backfill",
              () -> checker.check(Expected.all(sim.groundTruth())).delivered() >= total / 10);
          child.terminate();
          long t0 = System.nanoTime();
          int exit = child.awaitExit(Duration.ofSeconds(30));
          Duration took = Duration.ofNanos(System.nanoTime() - t0);
          assertThat(exit).as("exit code after SIGTERM:%n%s", child.tail()).isZero();
          assertThat(took).isLessThan(ConfigLoader.parseDuration(p.get(Settings.SHUTDOWN_TIMEOUT.key())));
          assertThat(child.output()).contains("stopping:").contains("stopped").doesNotContain(sim.token());
          deliveredAtSigterm = checker.check(Expected.all(sim.groundTruth())).delivered();
          assertThat(deliveredAtSigterm).as("SIGTERM landed during the backfill").isLessThan(total);
        }
        try (ChildConnector child = ChildConnector.start(p, ChildConnector.logFile(p.name() + "-2"),
            List.of("-Djava.io.tmpdir=" + emptyTmp))) {
          Fixtures.verify("SIGTERM_DURING_BACKFILL", "SIGTERM after " + deliveredAtSigterm + " of " + total
              + " events: exit 0 in time, offsets written; restart; java.io.tmpdir unusable, then empty", sim,
              checker, DELIVERY_DEADLINE, 0);
          child.terminate();
          assertThat(child.awaitExit(Duration.ofSeconds(30))).isZero();
        }
      }
      try (var left = Files.list(emptyTmp)) {
        assertThat(left.toList()).as("files left in java.io.tmpdir").isEmpty();
      }
    }
  }

  /**
   * 401 from every request (token revoked): {@code run} stops cleanly with exit code 1 and a
   * message that says what to fix; offsets are intact, so a restart with a valid token resumes
   * without loss or duplicates.
   */
  @Test
  void revokedTokenStopsWithExitOneAndResumesAfterRestore() {
    try (QoderSimulator sim = Fixtures.simulator(81, 5, 120).liveMode(LiveMode.events(30)).build().start()) {
      Pipeline p = Pipeline.of("revoked", bootstrap, sim, "mock://child");
      try (DeliveryChecker c = Fixtures.checker(bootstrap, p)) {
        try (ChildConnector child = ChildConnector.start(p, ChildConnector.logFile(p.name() + "-1"))) {
          assertThat(child.awaitOutput("running:", START_DEADLINE)).as(child.tail()).isTrue();
          Fixtures.await(Duration.ofSeconds(60), "events to flow",
              () -> c.check(Expected.all(sim.groundTruth())).delivered() >= 300);
          sim.faults().revokeToken();
          int exit = child.awaitExit(Duration.ofSeconds(60));
          assertThat(exit).as("exit code after the token was revoked:%n%s", child.tail()).isEqualTo(1);
          assertThat(child.output()).contains("qoder-kafka stopped: 401 from the Qoder API")
              .contains("the token in QODER_PAT is invalid or expired")
              .doesNotContain(sim.token());
        }
        sim.faults().restoreToken();
        try (ChildConnector child = ChildConnector.start(p, ChildConnector.logFile(p.name() + "-2"))) {
          Fixtures.verify("TOKEN_REVOKED", "401 on every request: exit 1 with the reason; token restored,"
              + " restart resumes from the stored offsets", sim, c, DELIVERY_DEADLINE, 0);
          child.terminate();
          assertThat(child.awaitExit(Duration.ofSeconds(30))).isZero();
        }
      }
    }
  }
}

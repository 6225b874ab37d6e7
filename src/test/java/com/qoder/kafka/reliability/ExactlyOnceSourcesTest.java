package com.qoder.kafka.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.IntegrationTest;
import com.qoder.kafka.checker.DeliveryChecker;
import com.qoder.kafka.checker.Expected;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.KafkaTestSupport;
import com.qoder.kafka.runtime.Connector;
import com.qoder.kafka.sim.LiveMode;
import com.qoder.kafka.sim.QoderSimulator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Exactly-once mode covers all four topics: the resources, files and lifecycle sources run, and
 * their records and positions are written in the instance's transactions. Real connectors (in this
 * JVM, or child JVMs killed with SIGKILL) against the simulator over HTTP and a real broker; every
 * topic read back {@code read_committed} — the events by the independent {@link DeliveryChecker},
 * the change topics with the contract's schemas ({@link ChangeRecords}) — and counted per (topic,
 * key, change) against the simulator's truth.
 */
@IntegrationTest
class ExactlyOnceSourcesTest {

  private static final Duration DEADLINE = Duration.ofSeconds(90);
  /** How long the change topics are given to become complete before they are counted as they are. */
  private static final Duration CHANGES_DEADLINE = Duration.ofSeconds(30);
  private static final int KILL_CYCLES = 2;

  private final String bootstrap = KafkaTestSupport.sharedBroker().bootstrapServers();

  static Pipeline pipeline(String prefix, String bootstrap, QoderSimulator sim) {
    Pipeline p = Pipeline.of(prefix, bootstrap, sim, "mock://" + prefix);
    p.set(Settings.DELIVERY.key(), "exactly-once");
    p.set(Settings.TOPIC_FILES.key(), p.name() + ".files");
    p.set(Settings.TOPIC_SESSIONS.key(), p.name() + ".sessions");
    p.set(Settings.TOPIC_RESOURCES.key(), p.name() + ".resources");
    p.set(Settings.RESOURCES_INTERVAL.key(), "200ms");
    p.set(Settings.FILES_INTERVAL.key(), "200ms");
    p.set(Settings.FILES_FULL_RESCAN.key(), "1s");
    p.set(Settings.SESSIONS_INTERVAL.key(), "300ms");
    p.set(Settings.QODER_RATE.key(), "400");
    return p;
  }

  /** The change topics, created by the test so that they can be read whether or not the sources run. */
  static void createChangeTopics(String bootstrap, Pipeline p) {
    KafkaTestSupport.createTopic(bootstrap, p.name() + ".files", 3, Map.of("cleanup.policy", "compact"));
    KafkaTestSupport.createTopic(bootstrap, p.name() + ".sessions", 3, Map.of());
    KafkaTestSupport.createTopic(bootstrap, p.name() + ".resources", 3, Map.of());
  }

  /**
   * One instance in exactly-once mode; files, resources and sessions exist before it starts and
   * more appear while it runs: every file, every resource and every session reaches its topic
   * exactly once, committed — and the events too.
   */
  @Test
  void everyChangeSourceDeliversExactlyOnceInExactlyOnceMode() {
    try (QoderSimulator sim = Fixtures.simulator(91, 6, 20).files(10).terminatedFraction(0).releasedFraction(0).build().start()) {
      sim.sessionIds().forEach(sim::createResource);
      Pipeline p = pipeline("eos-sources", bootstrap, sim);
      createChangeTopics(bootstrap, p);
      try (Connector c = Connector.start(p.config());
          Topics topics = new Topics(bootstrap, p);
          DeliveryChecker checker = Fixtures.checker(bootstrap, p)) {
        for (int i = 0; i < 5; i++) {
          sim.createFile("agent_output");
        }
        for (int i = 0; i < 3; i++) {
          sim.createSession(null, 5);
        }
        Fixtures.await(DEADLINE, "the new sessions followed",
            () -> sim.sessionIds().stream().allMatch(id -> c.sessions().state(id) != null));
        sim.sessionIds().forEach(sim::createResource);
        topics.awaitComplete(sim, CHANGES_DEADLINE);
        Fixtures.verify("EOS_SOURCES_EVENTS", "exactly-once, one instance, every source on: the events topic", sim,
            checker, DEADLINE, 0);
        Tally t = topics.tally(sim);
        MatrixRow.report("EOS_SOURCES", "exactly-once, one instance: files, resources and sessions appear before"
            + " and while it runs; per (topic, key, change) " + t, t.checked(), t.lost(), t.duplicated(),
            MatrixRow.Figures.requests(sim.requestLog()));
        t.assertExactlyOnce();
      }
    }
  }

  /**
   * Two instances in exactly-once mode; the offsets partitions move three times (b joins, a
   * leaves, a joins again) while files, resources and sessions keep appearing: every item of every
   * topic exactly once, committed, whoever owned its partition when.
   */
  @Test
  void everyTopicExactlyOnceAcrossRebalances() {
    try (QoderSimulator sim = Fixtures.simulator(92, 6, 20).files(10).terminatedFraction(0).releasedFraction(0)
        .build().start()) {
      sim.sessionIds().forEach(sim::createResource);
      Pipeline p = pipeline("eos-rebalance", bootstrap, sim);
      createChangeTopics(bootstrap, p);
      List<Connector> running = new ArrayList<>();
      try (Topics topics = new Topics(bootstrap, p); DeliveryChecker checker = Fixtures.checker(bootstrap, p)) {
        try {
          Connector a = Connector.start(p.set(Settings.CLUSTER_INSTANCE_ID.key(), "a").config());
          running.add(a);
          changes(sim);
          Connector b = Connector.start(p.set(Settings.CLUSTER_INSTANCE_ID.key(), "b").config());
          running.add(b);
          changes(sim); // while the partitions move to b
          Fixtures.await(DEADLINE, "a and b share the partitions",
              () -> !a.member().ownedPartitions().isEmpty() && !b.member().ownedPartitions().isEmpty());
          changes(sim);
          a.close(); // its partitions move to b
          running.remove(a);
          changes(sim);
          Fixtures.await(DEADLINE, "b owns every partition", () -> b.member().ownedPartitions().size() == 3);
          Connector a2 = Connector.start(p.set(Settings.CLUSTER_INSTANCE_ID.key(), "a").config());
          running.add(a2);
          changes(sim); // while some move back
          Fixtures.await(DEADLINE, "a and b share the partitions again",
              () -> !a2.member().ownedPartitions().isEmpty() && !b.member().ownedPartitions().isEmpty());
          Fixtures.await(DEADLINE, "every session followed", () -> sim.sessionIds().stream()
              .allMatch(id -> a2.sessions().state(id) != null || b.sessions().state(id) != null));
          sim.sessionIds().forEach(sim::createResource);
          topics.awaitComplete(sim, CHANGES_DEADLINE);
          Fixtures.verify("EOS_REBALANCE_EVENTS", "exactly-once, two instances, three rebalances: the events"
              + " topic", sim, checker, DEADLINE, 0);
        } finally {
          running.forEach(Connector::close);
        }
        Tally t = topics.tally(sim);
        MatrixRow.report("EOS_REBALANCE_ALL_TOPICS", "exactly-once, two instances, the partitions move three times"
            + " while files, resources and sessions appear; per (topic, key, change) " + t, t.checked(), t.lost(),
            t.duplicated(), MatrixRow.Figures.requests(sim.requestLog()));
        t.assertExactlyOnce();
      }
    }
  }

  /**
   * {@code qoder-kafka run} in exactly-once mode in child JVMs, SIGKILLed at random instants twice
   * times while they work, a burst of 400 files and new sessions and resources arriving meanwhile: after the last
   * restart every event, file, resource and session is in its topic exactly once, committed —
   * what the dead instances had in their open transactions was aborted (fenced) and done again.
   */
  @Test
  void everyTopicExactlyOnceAcrossSigkills() {
    long seed = Long.getLong("reliability.seed", 93);
    Random random = new Random(seed);
    try (QoderSimulator sim = Fixtures.simulator(seed, 6, 40).files(10).terminatedFraction(0).releasedFraction(0)
        .liveMode(LiveMode.events(30).withNewSessionsPerSecond(0.5)).build().start()) {
      sim.sessionIds().forEach(sim::createResource);
      Pipeline p = pipeline("eos-kill", bootstrap, sim)
          .set(Settings.CLUSTER_SESSION_TIMEOUT.key(), "6s")
          .set(Settings.CLUSTER_INSTANCE_ID.key(), "k");
      createChangeTopics(bootstrap, p);
      try (Topics topics = new Topics(bootstrap, p); DeliveryChecker checker = Fixtures.checker(bootstrap, p)) {
        for (int cycle = 1; cycle <= KILL_CYCLES; cycle++) {
          try (ChildConnector child = ChildConnector.start(p, ChildConnector.logFile(p.name() + "-" + cycle))) {
            assertThat(child.awaitOutput("running:", DEADLINE)).as("child %d started:%n%s", cycle, child.tail())
                .isTrue();
            long before = checker.check(Expected.all(sim.groundTruth())).delivered();
            if (cycle == 2) {
              sim.createFiles("agent_output", 400); // the kill lands in the middle of walking them
            }
            changes(sim);
            // Killed while it works: once this run committed events, at a random instant after.
            Fixtures.await(DEADLINE, "child " + cycle + " commits events",
                () -> checker.check(Expected.all(sim.groundTruth())).delivered() > before);
            Fixtures.hold(Duration.ofMillis(random.nextInt(1500))); // the kill instant
            assertThat(child.isAlive()).as("child %d died before the kill:%n%s", cycle, child.tail()).isTrue();
            child.kill();
          }
        }
        try (ChildConnector child = ChildConnector.start(p, ChildConnector.logFile(p.name() + "-final"))) {
          assertThat(child.awaitOutput("running:", DEADLINE)).as(child.tail()).isTrue();
          sim.liveMode(LiveMode.off());
          sim.sessionIds().forEach(sim::createResource);
          topics.awaitComplete(sim, DEADLINE);
          Fixtures.verify("EOS_SIGKILL_EVENTS", KILL_CYCLES + " x SIGKILL in exactly-once mode, every source on: the"
              + " events topic", sim, checker, DEADLINE, 0);
          child.terminate();
          assertThat(child.awaitExit(Duration.ofSeconds(30))).as(child.tail()).isZero();
        }
        Tally t = topics.tally(sim);
        MatrixRow.report("EOS_SIGKILL_ALL_TOPICS", KILL_CYCLES + " x SIGKILL at random instants in exactly-once mode"
            + " (seed " + seed + "), a 400-file burst and new sessions and resources meanwhile; per (topic, key,"
            + " change) " + t, t.checked(), t.lost(), t.duplicated(), MatrixRow.Figures.requests(sim.requestLog()));
        t.assertExactlyOnce();
      }
    }
  }

  /** A few of each change: two files, a resource of two sessions, a new session. */
  private static void changes(QoderSimulator sim) {
    sim.createFile("agent_output");
    sim.createFile("agent_output");
    List<String> ids = sim.sessionIds();
    sim.createResource(ids.get(ids.size() - 1));
    sim.createResource(ids.get(0));
    sim.createSession(null, 3);
  }

  // ---- reading and counting the change topics ---------------------------------------------------

  /** The three change topics of a pipeline, read committed. */
  static final class Topics implements AutoCloseable {
    final ChangeRecords files;
    final ChangeRecords resources;
    final ChangeRecords sessions;

    Topics(String bootstrap, Pipeline p) {
      files = new ChangeRecords(bootstrap, p.name() + ".files", "FileRecord.avsc");
      resources = new ChangeRecords(bootstrap, p.name() + ".resources", "SessionResourceRecord.avsc");
      sessions = new ChangeRecords(bootstrap, p.name() + ".sessions", "SessionLifecycleRecord.avsc");
    }

    /**
     * Polls until every file, resource and session of the simulator has its CREATED, or the deadline
     * passed: what is missing then is counted as lost by {@link #tally}, not failed on here.
     */
    void awaitComplete(QoderSimulator sim, Duration deadline) {
      long until = System.nanoTime() + deadline.toNanos();
      BooleanSupplier done = () -> {
        Tally t = tally(sim, files.pollOnce(), resources.pollOnce(), sessions.pollOnce());
        return t.lost() == 0;
      };
      while (!done.getAsBoolean() && System.nanoTime() < until) {
        Thread.onSpinWait(); // each poll above waits up to 50 ms for records
      }
    }

    Tally tally(QoderSimulator sim) {
      return tally(sim, files.readToEnd(), resources.readToEnd(), sessions.readToEnd());
    }

    private static Tally tally(QoderSimulator sim, List<ChangeRecords.Change> f, List<ChangeRecords.Change> r,
        List<ChangeRecords.Change> s) {
      Map<String, Integer> fileCreated = new HashMap<>();
      int tombstones = 0;
      for (ChangeRecords.Change x : f) {
        if (x.value() == null) {
          tombstones++;
        } else if ("CREATED".equals(x.field("change"))) {
          fileCreated.merge(x.key(), 1, Integer::sum);
        }
      }
      Map<String, Integer> resourceCreated = new HashMap<>();
      int resourcesDeleted = 0;
      for (ChangeRecords.Change x : r) {
        if ("CREATED".equals(x.field("change"))) {
          resourceCreated.merge(x.key() + "/" + x.field("resource_id"), 1, Integer::sum);
        } else if ("DELETED".equals(x.field("change"))) {
          resourcesDeleted++;
        }
      }
      Map<String, List<String>> stories = new LinkedHashMap<>();
      for (ChangeRecords.Change x : s) {
        stories.computeIfAbsent(x.key(), k -> new ArrayList<>()).add(x.field("transition"));
      }
      List<String> resources = new ArrayList<>();
      sim.sessionIds().forEach(id -> sim.resourceIds(id).forEach(rid -> resources.add(id + "/" + rid)));
      return new Tally(count(sim.fileIds(), fileCreated), count(resources, resourceCreated),
          count(sim.sessionIds(), created(stories)), tombstones + resourcesDeleted,
          stories.values().stream().filter(st -> !st.get(0).equals("CREATED")).count());
    }

    private static Map<String, Integer> created(Map<String, List<String>> stories) {
      Map<String, Integer> out = new HashMap<>();
      stories.forEach((k, st) -> out.put(k, (int) st.stream().filter("CREATED"::equals).count()));
      return out;
    }

    private static long[] count(List<String> expected, Map<String, Integer> created) {
      long lost = expected.stream().filter(id -> created.getOrDefault(id, 0) == 0).count();
      long dup = created.values().stream().mapToLong(n -> Math.max(0, n - 1)).sum();
      return new long[] {expected.size(), lost, dup};
    }

    @Override
    public void close() {
      files.close();
      resources.close();
      sessions.close();
    }
  }

  /**
   * What the change topics hold: per topic {checked, lost, duplicated CREATED}, deletions of things
   * that exist, and lifecycle stories that do not start with CREATED.
   */
  record Tally(long[] files, long[] resources, long[] sessions, long wrongDeletions, long notCreatedFirst) {

    long checked() {
      return files[0] + resources[0] + sessions[0];
    }

    long lost() {
      return files[1] + resources[1] + sessions[1];
    }

    long duplicated() {
      return files[2] + resources[2] + sessions[2];
    }

    void assertExactlyOnce() {
      assertThat(files[1]).as("files without a committed CREATED in the files topic, of %d (exactly-once)",
          files[0]).isZero();
      assertThat(resources[1]).as("resources without a committed CREATED in the resources topic, of %d"
          + " (exactly-once)", resources[0]).isZero();
      assertThat(sessions[1]).as("sessions without a committed CREATED in the sessions topic, of %d (exactly-once)",
          sessions[0]).isZero();
      assertThat(duplicated()).as("CREATED records committed twice (exactly-once): %s", this).isZero();
      assertThat(wrongDeletions).as("tombstones / DELETED of things that exist").isZero();
      assertThat(notCreatedFirst).as("sessions whose first lifecycle record is not CREATED").isZero();
    }

    @Override
    public String toString() {
      return "files " + files[0] + " (lost " + files[1] + ", dup " + files[2] + "), resources " + resources[0]
          + " (lost " + resources[1] + ", dup " + resources[2] + "), sessions " + sessions[0] + " (lost " + sessions[1]
          + ", dup " + sessions[2] + "), wrong deletions " + wrongDeletions + ", stories not starting with CREATED "
          + notCreatedFirst;
    }
  }
}

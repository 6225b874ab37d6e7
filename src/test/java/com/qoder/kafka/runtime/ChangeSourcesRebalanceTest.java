package com.qoder.kafka.runtime;

import static com.qoder.kafka.runtime.SourcesTestKit.file;
import static com.qoder.kafka.runtime.SourcesTestKit.key;
import static com.qoder.kafka.runtime.SourcesTestKit.lifecycle;
import static com.qoder.kafka.runtime.SourcesTestKit.resource;
import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.IntegrationTest;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.KafkaTestSupport;
import com.qoder.kafka.offsets.OffsetKey;
import com.qoder.kafka.offsets.OffsetStore;
import com.qoder.kafka.sim.QoderSimulator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The change sources when offsets partitions move between two instances of one connector (real
 * connectors, the simulator over HTTP, an embedded broker): the instance that takes a partition over
 * continues from the position its previous owner stored — not from what it read at its own start-up
 * — and every session gets its CREATED, before any other record of it, whoever owned it when.
 */
@IntegrationTest
class ChangeSourcesRebalanceTest {

  private static final Logger log = LoggerFactory.getLogger(ChangeSourcesRebalanceTest.class);
  private static final int PARTITIONS = 3;

  private SourcesTestKit kit;

  @AfterEach
  void tearDown() {
    if (kit != null) {
      kit.close();
    }
  }

  private static QoderSimulator sim(int sessions, int files) {
    return QoderSimulator.builder().seed(41).sessions(sessions).eventsPerSession(4).files(files)
        .maxResourcesPerSession(1).terminatedFraction(0).releasedFraction(0).build().start();
  }

  /**
   * Instance a scans the sessions list rarely (once at start), b every 200 ms. Sessions created
   * while both run are reported by b for b's partitions only; then a leaves and b owns them all:
   * each of a's sessions must still get its CREATED.
   */
  @Test
  void everySessionGetsItsCreatedWhenItsPartitionMovesBeforeItWasReported() {
    QoderSimulator sim = sim(4, 0);
    kit = new SourcesTestKit(sim, Map.of(Settings.SOURCE_RESOURCES.key(), "false", Settings.SOURCE_FILES.key(),
        "false", Settings.SESSIONS_INTERVAL.key(), "1h"));
    var a = kit.startInstance("a", Map.of());
    KafkaTestSupport.await(SourcesTestKit.DEADLINE, "a joined", () -> a.member().hasJoined());
    SourcesTestKit.TopicReader sessions = kit.reader("sessions");

    List<String> created = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      created.add(sim.createSession(null, 2));
    }
    var b = kit.startInstance("b", Map.of(Settings.SESSIONS_INTERVAL.key(), "200ms"));
    KafkaTestSupport.await(SourcesTestKit.DEADLINE, "a and b share the partitions",
        () -> !a.member().ownedPartitions().isEmpty() && !b.member().ownedPartitions().isEmpty());
    long scans = kit.sessionListRequests();
    KafkaTestSupport.await(SourcesTestKit.DEADLINE, "b scanned the list 5 times",
        () -> kit.sessionListRequests() >= scans + 5L * sim.organizations().size());

    a.close(); // its partitions move to b
    KafkaTestSupport.await(SourcesTestKit.DEADLINE, "b owns every partition",
        () -> b.member().ownedPartitions().size() == PARTITIONS);
    long scans2 = kit.sessionListRequests();
    KafkaTestSupport.await(SourcesTestKit.DEADLINE, "b scanned the list 10 more times",
        () -> kit.sessionListRequests() >= scans2 + 10L * sim.organizations().size());

    Map<String, List<String>> stories = stories(sessions.readToEnd());
    List<String> withoutCreated = sim.sessionIds().stream()
        .filter(s -> !stories.getOrDefault(s, List.of()).contains("CREATED")).toList();
    List<String> createdNotFirst = stories.entrySet().stream()
        .filter(e -> !e.getValue().isEmpty() && !e.getValue().get(0).equals("CREATED")).map(Map.Entry::getKey).toList();
    log.info("lifecycle ownership moves: {} of {} sessions without CREATED, {} with another record first",
        withoutCreated.size(), sim.sessionIds().size(), createdNotFirst.size());
    assertThat(withoutCreated.size()).as("sessions never reported as CREATED, of %d (%d created while both ran)",
        sim.sessionIds().size(), created.size()).isZero();
    assertThat(createdNotFirst).as("sessions whose first record is not CREATED").isEmpty();
    assertThat(stories.values()).allSatisfy(story ->
        assertThat(story.stream().filter("CREATED"::equals).count()).isEqualTo(1));
  }

  /**
   * Files and resources: whichever instance owns the files key and a session's resources when they
   * change, the instance that takes over afterwards reports nothing again — no repeated CREATED, no
   * tombstone of a file that exists.
   */
  @Test
  void aPartitionThatMovesLaterIsWorkedFromItsStoredPosition() {
    QoderSimulator sim = sim(6, 8);
    for (String s : sim.sessionIds()) {
      sim.createResource(s);
    }
    kit = new SourcesTestKit(sim, Map.of(Settings.SOURCE_SESSIONS.key(), "false", Settings.FILES_FULL_RESCAN.key(),
        "300ms"));
    var a = kit.startInstance("a", Map.of());
    SourcesTestKit.TopicReader files = kit.reader("files");
    SourcesTestKit.TopicReader resources = kit.reader("resources");
    int files0 = sim.fileIds().size();
    int resources0 = sim.sessionIds().stream().mapToInt(s -> sim.resourceIds(s).size()).sum();
    files.awaitAtLeast(files0);
    resources.awaitAtLeast(resources0);

    var b = kit.startInstance("b", Map.of());
    KafkaTestSupport.await(SourcesTestKit.DEADLINE, "a and b share the partitions",
        () -> !a.member().ownedPartitions().isEmpty() && !b.member().ownedPartitions().isEmpty()
            && a.sessions().polled() + b.sessions().polled() == sim.sessionIds().size());
    // Changes made after b read its start-up state, worked by their owner of now.
    List<String> newFiles = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      newFiles.add(sim.createFile("agent_output"));
    }
    Map<String, String> newResources = new LinkedHashMap<>();
    for (String s : sim.sessionIds()) {
      newResources.put(s, sim.createResource(s));
    }
    int files1 = sim.fileIds().size();
    int resources1 = sim.sessionIds().stream().mapToInt(s -> sim.resourceIds(s).size()).sum();
    files.awaitUntil("the new files", rs -> rs.stream().map(SourcesTestKit::key).toList().containsAll(newFiles));
    resources.awaitAtLeast(resources1);

    // The owner of the files key leaves: the other one takes it (and half the sessions) over.
    int filesPartition = OffsetStore.partitionFor(OffsetKey.files("all"), PARTITIONS);
    boolean aOwnedFiles = a.member().ownedPartitions().contains(filesPartition);
    var survivor = aOwnedFiles ? b : a;
    (aOwnedFiles ? a : b).close();
    KafkaTestSupport.await(SourcesTestKit.DEADLINE, "the survivor owns every partition",
        () -> survivor.member().ownedPartitions().size() == PARTITIONS
            && survivor.sessions().polled() == sim.sessionIds().size());
    var source = survivor.changeSources().files();
    long scans = source.fullScans();
    KafkaTestSupport.await(SourcesTestKit.DEADLINE, "3 full scans by the survivor", () -> source.fullScans() >= scans + 3);
    kit.awaitRounds(3, sim.sessionIds());

    List<ConsumerRecord<byte[], byte[]>> f = files.readToEnd();
    List<ConsumerRecord<byte[], byte[]>> r = resources.readToEnd();
    Map<String, Integer> fileCreated = new HashMap<>();
    int tombstones = 0;
    for (ConsumerRecord<byte[], byte[]> x : f) {
      if (file(x) == null) {
        tombstones++;
      } else if (file(x).getChange().equals("CREATED")) {
        fileCreated.merge(key(x), 1, Integer::sum);
      }
    }
    Map<String, Integer> resourceCreated = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> x : r) {
      if (resource(x).getChange().equals("CREATED")) {
        resourceCreated.merge(resource(x).getResourceId(), 1, Integer::sum);
      }
    }
    int fileDup = fileCreated.values().stream().mapToInt(c -> c - 1).sum();
    int resourceDup = resourceCreated.values().stream().mapToInt(c -> c - 1).sum();
    log.info("rebalance: files {} records for {} files ({} repeated CREATED, {} tombstones); resources {} records"
        + " for {} ({} repeated CREATED)", f.size(), files1, fileDup, tombstones, r.size(), resources1, resourceDup);
    assertThat(fileCreated.keySet()).containsExactlyInAnyOrderElementsOf(sim.fileIds());
    assertThat(resourceCreated.keySet()).hasSize(resources1);
    assertThat(fileDup + resourceDup).as("CREATED repeated after the partitions moved (files %d, resources %d)",
        fileDup, resourceDup).isZero();
    assertThat(tombstones).as("tombstones of files that exist").isZero();
    assertThat(f).hasSize(files1);
    assertThat(r).hasSize(resources1);
  }

  private static Map<String, List<String>> stories(List<ConsumerRecord<byte[], byte[]>> records) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      out.computeIfAbsent(key(r), k -> new ArrayList<>()).add(lifecycle(r).getTransition());
    }
    return out;
  }
}

package com.qoder.kafka.runtime;

import static com.qoder.kafka.runtime.SourcesTestKit.file;
import static com.qoder.kafka.runtime.SourcesTestKit.key;
import static com.qoder.kafka.runtime.SourcesTestKit.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.qoder.kafka.IntegrationTest;
import com.qoder.kafka.avro.v1.FileRecord;
import com.qoder.kafka.avro.v1.SessionResourceRecord;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.KafkaTestSupport;
import com.qoder.kafka.sim.Endpoint;
import com.qoder.kafka.sim.Faults;
import com.qoder.kafka.sim.QoderSimulator;
import com.qoder.kafka.sim.RequestRecord;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Session resources and files to Kafka, end to end: the real connector against the simulator over
 * HTTP and an embedded broker. Counts records exactly: one per real change, none for unchanged
 * items across ten polling rounds (counted in the simulator's request log), none lost or repeated
 * when the server rejects a cursor or the connector restarts.
 */
@IntegrationTest
class ResourcesAndFilesSourcesTest {

  private SourcesTestKit kit;

  @AfterEach
  void tearDown() {
    if (kit != null) {
      kit.close();
    }
  }

  private static QoderSimulator quietSim(int sessions, int files) {
    return QoderSimulator.builder().seed(23).sessions(sessions).eventsPerSession(4).files(files)
        .maxResourcesPerSession(2).terminatedFraction(0).releasedFraction(0).build().start();
  }

  /** Every session gets at least one resource, so each can be updated or deleted. */
  private static void atLeastOneResourceEach(QoderSimulator sim) {
    for (String s : sim.sessionIds()) {
      sim.createResource(s);
    }
  }

  private static int totalResources(QoderSimulator sim) {
    return sim.sessionIds().stream().mapToInt(s -> sim.resourceIds(s).size()).sum();
  }

  @Test
  void createUpdateAndDeleteWhileRunningYieldExactlyTheMatchingRecords() {
    QoderSimulator sim = quietSim(3, 6);
    atLeastOneResourceEach(sim);
    kit = new SourcesTestKit(sim, Map.of(Settings.FILES_FULL_RESCAN.key(), "300ms"));
    kit.start();
    List<String> sessions = sim.sessionIds();
    int resources0 = totalResources(sim);
    int files0 = sim.fileIds().size();
    SourcesTestKit.TopicReader resources = kit.reader("resources");
    SourcesTestKit.TopicReader files = kit.reader("files");

    // Backfill: every resource and file once, as CREATED, keyed by session id / file id.
    List<ConsumerRecord<byte[], byte[]>> r0 = resources.awaitAtLeast(resources0);
    List<ConsumerRecord<byte[], byte[]>> f0 = files.awaitAtLeast(files0);
    for (String s : sessions) {
      assertThat(r0.stream().filter(r -> key(r).equals(s)).map(r -> resource(r).getResourceId()))
          .containsExactlyInAnyOrderElementsOf(sim.resourceIds(s));
    }
    assertThat(r0).allSatisfy(r -> assertThat(resource(r).getChange()).isEqualTo("CREATED"));
    assertThat(f0.stream().map(SourcesTestKit::key)).containsExactlyInAnyOrderElementsOf(sim.fileIds());
    assertThat(f0).allSatisfy(r -> assertThat(file(r).getChange()).isEqualTo("CREATED"));

    // Ten rounds of every source over unchanged data: not one more record.
    kit.awaitRounds(10, sessions);
    assertThat(resources.readToEnd()).hasSize(resources0);
    assertThat(files.readToEnd()).hasSize(files0);

    // Changes while running.
    String s0 = sessions.get(0);
    String s1 = sessions.get(1);
    String s2 = sessions.get(2);
    String createdResource = sim.createResource(s0); // also creates its session_resource file
    String updatedResource = sim.resourceIds(s1).get(0);
    sim.updateResource(s1, updatedResource, "/mnt/session/changed");
    String deletedResource = sim.resourceIds(s2).get(0);
    sim.deleteResource(s2, deletedResource);
    String newFile = sim.createFile("user_upload");
    List<String> olderFiles = sim.fileIds().subList(3, sim.fileIds().size());
    String updatedFile = olderFiles.get(0);
    String deletedFile = olderFiles.get(1);
    sim.updateFile(updatedFile, "processing", Map.of("stage", "2"));
    sim.deleteFile(deletedFile);
    String resourceFile = sim.fileIds().stream().filter(f -> !f.equals(newFile)).findFirst().orElseThrow();

    List<ConsumerRecord<byte[], byte[]>> r1 = resources.awaitAtLeast(resources0 + 3).subList(resources0,
        resources0 + 3);
    assertThat(r1.stream().map(r -> tuple(key(r), resource(r).getResourceId(), resource(r).getChange())))
        .containsExactlyInAnyOrder(tuple(s0, createdResource, "CREATED"), tuple(s1, updatedResource, "UPDATED"),
            tuple(s2, deletedResource, "DELETED"));
    SessionResourceRecord updated = r1.stream().map(SourcesTestKit::resource)
        .filter(r -> r.getChange().equals("UPDATED")).findFirst().orElseThrow();
    assertThat(updated.getMountPath()).isEqualTo("/mnt/session/changed");

    List<ConsumerRecord<byte[], byte[]>> f1 = files.awaitAtLeast(files0 + 4).subList(files0, files0 + 4);
    Map<String, String> fileChanges = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : f1) {
      FileRecord f = file(r);
      fileChanges.put(key(r), f == null ? "TOMBSTONE" : f.getChange());
    }
    assertThat(fileChanges).containsExactlyInAnyOrderEntriesOf(Map.of(resourceFile, "CREATED", newFile, "CREATED",
        updatedFile, "UPDATED", deletedFile, "TOMBSTONE"));
    FileRecord updatedRecord = f1.stream().filter(r -> key(r).equals(updatedFile)).map(SourcesTestKit::file)
        .findFirst().orElseThrow();
    assertThat(updatedRecord.getStatus()).isEqualTo("processing");
    assertThat(updatedRecord.getMetadata()).containsEntry("stage", "2");

    // And ten more rounds (full re-scans included) add nothing.
    kit.awaitRounds(10, sessions);
    assertThat(resources.readToEnd()).hasSize(resources0 + 3);
    assertThat(files.readToEnd()).hasSize(files0 + 4);
  }

  @Test
  void theFilesAreReadAsSoonAsThisInstanceOwnsTheirPartitionNotOneIntervalLater() {
    // The start-up round runs before the group assigned anything, so it finds nothing owned; the
    // next one would come a whole interval later (30 s by default; 10 min here).
    QoderSimulator sim = quietSim(2, 5);
    kit = new SourcesTestKit(sim, Map.of(Settings.FILES_INTERVAL.key(), "10m", Settings.FILES_FULL_RESCAN.key(), "1h"));
    kit.start();

    assertThat(kit.reader("files").awaitAtLeast(sim.fileIds().size()).stream().map(SourcesTestKit::key))
        .containsExactlyInAnyOrderElementsOf(sim.fileIds());
  }

  @Test
  void steadyStateFilesCostOneSmallRequestPerRound() {
    QoderSimulator sim = quietSim(1, 30);
    int n0 = sim.fileIds().size(); // 30 plus the files behind the session's resources
    kit = new SourcesTestKit(sim, Map.of(Settings.FILES_FULL_RESCAN.key(), "1h", Settings.FILES_PAGE_SIZE.key(), "5",
        Settings.SOURCE_RESOURCES.key(), "false", Settings.SOURCE_SESSIONS.key(), "false"));
    kit.start();
    SourcesTestKit.TopicReader files = kit.reader("files");
    files.awaitAtLeast(n0);
    var source = kit.connector.changeSources().files();
    KafkaTestSupport.await(SourcesTestKit.DEADLINE, "the first full scan", () -> source.fullScans() == 1);

    long roundsBefore = source.rounds();
    long seenRequests = kit.count(r -> r.endpoint() == Endpoint.FILES);
    KafkaTestSupport.await(SourcesTestKit.DEADLINE, "10 incremental rounds", () -> source.rounds() >= roundsBefore + 10);
    long rounds = source.rounds() - roundsBefore;
    List<RequestRecord> steady = sim.requestLog().stream().filter(r -> r.endpoint() == Endpoint.FILES)
        .skip(seenRequests).toList();
    // One request per round; a round in progress at either snapshot may shift the count by one.
    assertThat(steady.size()).isBetween((int) rounds - 1, (int) rounds + 1);
    assertThat(steady).allSatisfy(r -> assertThat(r.query()).isEqualTo("limit=5"));

    // 12 new files: the first page (5) is all new, so the round continues with after=, 100 per page,
    // and stops at the high-water mark.
    long mark = kit.count(r -> r.endpoint() == Endpoint.FILES);
    for (int i = 0; i < 12; i++) {
      sim.createFile("agent_output");
    }
    List<ConsumerRecord<byte[], byte[]>> all = files.awaitAtLeast(n0 + 12);
    assertThat(all.subList(n0, n0 + 12).stream().map(SourcesTestKit::key))
        .containsExactlyInAnyOrderElementsOf(sim.fileIds().subList(0, 12));
    List<String> queries = sim.requestLog().stream().filter(r -> r.endpoint() == Endpoint.FILES).skip(mark)
        .map(RequestRecord::query).toList();
    assertThat(queries).anySatisfy(q -> assertThat(q).startsWith("limit=100&after="));
    assertThat(queries).allSatisfy(q -> assertThat(q).matches("limit=5|limit=100&after=file_[0-9a-f]+"));
    source.wakeUp();
    long r0 = source.rounds();
    KafkaTestSupport.await(SourcesTestKit.DEADLINE, "3 more rounds", () -> source.rounds() >= r0 + 3);
    assertThat(files.readToEnd()).hasSize(n0 + 12);
  }

  @Test
  void filesBeyondTheBoundAreDeliveredOnceWhileTheNewestStayWatched() {
    QoderSimulator sim = quietSim(1, 20);
    int n0 = sim.fileIds().size();
    kit = new SourcesTestKit(sim, Map.of(Settings.FILES_MAX_TRACKED.key(), "5", Settings.FILES_FULL_RESCAN.key(),
        "200ms", Settings.SOURCE_RESOURCES.key(), "false", Settings.SOURCE_SESSIONS.key(), "false"));
    kit.start();
    SourcesTestKit.TopicReader files = kit.reader("files");
    // The first full scan delivers every file once, though only the newest 5 are remembered.
    assertThat(files.awaitAtLeast(n0).stream().map(SourcesTestKit::key))
        .containsExactlyInAnyOrderElementsOf(sim.fileIds());
    kit.awaitRounds(10, List.of());
    assertThat(files.readToEnd()).hasSize(n0);

    List<String> ids = sim.fileIds();
    sim.updateFile(ids.get(0), "processing", null); // watched: reported
    sim.updateFile(ids.get(ids.size() - 1), "processing", null); // beyond the bound: not reported (documented)
    String added = sim.createFile("user_upload");
    List<ConsumerRecord<byte[], byte[]>> r = files.awaitAtLeast(n0 + 2);
    assertThat(r.subList(n0, n0 + 2).stream().map(x -> key(x) + ":" + file(x).getChange()))
        .containsExactlyInAnyOrder(ids.get(0) + ":UPDATED", added + ":CREATED");
    sim.deleteFile(added);
    ConsumerRecord<byte[], byte[]> tombstone = files.awaitAtLeast(n0 + 3).get(n0 + 2);
    assertThat(key(tombstone)).isEqualTo(added);
    assertThat(tombstone.value()).isNull();
    kit.awaitRounds(10, List.of());
    assertThat(files.readToEnd()).hasSize(n0 + 3);
  }

  @Test
  void aRejectedResourcesCursorLeadsToARescanWithoutLossOrDuplicates() {
    QoderSimulator sim = quietSim(1, 2);
    String s = sim.sessionIds().get(0);
    for (int i = 0; i < 5; i++) {
      sim.createResource(s);
    }
    kit = new SourcesTestKit(sim, Map.of(Settings.RESOURCES_PAGE_SIZE.key(), "2",
        Settings.SOURCE_FILES.key(), "false", Settings.SOURCE_SESSIONS.key(), "false"));
    kit.start();
    int n0 = sim.resourceIds(s).size();
    SourcesTestKit.TopicReader resources = kit.reader("resources");
    resources.awaitAtLeast(n0);

    // One rejected token: the walk starts again from the first page with tokens.
    long rejectedBefore = kit.count(r -> r.endpoint() == Endpoint.RESOURCES && r.status() == 400);
    sim.faults().invalidResourceCursor(Faults.Trigger.next(1));
    String created1 = sim.createResource(s);
    String updated1 = sim.resourceIds(s).get(n0 - 1); // on the last page before the new one
    sim.updateResource(s, updated1, "/mnt/session/moved");
    List<ConsumerRecord<byte[], byte[]>> after1 = resources.awaitAtLeast(n0 + 2);
    assertThat(after1.subList(n0, n0 + 2).stream().map(r -> tuple(resource(r).getResourceId(),
        resource(r).getChange()))).containsExactlyInAnyOrder(tuple(created1, "CREATED"), tuple(updated1, "UPDATED"));
    KafkaTestSupport.await(SourcesTestKit.DEADLINE, "a rejected resources cursor",
        () -> kit.count(r -> r.endpoint() == Endpoint.RESOURCES && r.status() == 400) > rejectedBefore);

    // Every token rejected: the third walk of the round pages by after_id and still sees everything.
    sim.faults().invalidResourceCursor(Faults.Trigger.always());
    sim.invalidateResourceCursors();
    String created2 = sim.createResource(s);
    List<String> ids = sim.resourceIds(s);
    String updated2 = ids.get(ids.size() - 2);
    sim.updateResource(s, updated2, "/mnt/session/moved-again");
    String deleted2 = ids.get(0);
    sim.deleteResource(s, deleted2);
    List<ConsumerRecord<byte[], byte[]>> after2 = resources.awaitAtLeast(n0 + 5);
    assertThat(after2.subList(n0 + 2, n0 + 5).stream().map(r -> tuple(resource(r).getResourceId(),
        resource(r).getChange()))).containsExactlyInAnyOrder(tuple(created2, "CREATED"), tuple(updated2, "UPDATED"),
        tuple(deleted2, "DELETED"));
    assertThat(kit.count(r -> r.endpoint() == Endpoint.RESOURCES && r.query().contains("after_id="))).isPositive();

    // Ten more rounds with every token rejected: nothing is delivered twice.
    kit.awaitRounds(10, List.of(s));
    assertThat(resources.readToEnd()).hasSize(n0 + 5);
  }

  @Test
  void aRestartResumesEverySourceFromItsStoredOffsets() {
    QoderSimulator sim = quietSim(3, 6);
    atLeastOneResourceEach(sim);
    kit = new SourcesTestKit(sim, Map.of(Settings.FILES_FULL_RESCAN.key(), "300ms"));
    kit.start();
    List<String> sessions = sim.sessionIds();
    int resources0 = totalResources(sim);
    int files0 = sim.fileIds().size();
    SourcesTestKit.TopicReader resources = kit.reader("resources");
    SourcesTestKit.TopicReader files = kit.reader("files");
    SourcesTestKit.TopicReader lifecycle = kit.reader("sessions");
    resources.awaitAtLeast(resources0);
    files.awaitAtLeast(files0);
    lifecycle.awaitUntil("CREATED of every session", rs -> created(rs).keySet().containsAll(sessions));
    kit.awaitRounds(2, sessions);
    kit.stop();

    // Changes while the connector is down.
    String created = sim.createResource(sessions.get(0));
    String updated = sim.resourceIds(sessions.get(1)).get(0);
    sim.updateResource(sessions.get(1), updated, "/mnt/session/offline");
    String deleted = sim.resourceIds(sessions.get(2)).get(0);
    sim.deleteResource(sessions.get(2), deleted);
    String newFile = sim.createFile("tool_output");
    List<String> older = sim.fileIds().subList(3, sim.fileIds().size());
    sim.updateFile(older.get(0), "archived", null);
    sim.deleteFile(older.get(1));
    String newSession = sim.createSession(null, 2);

    kit.start();
    List<ConsumerRecord<byte[], byte[]>> r = resources.awaitAtLeast(resources0 + 3);
    assertThat(r.subList(resources0, resources0 + 3).stream().map(x -> tuple(resource(x).getResourceId(),
        resource(x).getChange()))).containsExactlyInAnyOrder(tuple(created, "CREATED"), tuple(updated, "UPDATED"),
        tuple(deleted, "DELETED"));
    List<ConsumerRecord<byte[], byte[]>> f = files.awaitAtLeast(files0 + 4);
    assertThat(f.subList(files0, files0 + 4).stream().map(x -> file(x) == null ? key(x) + ":TOMBSTONE"
        : key(x) + ":" + file(x).getChange())).contains(newFile + ":CREATED", older.get(0) + ":UPDATED",
        older.get(1) + ":TOMBSTONE");
    lifecycle.awaitUntil("CREATED of the session created while down",
        rs -> created(rs).containsKey(newSession));

    List<String> all = sim.sessionIds();
    kit.awaitRounds(10, all);
    assertThat(resources.readToEnd()).hasSize(resources0 + 3);
    assertThat(files.readToEnd()).hasSize(files0 + 4);
    // CREATED once per session, across the restart.
    Map<String, Long> createdCount = created(lifecycle.readToEnd());
    assertThat(createdCount.keySet()).containsExactlyInAnyOrderElementsOf(all);
    assertThat(createdCount.values()).allMatch(c -> c == 1);
  }

  private static Map<String, Long> created(List<ConsumerRecord<byte[], byte[]>> records) {
    return records.stream().filter(r -> SourcesTestKit.lifecycle(r).getTransition().equals("CREATED"))
        .collect(Collectors.groupingBy(SourcesTestKit::key, Collectors.counting()));
  }
}

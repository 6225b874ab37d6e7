package com.qoder.kafka.api;

import static com.qoder.kafka.api.SimContract.ids;
import static com.qoder.kafka.api.SimContract.log;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.qoder.kafka.sim.Endpoint;
import com.qoder.kafka.sim.QoderSimulator;
import com.qoder.kafka.sim.RequestRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Issue 2 contract, part 4: the client's page walks over every endpoint at the sizes the issue
 * names (10,000 events in one session, 5,000 files, a session with more than 1,000 resources,
 * agents over several pages, sessions over several pages) return every item exactly once, in the
 * documented order, compared with the simulator's own ground truth and listings.
 */
class ClientSimulatorPagingContractTest {

  static final Duration WALK = Duration.ofSeconds(60);

  @RegisterExtension
  static final SimContract.Server server = new SimContract.Server(() -> QoderSimulator.builder()
      .seed(2026).sessions(60).eventsPerSession(15)
      .files(5_000).agents(250).build());

  static QoderSimulator sim;
  static QoderApiClient api;
  static String bigSession; // 10,000 events
  static String resourceSession; // 1,234 resources

  @BeforeAll
  static void start() {
    sim = server.sim();
    api = server.api();
    bigSession = sim.createSession(null, 10_000);
    resourceSession = sim.createSession();
    List<String> files = sim.fileIds();
    for (int i = 0; i < 1_234; i++) {
      sim.createResource(resourceSession, files.get(i));
    }
  }

  static <T> List<T> items(Flux<Page<T>> walk) {
    return walk.concatMapIterable(Page::data).collectList().block(WALK);
  }

  @Test
  void tenThousandEventsOfOneSessionForwardAndBackward() {
    List<String> truth = sim.groundTruth(bigSession).eventIds();
    assertThat(truth).hasSize(10_000).doesNotHaveDuplicates();

    List<SessionEvent> forward = items(api.events(bigSession, null, 100));
    assertThat(forward).extracting(SessionEvent::id).isEqualTo(truth);
    // Whole items, exactly as served, and oldest first.
    assertThat(forward.stream().map(e -> (JsonNode) e.json()).toList()).isEqualTo(List.copyOf(sim.eventsJson(bigSession)));
    assertThat(firstOutOfOrder(forward, SessionEvent::createdAt, 1, true)).as("oldest first").isEqualTo(-1);
    assertThat(log(sim)).hasSize(100).allSatisfy(r -> assertThat(r.status()).isEqualTo(200));

    // Backward with before_id=<first_id> from the newest page, each page still oldest first.
    List<String> backward = new ArrayList<>();
    Mono.defer(() -> api.eventsBefore(bigSession, truth.get(truth.size() - 1), 100))
        .expand(page -> page.hasMore() ? api.eventsBefore(bigSession, page.firstId(), 100) : Mono.empty())
        .doOnNext(page -> backward.addAll(0, ids(page)))
        .then().block(WALK);
    assertThat(backward).isEqualTo(truth.subList(0, truth.size() - 1));
  }

  @Test
  void everySessionsEventsConcurrently() {
    Map<String, List<String>> truth = sim.sessionIds().stream()
        .collect(Collectors.toMap(Function.identity(), s -> sim.groundTruth(s).eventIds()));
    Map<String, List<String>> walked = Flux.fromIterable(truth.keySet())
        .flatMap(s -> api.events(s, null, s.equals(bigSession) ? 100 : 4).concatMapIterable(Page::data).map(SessionEvent::id).collectList()
            .map(ids -> Map.entry(s, ids)), 8)
        .collectMap(Map.Entry::getKey, Map.Entry::getValue)
        .block(WALK);
    assertThat(walked).isEqualTo(truth);
  }

  @Test
  void fiveThousandFilesNewestFirstAndByPurpose() {
    List<String> truth = sim.fileIds();
    assertThat(truth).hasSizeGreaterThanOrEqualTo(5_000).doesNotHaveDuplicates();

    List<QoderFile> all = items(api.files(null, 100));
    assertThat(all).extracting(QoderFile::id).isEqualTo(truth);
    assertThat(firstOutOfOrder(all, f -> f.text("created_at"), -1, false)).as("newest first").isEqualTo(-1);

    // The five purposes partition the list, each in the same order.
    Map<String, List<String>> byPurpose = all.stream()
        .collect(Collectors.groupingBy(QoderFile::purpose, Collectors.mapping(QoderFile::id, Collectors.toList())));
    assertThat(byPurpose).containsOnlyKeys("user_upload", "tool_output", "skill_output", "session_resource",
        "agent_output");
    byPurpose.forEach((purpose, expected) ->
        assertThat(ids(api.files(purpose, 100))).as(purpose).isEqualTo(expected));
  }

  @Test
  void moreThanAThousandResourcesByNextPageAndByCap() {
    List<String> truth = sim.resourceIds(resourceSession);
    assertThat(truth).hasSize(1_234).doesNotHaveDuplicates();

    List<Page<SessionResource>> capped = api.resources(resourceSession, 1_000).collectList().block(WALK);
    assertThat(capped).extracting(p -> p.data().size()).containsExactly(1_000, 234);
    assertThat(capped.stream().flatMap(p -> p.data().stream()).map(SessionResource::id).toList()).isEqualTo(truth);

    sim.resetRequestLog();
    assertThat(ids(api.resources(resourceSession, 100))).isEqualTo(truth);
    List<RequestRecord> sent = log(sim);
    assertThat(sent).hasSize(13);
    // The walk follows next_page (document 000), not ids.
    assertThat(sent.subList(1, 13)).allSatisfy(r -> assertThat(r.query()).startsWith("limit=100&page="));
  }

  @Test
  void agentsOverSeveralPagesNewestFirst() {
    List<String> truth = sim.agentIds();
    assertThat(truth).hasSize(250);
    List<GenericItem> walked = items(api.list("agents", 100));
    assertThat(walked).extracting(GenericItem::id).isEqualTo(truth);
    assertThat(firstOutOfOrder(walked, a -> a.text("created_at"), -1, false)).as("newest first").isEqualTo(-1);
    assertThat(log(sim)).hasSize(3);
    assertThat(ids(api.list("agents", 7))).isEqualTo(truth);
  }

  @Test
  void sessionsOfEachOrganizationOverSeveralPages() {
    List<String> all = sim.sessionIds().stream().map(SessionIds::toUuid).toList(); // oldest first
    List<String> union = new ArrayList<>();
    for (String org : sim.organizations()) {
      sim.resetRequestLog();
      List<SessionInfo> listed = items(api.sessions(org, 7));
      assertThat(listed).allSatisfy(s -> assertThat(s.organization()).isEqualTo(org));
      List<String> ids = listed.stream().map(SessionInfo::id).toList();
      // Newest first: the reverse creation order of this organization's sessions.
      List<String> expected = new ArrayList<>(all.stream().filter(ids::contains).toList());
      java.util.Collections.reverse(expected);
      assertThat(ids).as(org).isEqualTo(expected);
      assertThat(firstOutOfOrder(listed, SessionInfo::createdAt, -1, true)).as("newest first").isEqualTo(-1);
      // has_more is exact: no empty page at the end. After the first page each asks `before` the
      // last instant + 1 ns (document 004's `before` is strictly before: sessions sharing that
      // instant would be skipped otherwise), so it lists the previous page's last session again.
      int pages = ids.size() <= 7 ? 1 : 1 + (ids.size() - 7 + 5) / 6;
      assertThat(log(sim).size()).as("pages of %s", org).isEqualTo(pages);
      assertThat(log(sim).size()).isGreaterThanOrEqualTo(2);
      union.addAll(ids);
    }
    assertThat(union).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(all);
    assertThat(log(sim)).extracting(RequestRecord::endpoint).containsOnly(Endpoint.SESSIONS);
  }

  /**
   * The first index whose timestamp breaks the order ({@code direction} 1: increasing, -1:
   * decreasing; {@code strict}: no ties), or -1. One assertion per list instead of one per item
   * keeps 10,000 items quick.
   */
  static <T> int firstOutOfOrder(List<T> items, Function<T, String> timestamp, int direction, boolean strict) {
    for (int i = 1; i < items.size(); i++) {
      int c = Instant.parse(timestamp.apply(items.get(i))).compareTo(Instant.parse(timestamp.apply(items.get(i - 1))));
      if (c * direction < 0 || (strict && c == 0)) {
        return i;
      }
    }
    return -1;
  }
}

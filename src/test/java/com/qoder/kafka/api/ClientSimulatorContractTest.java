package com.qoder.kafka.api;

import static com.qoder.kafka.api.SimContract.await;
import static com.qoder.kafka.api.SimContract.failure;
import static com.qoder.kafka.api.SimContract.ids;
import static com.qoder.kafka.api.SimContract.log;
import static com.qoder.kafka.api.SimContract.pages;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.qoder.kafka.api.SimContract.Raw;
import com.qoder.kafka.api.SimContract.RawHttp;
import com.qoder.kafka.sim.GroundTruth;
import com.qoder.kafka.sim.QoderSimulator;
import com.qoder.kafka.sim.RequestRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 2 contract, part 1: the real client against the real simulator over HTTP, one test per
 * documented behaviour of each endpoint (documents 000–004): cursors, order, empty pages, the
 * resources limit clamp, the files purpose filter, the sessions list's {@code before} /
 * {@code nextCursor} / {@code releasedAt}, {@code X-Organization-Id}, both session id spellings
 * and the {@code /v1} path prefix. Error tables and limits: {@link ClientSimulatorErrorContractTest};
 * retries: {@link ClientSimulatorRetryContractTest}; paging at scale: {@link
 * ClientSimulatorPagingContractTest}.
 *
 * <p>One simulator serves the class. Tests that change data do it on sessions, files or agents
 * they create, and read the ground truth after their changes.
 */
class ClientSimulatorContractTest {

  @RegisterExtension
  static final SimContract.Server server = new SimContract.Server(() -> QoderSimulator.builder()
      .seed(42).sessions(30).eventsPerSession(60)
      .files(60).agents(40).build());

  static QoderSimulator sim;
  static QoderApiClient api;
  static RawHttp raw;

  @BeforeAll
  static void start() {
    sim = server.sim();
    api = server.api();
    raw = new RawHttp(sim);
  }

  /** A generated session with its 60 events, none deleted. */
  static String generatedSession() {
    String sid = sim.sessionIds().get(0);
    assertThat(sim.groundTruth(sid).eventIds()).hasSize(60);
    return sid;
  }

  // --- document 002: events --------------------------------------------------------------------

  @Test
  void eventsAfterIdPagesForwardOldestFirst() {
    String sid = generatedSession();
    List<String> truth = sim.groundTruth(sid).eventIds();

    Page<SessionEvent> first = await(api.eventsAfter(sid, null, 25));
    assertThat(ids(first)).isEqualTo(truth.subList(0, 25));
    assertThat(first.firstId()).isEqualTo(truth.get(0));
    assertThat(first.lastId()).isEqualTo(truth.get(24));
    assertThat(first.hasMore()).isTrue();

    Page<SessionEvent> second = await(api.eventsAfter(sid, first.lastId(), 25));
    assertThat(ids(second)).isEqualTo(truth.subList(25, 50));
    assertThat(second.hasMore()).isTrue();

    Page<SessionEvent> last = await(api.eventsAfter(sid, second.lastId(), 25));
    assertThat(ids(last)).isEqualTo(truth.subList(50, 60));
    assertThat(last.hasMore()).isFalse();

    // Oldest first: created_at strictly increases across the pages, and each event names its session.
    List<SessionEvent> all = new ArrayList<>(first.data());
    all.addAll(second.data());
    all.addAll(last.data());
    for (int i = 1; i < all.size(); i++) {
      assertThat(Instant.parse(all.get(i).createdAt())).isAfter(Instant.parse(all.get(i - 1).createdAt()));
    }
    assertThat(all).allSatisfy(e -> assertThat(e.sessionId()).isEqualTo(sid));
    // What went over the wire: the documented cursor parameter with the previous page's last_id.
    List<RequestRecord> sent = log(sim);
    assertThat(sent).extracting(RequestRecord::query).containsExactly("limit=25",
        "limit=25&after_id=" + truth.get(24), "limit=25&after_id=" + truth.get(49));
    assertThat(sent).extracting(RequestRecord::path).containsOnly("/api/v1/cloud/sessions/" + sid + "/events");
  }

  @Test
  void eventsWalkReturnsEveryEventOnceInOrderAndKeepsItemsWhole() {
    String sid = generatedSession();
    List<Page<SessionEvent>> walk = pages(api.events(sid, null, 7));
    assertThat(walk).hasSize(9); // 60 events, 7 per page
    assertThat(walk.subList(0, 8)).allSatisfy(p -> assertThat(p.hasMore()).isTrue());
    assertThat(walk.get(8).hasMore()).isFalse();
    List<JsonNode> items = walk.stream().flatMap(p -> p.data().stream()).map(e -> (JsonNode) e.json()).toList();
    // The client keeps each item exactly as the simulator serves it, unknown fields included.
    assertThat(items).isEqualTo(List.copyOf(sim.eventsJson(sid)));
  }

  @Test
  void eventsBeforeIdPagesBackwardStillOldestFirstWithinThePage() {
    String sid = generatedSession();
    List<String> truth = sim.groundTruth(sid).eventIds();

    Page<SessionEvent> page = await(api.eventsBefore(sid, truth.get(40), 15));
    assertThat(ids(page)).isEqualTo(truth.subList(25, 40));
    assertThat(page.firstId()).isEqualTo(truth.get(25));
    assertThat(page.lastId()).isEqualTo(truth.get(39));
    assertThat(page.hasMore()).as("events older than the page remain").isTrue();

    Page<SessionEvent> oldest = await(api.eventsBefore(sid, truth.get(10), 15));
    assertThat(ids(oldest)).isEqualTo(truth.subList(0, 10));
    assertThat(oldest.hasMore()).isFalse();
    assertThat(log(sim)).extracting(RequestRecord::query)
        .containsExactly("limit=15&before_id=" + truth.get(40), "limit=15&before_id=" + truth.get(10));
  }

  @Test
  void emptyEventsPageLeavesTheCursorWhereItWas() {
    String sid = sim.createSession();
    Page<SessionEvent> none = await(api.eventsAfter(sid, null, 10));
    assertThat(none.data()).isEmpty();
    assertThat(none.firstId()).isNull();
    assertThat(none.lastId()).isNull();
    assertThat(none.hasMore()).isFalse();

    List<String> firstFive = sim.appendEvents(sid, 5);
    String cursor = firstFive.get(4);
    // Caught up: the page after the newest event is empty and names no id...
    Page<SessionEvent> caughtUp = await(api.eventsAfter(sid, cursor, 10));
    assertThat(caughtUp.isEmpty()).isTrue();
    assertThat(caughtUp.firstId()).isNull();
    assertThat(caughtUp.lastId()).isNull();
    assertThat(caughtUp.hasMore()).isFalse();
    // ...on the wire as explicit nulls, as documents 001 and 003 show.
    JsonNode body = raw.get("/api/v1/cloud/sessions/" + sid + "/events?after_id=" + cursor).json();
    assertThat(body.get("first_id").isNull()).isTrue();
    assertThat(body.get("last_id").isNull()).isTrue();
    assertThat(body.get("has_more").asBoolean()).isFalse();

    // A walk from the cursor yields the one empty page and ends; the cursor to poll from stays.
    List<Page<SessionEvent>> walk = pages(api.events(sid, cursor, 10));
    assertThat(walk).hasSize(1);
    assertThat(walk.get(0).isEmpty()).isTrue();

    List<String> more = sim.appendEvents(sid, 3);
    assertThat(ids(api.events(sid, cursor, 10))).isEqualTo(more);
  }

  @Test
  void eventsAnswerForEitherSpellingOfTheSessionId() {
    String sid = generatedSession();
    String uuid = SessionIds.toUuid(sid);
    assertThat(ids(await(api.eventsAfter(uuid, null, 5)))).isEqualTo(ids(await(api.eventsAfter(sid, null, 5))));
    // The client sends the sess_ spelling documents 000-002 name, whichever it was given.
    assertThat(log(sim)).extracting(RequestRecord::path).containsOnly("/api/v1/cloud/sessions/" + sid + "/events");
    // The simulator itself accepts both, as the README says.
    assertThat(raw.get("/api/v1/cloud/sessions/" + uuid + "/events?limit=5").status()).isEqualTo(200);
  }

  // --- document 000: resources -----------------------------------------------------------------

  /** A new session with {@code n} resources mounted from existing files. */
  static String sessionWithResources(int n) {
    String sid = sim.createSession();
    List<String> files = sim.fileIds();
    for (int i = 0; i < n; i++) {
      sim.createResource(sid, files.get(i % files.size()));
    }
    return sid;
  }

  @Test
  void resourcesPageFollowsOpaqueNextPageTokens() {
    String sid = sessionWithResources(12);
    List<String> truth = sim.resourceIds(sid);

    Page<SessionResource> first = await(api.resourcesPage(sid, null, 5));
    assertThat(ids(first)).isEqualTo(truth.subList(0, 5));
    assertThat(first.hasMore()).isTrue();
    assertThat(first.nextCursor()).isNotBlank();
    Page<SessionResource> second = await(api.resourcesPage(sid, first.nextCursor(), 5));
    assertThat(ids(second)).isEqualTo(truth.subList(5, 10));
    Page<SessionResource> last = await(api.resourcesPage(sid, second.nextCursor(), 5));
    assertThat(ids(last)).isEqualTo(truth.subList(10, 12));
    assertThat(last.hasMore()).isFalse();
    assertThat(last.nextCursor()).isNull();
    assertThat(log(sim).get(1).query()).isEqualTo("limit=5&page=" + first.nextCursor());

    assertThat(ids(api.resources(sid, 5))).isEqualTo(truth);
    assertThat(ids(api.resources(sid, 1000))).isEqualTo(truth);
    // Creation order, oldest first.
    List<SessionResource> items = pages(api.resources(sid, 100)).get(0).data();
    for (int i = 1; i < items.size(); i++) {
      assertThat(Instant.parse(items.get(i).text("created_at")))
          .isAfterOrEqualTo(Instant.parse(items.get(i - 1).text("created_at")));
    }
  }

  @Test
  void resourcesAfterIdAndBeforeId() {
    String sid = sessionWithResources(12);
    List<String> truth = sim.resourceIds(sid);

    Page<SessionResource> after = await(api.resourcesById(sid, truth.get(3), null, 4));
    assertThat(ids(after)).isEqualTo(truth.subList(4, 8));
    assertThat(after.hasMore()).isTrue();

    Page<SessionResource> before = await(api.resourcesById(sid, null, truth.get(8), 3));
    assertThat(ids(before)).as("ordered as the endpoint orders, oldest first").isEqualTo(truth.subList(5, 8));
    assertThat(before.hasMore()).isTrue();
    // The next_page of a before_id page continues in its direction (docs/SIMULATOR.md).
    Page<SessionResource> further = await(api.resourcesPage(sid, before.nextCursor(), 3));
    assertThat(ids(further)).isEqualTo(truth.subList(2, 5));

    Page<SessionResource> end = await(api.resourcesById(sid, truth.get(11), null, 4));
    assertThat(end.isEmpty()).isTrue();
    assertThat(end.firstId()).isNull();
    assertThat(end.lastId()).isNull();
    assertThat(end.nextCursor()).isNull();
    assertThat(end.hasMore()).isFalse();
    assertThat(log(sim)).extracting(RequestRecord::query).containsExactly(
        "limit=4&after_id=" + truth.get(3), "limit=3&before_id=" + truth.get(8),
        "limit=3&page=" + before.nextCursor(), "limit=4&after_id=" + truth.get(11));
  }

  @Test
  void resourcesLimitAboveTheCapIsClampedByTheServerAndRefusedByTheClient() {
    String sid = sessionWithResources(1_005);
    List<String> truth = sim.resourceIds(sid);

    // Document 000: "Values above the server cap (currently 1000) are silently clamped".
    for (String limit : List.of("1001", "5000", "99999999999999999999")) {
      Raw r = raw.get("/api/v1/cloud/sessions/" + sid + "/resources?limit=" + limit);
      assertThat(r.status()).as("limit=%s", limit).isEqualTo(200);
      JsonNode j = r.json();
      assertThat(j.get("data")).hasSize(1_000);
      assertThat(j.get("has_more").asBoolean()).isTrue();
      assertThat(j.get("next_page").asText()).isNotBlank();
    }

    // The client goes up to the cap itself...
    Page<SessionResource> capped = await(api.resourcesPage(sid, null, 1_000));
    assertThat(ids(capped)).isEqualTo(truth.subList(0, 1_000));
    assertThat(ids(await(api.resourcesPage(sid, capped.nextCursor(), 1_000)))).isEqualTo(truth.subList(1_000, 1_005));
    assertThat(ids(api.resources(sid, 1_000))).isEqualTo(truth);

    // ...and refuses to ask beyond it (its rule: limits inside the documented ranges), sending nothing.
    sim.resetRequestLog();
    Throwable refused = failure(api.resourcesPage(sid, null, 1_001));
    assertThat(refused).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1..1000");
    assertThat(failure(api.resources(sid, 1_001))).isInstanceOf(IllegalArgumentException.class);
    assertThat(sim.requestStats().total()).isZero();
  }

  // --- document 001: files ---------------------------------------------------------------------

  @Test
  void filesAreNewestFirstAfterMovesToOlderBeforeToNewer() {
    List<String> truth = sim.fileIds();

    Page<QoderFile> first = await(api.filesPage(null, null, null, 10));
    assertThat(ids(first)).isEqualTo(truth.subList(0, 10));
    assertThat(first.hasMore()).isTrue();
    // "If has_more is true, use after=<last_id> to fetch the next page."
    Page<QoderFile> older = await(api.filesPage(null, first.lastId(), null, 10));
    assertThat(ids(older)).isEqualTo(truth.subList(10, 20));
    // "Use before=<first_id> to page backward": the newer neighbours, still newest first.
    Page<QoderFile> newer = await(api.filesPage(null, null, truth.get(20), 10));
    assertThat(ids(newer)).isEqualTo(truth.subList(10, 20));
    assertThat(newer.hasMore()).isTrue();
    assertThat(ids(await(api.filesPage(null, null, truth.get(5), 10)))).isEqualTo(truth.subList(0, 5));

    List<QoderFile> all = pages(api.files(null, 100)).get(0).data();
    assertThat(ids(api.files(null, 7))).isEqualTo(truth);
    for (int i = 1; i < all.size(); i++) {
      assertThat(Instant.parse(all.get(i).text("created_at")))
          .isBeforeOrEqualTo(Instant.parse(all.get(i - 1).text("created_at")));
    }
    assertThat(log(sim).subList(0, 4)).extracting(RequestRecord::query).containsExactly("limit=10",
        "limit=10&after=" + truth.get(9), "limit=10&before=" + truth.get(20), "limit=10&before=" + truth.get(5));
  }

  @Test
  void filesPurposeFilterSplitsTheListWithoutLosingAFile() {
    List<String> truth = sim.fileIds();
    List<String> purposes = List.of("user_upload", "tool_output", "skill_output", "session_resource", "agent_output");
    Set<String> seen = new HashSet<>();
    int total = 0;
    for (String purpose : purposes) {
      List<QoderFile> files = pages(api.files(purpose, 4)).stream().flatMap(p -> p.data().stream()).toList();
      assertThat(files).allSatisfy(f -> assertThat(f.purpose()).isEqualTo(purpose));
      List<String> ids = files.stream().map(QoderFile::id).toList();
      // Same newest-first order as the unfiltered list.
      assertThat(ids).isEqualTo(truth.stream().filter(ids::contains).toList());
      seen.addAll(ids);
      total += ids.size();
    }
    assertThat(total).isEqualTo(truth.size());
    assertThat(seen).containsExactlyInAnyOrderElementsOf(truth);
    assertThat(log(sim).get(0).query()).isEqualTo("purpose=user_upload&limit=4");
  }

  @Test
  void emptyFilesPageHasNullIdsAndNoMore() {
    List<String> truth = sim.fileIds();
    Page<QoderFile> end = await(api.filesPage(null, truth.get(truth.size() - 1), null, 10));
    assertThat(end.isEmpty()).isTrue();
    assertThat(end.firstId()).isNull();
    assertThat(end.lastId()).isNull();
    assertThat(end.hasMore()).isFalse();
    // Document 001's "Empty list response", byte for byte in meaning.
    JsonNode j = raw.get("/api/v1/cloud/files?after=" + truth.get(truth.size() - 1)).json();
    assertThat(j).isEqualTo(SimContract.json("{\"data\":[],\"first_id\":null,\"has_more\":false,\"last_id\":null}"));
  }

  // --- document 003: generic list pagination (agents) -----------------------------------------

  @Test
  void genericListPagesByAfterIdAndBeforeIdNewestFirst() {
    List<String> truth = sim.agentIds();
    assertThat(truth).hasSize(40);

    Page<GenericItem> first = await(api.listPage("agents", null, null, 10));
    assertThat(ids(first)).isEqualTo(truth.subList(0, 10));
    assertThat(first.hasMore()).isTrue();
    // "Use last_id from the previous response as after_id".
    Page<GenericItem> forward = await(api.listPage("agents", first.lastId(), null, 10));
    assertThat(ids(forward)).isEqualTo(truth.subList(10, 20));
    // "Use the current page's first_id as before_id".
    Page<GenericItem> backward = await(api.listPage("agents", null, forward.firstId(), 10));
    assertThat(ids(backward)).isEqualTo(truth.subList(0, 10));
    assertThat(backward.hasMore()).as("nothing newer than the newest agent").isFalse();
    // limit 1 and 100, the documented bounds.
    assertThat(ids(await(api.listPage("agents", null, null, 1)))).containsExactly(truth.get(0));
    Page<GenericItem> hundred = await(api.listPage("agents", null, null, 100));
    assertThat(ids(hundred)).isEqualTo(truth);
    assertThat(hundred.hasMore()).isFalse();
    // "Empty results: when ... the end of the list has been reached".
    Page<GenericItem> end = await(api.listPage("agents", truth.get(39), null, 10));
    assertThat(end.isEmpty()).isTrue();
    assertThat(end.firstId()).isNull();
    assertThat(end.lastId()).isNull();
    assertThat(end.hasMore()).isFalse();

    assertThat(ids(api.list("agents", 7))).isEqualTo(truth);
    assertThat(first.data().get(0).text("name")).isNotBlank();
    assertThat(log(sim).subList(0, 3)).extracting(RequestRecord::query).containsExactly("limit=10",
        "limit=10&after_id=" + truth.get(9), "limit=10&before_id=" + truth.get(10));
  }

  @Test
  void genericListCursorsStayStableWhenItemsAreAddedDuringPaging() {
    List<String> before = sim.agentIds();
    Page<GenericItem> first = await(api.listPage("agents", null, null, 10));
    String added = sim.createAgent();
    // Document 003: "concurrent writes do not cause duplicates or skips".
    List<String> rest = new ArrayList<>(ids(first));
    String cursor = first.lastId();
    while (true) {
      Page<GenericItem> p = await(api.listPage("agents", cursor, null, 10));
      rest.addAll(ids(p));
      if (!p.hasMore()) {
        break;
      }
      cursor = p.lastId();
    }
    assertThat(rest).isEqualTo(before);
    assertThat(ids(await(api.listPage("agents", null, before.get(0), 10)))).containsExactly(added);
    sim.deleteAgent(added);
  }

  // --- document 004: sessions ------------------------------------------------------------------

  static List<String> uuids(List<String> sessIds) {
    return sessIds.stream().map(SessionIds::toUuid).toList();
  }

  @Test
  void sessionsListIsNewestFirstAndPagesByBeforeAndNextCursor() {
    Page<SessionInfo> first = await(api.sessionsPage(null, null, 5));
    assertThat(first.data()).hasSize(5);
    assertThat(first.hasMore()).isTrue();
    // nextCursor = createdAt of the last item; the next page starts strictly before it.
    assertThat(first.nextCursor()).isEqualTo(first.data().get(4).createdAt());
    Page<SessionInfo> second = await(api.sessionsPage(null, first.nextCursor(), 5));
    assertThat(second.data()).allSatisfy(s ->
        assertThat(Instant.parse(s.createdAt())).isBefore(Instant.parse(first.nextCursor())));
    assertThat(log(sim)).extracting(RequestRecord::query).containsExactly("limit=5",
        "limit=5&before=" + QueryString.encode(first.nextCursor()));

    List<Page<SessionInfo>> walk = pages(api.sessions(null, 5));
    Page<SessionInfo> last = walk.get(walk.size() - 1);
    assertThat(last.hasMore()).isFalse();
    assertThat(last.nextCursor()).isNull();
    List<SessionInfo> all = walk.stream().flatMap(p -> p.data().stream()).toList();
    assertThat(all.subList(0, 10)).isEqualTo(concat(first.data(), second.data()));
    for (int i = 1; i < all.size(); i++) {
      assertThat(Instant.parse(all.get(i).createdAt())).isBefore(Instant.parse(all.get(i - 1).createdAt()));
    }
    assertThat(all).allSatisfy(s -> assertThat(s.organization()).isEqualTo("org_default"));
    // "nextCursor ... absent when there are no more results": absent, not null, on the wire.
    JsonNode lastRaw = raw.get("/api/v1/sessions?limit=5&before=" + QueryString.encode(walk.get(walk.size() - 2)
        .nextCursor())).json();
    assertThat(lastRaw.has("nextCursor")).isFalse();
    // Every member named in document 004 is there.
    JsonNode one = all.get(0).json();
    for (String field : List.of("id", "organization", "user", "device", "createdAt")) {
      assertThat(one.hasNonNull(field)).as(field).isTrue();
    }
    for (String field : List.of("id", "platform", "type", "name", "osVersion")) {
      assertThat(one.get("device").hasNonNull(field)).as("device." + field).isTrue();
    }
    assertThat(one.has("releasedAt")).isTrue();
  }

  @Test
  void releasedAtFollowsTheSimulatorsSessions() {
    String sid = sim.createSession();
    SessionInfo fresh = await(api.session(null, sid));
    assertThat(fresh.releasedAt()).isNull();
    assertThat(fresh.isReleased()).isFalse();
    sim.releaseSession(sid);
    SessionInfo released = await(api.session(null, sid));
    assertThat(released.isReleased()).isTrue();
    assertThat(Instant.parse(released.releasedAt())).isAfterOrEqualTo(Instant.parse(released.createdAt()));

    List<SessionInfo> all = new ArrayList<>();
    for (String org : sim.organizations()) {
      pages(api.sessions(org, 50)).forEach(p -> all.addAll(p.data()));
    }
    assertThat(all).extracting(SessionInfo::id).contains(released.id());
    assertThat(all).anySatisfy(s -> assertThat(s.isReleased()).isFalse());
    for (SessionInfo s : all) {
      GroundTruth truth = sim.groundTruth(s.sessionId());
      assertThat(s.isReleased()).as("releasedAt of %s", s.id()).isEqualTo(truth.released());
    }
  }

  @Test
  void organizationHeaderSelectsTheOrganizationsSessions() {
    String research = sim.createSession("org_research", 0);
    String byDefault = sim.createSession();

    List<SessionInfo> defaults = pages(api.sessions(null, 500)).get(0).data();
    List<SessionInfo> researchList = pages(api.sessions("org_research", 500)).get(0).data();
    assertThat(defaults).allSatisfy(s -> assertThat(s.organization()).isEqualTo("org_default"));
    assertThat(researchList).allSatisfy(s -> assertThat(s.organization()).isEqualTo("org_research"));
    assertThat(researchList).isNotEmpty();
    assertThat(researchList).extracting(SessionInfo::sessionId).contains(research).doesNotContain(byDefault);
    assertThat(defaults).extracting(SessionInfo::sessionId).contains(byDefault).doesNotContain(research);
    // Together the two organizations hold every session, each once.
    List<String> union = new ArrayList<>();
    defaults.forEach(s -> union.add(s.id()));
    researchList.forEach(s -> union.add(s.id()));
    assertThat(union).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(uuids(sim.sessionIds()));
    // Explicitly naming the default organization selects the same list.
    assertThat(ids(api.sessions("org_default", 500))).isEqualTo(defaults.stream().map(SessionInfo::id).toList());

    // The client's configured organization is sent when a call names none.
    try (QoderApiClient researchClient = SimContract.client(sim, b -> b.organizationId("org_research"))) {
      assertThat(ids(researchClient.sessions(null, 500))).isEqualTo(researchList.stream().map(SessionInfo::id).toList());
      assertThat(await(researchClient.session(null, research)).organization()).isEqualTo("org_research");
      // A per-call organization wins over the configured one.
      assertThat(await(researchClient.session("org_default", byDefault)).sessionId()).isEqualTo(byDefault);
      Throwable other = failure(researchClient.session(null, byDefault));
      assertThat(other).isInstanceOf(QoderApiException.NotFound.class);
    }

    // A session of another organization is not found; an unknown organization is not found.
    assertThat(failure(api.session(null, research))).isInstanceOf(QoderApiException.NotFound.class);
    Throwable unknownOrg = failure(api.sessionsPage("org_nope", null, 10));
    assertThat(unknownOrg).isInstanceOf(QoderApiException.NotFound.class);
    assertThat(((QoderApiException.NotFound) unknownOrg).isSessionGone())
        .as("an unknown organization does not mean a session is gone").isFalse();
  }

  @Test
  void getOneSessionByEitherSpellingOfItsId() {
    // A session of the research organization, so the lookup needs the header as well.
    String sid = sim.createSession("org_research", 2);
    String uuid = SessionIds.toUuid(sid);
    sim.resetRequestLog();
    SessionInfo byUuid = await(api.session("org_research", uuid));
    SessionInfo bySess = await(api.session("org_research", sid));
    assertThat(byUuid.id()).isEqualTo(uuid);
    assertThat(byUuid.organization()).isEqualTo("org_research");
    assertThat(byUuid.sessionId()).isEqualTo(sid);
    assertThat(bySess.json()).isEqualTo(byUuid.json());
    // Document 004 names sessions by UUID: the client sends that spelling for both.
    assertThat(log(sim)).extracting(RequestRecord::path).containsOnly("/api/v1/sessions/" + uuid);
    // Same object as in the list.
    SessionInfo listed = pages(api.sessions(byUuid.organization(), 500)).get(0).data().stream()
        .filter(s -> s.id().equals(uuid)).findFirst().orElseThrow();
    assertThat(listed.json()).isEqualTo(byUuid.json());
  }

  // --- path prefix ----------------------------------------------------------------------------

  @Test
  void v1PathPrefixReachesTheSameEndpoints() {
    String sid = sessionWithResources(3);
    String events = generatedSession();
    try (QoderApiClient v1 = SimContract.client(sim, b -> b.cloudPathPrefix("/v1"))) {
      sim.resetRequestLog();
      assertThat(ids(v1.events(events, null, 25))).isEqualTo(sim.groundTruth(events).eventIds());
      assertThat(ids(await(v1.eventsBefore(events, sim.groundTruth(events).eventIds().get(5), 10))))
          .isEqualTo(sim.groundTruth(events).eventIds().subList(0, 5));
      assertThat(ids(v1.resources(sid, 2))).isEqualTo(sim.resourceIds(sid));
      assertThat(ids(v1.files(null, 100))).isEqualTo(sim.fileIds());
      assertThat(ids(v1.list("agents", 100))).isEqualTo(sim.agentIds());
      assertThat(ids(v1.sessions(null, 500))).isEqualTo(ids(api.sessions(null, 500)));

      List<RequestRecord> sent = log(sim);
      assertThat(sent).allSatisfy(r -> assertThat(r.status()).isEqualTo(200));
      assertThat(sent).extracting(RequestRecord::path).anySatisfy(p -> assertThat(p).startsWith("/v1/sessions/"))
          .anySatisfy(p -> assertThat(p).isEqualTo("/v1/files"))
          .anySatisfy(p -> assertThat(p).isEqualTo("/v1/agents"));
      assertThat(sent).extracting(RequestRecord::path)
          .filteredOn(p -> !p.startsWith("/api/v1/sessions"))
          .allSatisfy(p -> assertThat(p).startsWith("/v1/"));
      Throwable gone = failure(v1.eventsAfter("sess_" + "0".repeat(32), null, 5));
      assertThat(gone).isInstanceOf(QoderApiException.NotFound.class);
      assertThat(((QoderApiException.NotFound) gone).isSessionGone()).isTrue();
      assertThat(((QoderApiException) gone).endpoint()).isEqualTo("GET /v1/sessions/{session_id}/events");
    }
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}

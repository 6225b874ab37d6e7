package com.qoder.kafka.api;

import static com.qoder.kafka.api.SimContract.await;
import static com.qoder.kafka.api.SimContract.classify;
import static com.qoder.kafka.api.SimContract.failure;
import static com.qoder.kafka.api.SimContract.ids;
import static com.qoder.kafka.api.SimContract.log;
import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.api.SimContract.Raw;
import com.qoder.kafka.api.SimContract.RawHttp;
import com.qoder.kafka.sim.QoderSimulator;
import com.qoder.kafka.sim.RequestRecord;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Issue 2 contract, part 2: every row of the documents' limit and error tables, through the real
 * client where the client sends the request, and as raw HTTP where the client refuses to send it
 * (then the raw 400 body goes through the client's own classifier). 400, 401 and 404 are each
 * seen exactly once in the simulator's request log: never retried.
 */
class ClientSimulatorErrorContractTest {

  static final String UNKNOWN_SESSION = "sess_" + "0123456789abcdef".repeat(2);
  static final String WRONG_TOKEN = "not-the-simulator-token-7c1e";

  // 160 sessions so that the default organization holds more than the sessions default of 100.
  @RegisterExtension
  static final SimContract.Server server = new SimContract.Server(() -> QoderSimulator.builder()
      .seed(7).sessions(160).eventsPerSession(5)
      .files(40).agents(30).build());

  static QoderSimulator sim;
  static QoderApiClient api;
  static RawHttp raw;
  static String sid; // a session with 30 events and 25 resources
  static List<String> events;

  @BeforeAll
  static void start() {
    sim = server.sim();
    api = server.api();
    raw = new RawHttp(sim);
    sid = sim.createSession(null, 30);
    events = sim.groundTruth(sid).eventIds();
    List<String> files = sim.fileIds();
    for (int i = 0; i < 25; i++) {
      sim.createResource(sid, files.get(i));
    }
  }

  // --- limits the client refuses ---------------------------------------------------------------

  /** Every client call with a limit, by name. */
  static Map<String, Function<Integer, Publisher<?>>> callsWithLimit(QoderApi api) {
    Map<String, Function<Integer, Publisher<?>>> calls = new LinkedHashMap<>();
    calls.put("eventsAfter", n -> api.eventsAfter(sid, null, n));
    calls.put("eventsBefore", n -> api.eventsBefore(sid, events.get(5), n));
    calls.put("events", n -> api.events(sid, null, n));
    calls.put("filesPage", n -> api.filesPage(null, null, null, n));
    calls.put("files", n -> api.files("user_upload", n));
    calls.put("listPage", n -> api.listPage("agents", null, null, n));
    calls.put("list", n -> api.list("agents", n));
    calls.put("resourcesPage", n -> api.resourcesPage(sid, null, n));
    calls.put("resourcesById", n -> api.resourcesById(sid, "sesr_x", null, n));
    calls.put("resources", n -> api.resources(sid, n));
    calls.put("sessionsPage", n -> api.sessionsPage(null, null, n));
    calls.put("sessions", n -> api.sessions(null, n));
    return calls;
  }

  static Throwable failureOf(Publisher<?> p) {
    return p instanceof Mono<?> m ? failure(m) : failure(Flux.from(p));
  }

  @Test
  void clientRefusesLimitsOutsideTheDocumentedRangesWithoutSendingAnything() {
    Map<String, Integer> maxOf = Map.ofEntries(Map.entry("eventsAfter", 100), Map.entry("eventsBefore", 100),
        Map.entry("events", 100), Map.entry("filesPage", 100), Map.entry("files", 100),
        Map.entry("listPage", 100), Map.entry("list", 100), Map.entry("resourcesPage", 1000),
        Map.entry("resourcesById", 1000), Map.entry("resources", 1000), Map.entry("sessionsPage", 500),
        Map.entry("sessions", 500));
    callsWithLimit(api).forEach((name, call) -> {
      int max = maxOf.get(name);
      for (int limit : new int[] {0, -1, Integer.MIN_VALUE, max + 1, Integer.MAX_VALUE}) {
        Throwable t = failureOf(call.apply(limit));
        assertThat(t).as("%s(limit=%d)", name, limit).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("limit must be within 1.." + max).hasMessageContaining(Integer.toString(limit));
      }
    });
    assertThat(sim.requestStats().total()).as("requests that reached the simulator").isZero();
  }

  @Test
  void clientRefusesTwoCursorsAtOnceWithoutSendingAnything() {
    List<String> res = sim.resourceIds(sid);
    List<String> files = sim.fileIds();
    List<String> agents = sim.agentIds();
    Map<String, Supplier<Mono<?>>> calls = new LinkedHashMap<>();
    calls.put("resources after_id+before_id", () -> api.resourcesById(sid, res.get(1), res.get(5), 5));
    calls.put("resources without a cursor", () -> api.resourcesById(sid, null, "", 5));
    calls.put("files after+before", () -> api.filesPage(null, files.get(1), files.get(5), 5));
    calls.put("agents after_id+before_id", () -> api.listPage("agents", agents.get(1), agents.get(5), 5));
    calls.put("events before_id missing", () -> api.eventsBefore(sid, null, 5));
    calls.put("events without a session", () -> api.eventsAfter(" ", null, 5));
    calls.put("list without a collection", () -> api.listPage("../agents", null, null, 5));
    calls.forEach((name, call) ->
        assertThat(failure(call.get())).as(name).isInstanceOf(IllegalArgumentException.class));
    assertThat(sim.requestStats().total()).isZero();
  }

  // --- the same rules on the wire ------------------------------------------------------------

  static void assertInvalidRequest(Raw r, String what) {
    assertThat(r.status()).as("%s: %s", what, r.body()).isEqualTo(400);
    assertThat(r.errorType()).as(what).isEqualTo("invalid_request_error");
    QoderApiException e = classify(sim, r);
    assertThat(e).as(what).isInstanceOf(QoderApiException.InvalidRequest.class);
    assertThat(e.errorType()).isEqualTo("invalid_request_error");
    assertThat(e.isRetryable()).isFalse();
    assertThat(e.getMessage()).contains(r.json().path("error").path("message").asText());
  }

  @Test
  void wireAnswersBadLimitsWith400EnvelopeThatTheClientClassifiesAsInvalidRequest() {
    String eventsPath = "/api/v1/cloud/sessions/" + sid + "/events";
    String resourcesPath = "/api/v1/cloud/sessions/" + sid + "/resources";
    // Document 003's limit table (events and files follow it in the simulator, see docs/SIMULATOR.md).
    for (String path : List.of(eventsPath, "/api/v1/cloud/files", "/api/v1/cloud/agents", "/v1/sessions/" + sid
        + "/events", "/v1/files", "/v1/agents")) {
      for (String limit : List.of("0", "-1", "abc", "101", "1.5", "")) {
        assertInvalidRequest(raw.get(path + "?limit=" + limit), path + " limit=" + limit);
      }
      assertThat(raw.get(path + "?limit=1").json().get("data")).as(path).hasSize(1);
      assertThat(raw.get(path + "?limit=100").status()).isEqualTo(200);
      assertThat(raw.get(path).json().get("data")).as("%s default limit", path).hasSize(20);
    }
    // Document 000: only non-positive or non-integer limits are 400.
    for (String limit : List.of("0", "-1", "abc", "2.5", "-1001")) {
      assertInvalidRequest(raw.get(resourcesPath + "?limit=" + limit), "resources limit=" + limit);
    }
    assertThat(raw.get(resourcesPath).json().get("data")).as("resources default limit").hasSize(20);
    assertThat(raw.get(resourcesPath + "?limit=1001").json().get("data")).hasSize(25);
    // Document 004: default 100, max 500.
    for (String limit : List.of("0", "-1", "abc", "501")) {
      assertInvalidRequest(raw.get("/api/v1/sessions?limit=" + limit), "sessions limit=" + limit);
    }
    assertThat(raw.get("/api/v1/sessions?limit=500").status()).isEqualTo(200);
    Raw byDefault = raw.get("/api/v1/sessions");
    assertThat(byDefault.json().get("data")).as("sessions default limit").hasSize(100);
    assertThat(byDefault.json().has("nextCursor")).isTrue();
  }

  @Test
  void wireAnswersTwoCursorsWith400EnvelopeThatTheClientClassifiesAsInvalidRequest() {
    List<String> res = sim.resourceIds(sid);
    String token = await(api.resourcesPage(sid, null, 5)).nextCursor();
    List<String> files = sim.fileIds();
    List<String> agents = sim.agentIds();
    String resources = "/api/v1/cloud/sessions/" + sid + "/resources?limit=5";
    Map<String, String> requests = new LinkedHashMap<>();
    requests.put("events after_id+before_id",
        "/api/v1/cloud/sessions/" + sid + "/events?after_id=" + events.get(1) + "&before_id=" + events.get(9));
    requests.put("resources page+after_id", resources + "&page=" + token + "&after_id=" + res.get(1));
    requests.put("resources page+before_id", resources + "&page=" + token + "&before_id=" + res.get(9));
    requests.put("resources before_id+after_id", resources + "&after_id=" + res.get(1) + "&before_id=" + res.get(9));
    requests.put("files after+before", "/api/v1/cloud/files?after=" + files.get(1) + "&before=" + files.get(9));
    requests.put("agents after_id+before_id",
        "/api/v1/cloud/agents?after_id=" + agents.get(1) + "&before_id=" + agents.get(9));
    requests.forEach((name, path) -> assertInvalidRequest(raw.get(path), name));
  }

  // --- 400 through the client: sent once, classified, never retried ----------------------------

  /** Runs a call that the simulator rejects; asserts it was sent exactly once and returns the error. */
  static QoderApiException rejectedOnce(Mono<?> call, int status) {
    sim.resetRequestLog();
    Throwable t = failure(call);
    assertThat(t).isInstanceOf(QoderApiException.class);
    QoderApiException e = (QoderApiException) t;
    assertThat(e.status()).isEqualTo(status);
    assertThat(e.attempts()).isEqualTo(1);
    assertThat(e.isRetryable()).isFalse();
    assertThat(log(sim)).as("requests for %s", e.getMessage()).singleElement()
        .extracting(RequestRecord::status).isEqualTo(status);
    return e;
  }

  @Test
  void deletedOrExpiredCursorsAndBadParametersAreInvalidRequestSentOnce() {
    String session = sim.createSession(null, 10);
    List<String> ids = sim.groundTruth(session).eventIds();
    sim.deleteEvent(session, ids.get(4));
    QoderApiException deletedEvent = rejectedOnce(api.eventsAfter(session, ids.get(4), 5), 400);
    assertThat(deletedEvent).isInstanceOf(QoderApiException.InvalidRequest.class);
    assertThat(deletedEvent.errorType()).isEqualTo("invalid_request_error");
    assertThat(deletedEvent.getMessage()).contains(ids.get(4));
    assertThat(rejectedOnce(api.eventsBefore(session, ids.get(4), 5), 400))
        .isInstanceOf(QoderApiException.InvalidRequest.class);
    // The deleted event is skipped, the others are served in order.
    List<String> served = ids(api.events(session, null, 3));
    assertThat(served).isEqualTo(ids.stream().filter(id -> !id.equals(ids.get(4))).toList());
    assertThat(rejectedOnce(api.eventsAfter(session, "evt_" + "f".repeat(32), 5), 400))
        .isInstanceOf(QoderApiException.InvalidRequest.class);

    String resource = sim.createResource(session);
    sim.deleteResource(session, resource);
    assertThat(rejectedOnce(api.resourcesById(session, resource, null, 5), 400))
        .isInstanceOf(QoderApiException.InvalidRequest.class);
    String pageToken = await(api.resourcesPage(sid, null, 5)).nextCursor();
    sim.invalidateResourceCursors();
    assertThat(rejectedOnce(api.resourcesPage(sid, pageToken, 5), 400))
        .isInstanceOf(QoderApiException.InvalidRequest.class).hasMessageContaining("expired");
    assertThat(rejectedOnce(api.resourcesPage(sid, "not-a-token", 5), 400))
        .isInstanceOf(QoderApiException.InvalidRequest.class);

    String file = sim.createFile("tool_output");
    sim.deleteFile(file);
    assertThat(rejectedOnce(api.filesPage(null, file, null, 5), 400)).isInstanceOf(QoderApiException.InvalidRequest.class);
    assertThat(rejectedOnce(api.filesPage("photos", null, null, 5), 400))
        .isInstanceOf(QoderApiException.InvalidRequest.class).hasMessageContaining("purpose");

    // Document 003: "using a deleted resource ID as a cursor may return 400".
    String agent = sim.createAgent();
    sim.deleteAgent(agent);
    assertThat(rejectedOnce(api.listPage("agents", agent, null, 5), 400)).isInstanceOf(QoderApiException.InvalidRequest.class);
    assertThat(rejectedOnce(api.listPage("agents", null, agent, 5), 400)).isInstanceOf(QoderApiException.InvalidRequest.class);

    // Document 004: before is an RFC 3339 date-time.
    assertThat(rejectedOnce(api.sessionsPage(null, "yesterday", 5), 400))
        .isInstanceOf(QoderApiException.InvalidRequest.class).hasMessageContaining("RFC 3339");
  }

  // --- 401 -------------------------------------------------------------------------------------

  @Test
  void wrongTokenIsAuthenticationErrorOnEveryEndpointSeenOnceAndNeverRetried() {
    List<String> res = sim.resourceIds(sid);
    try (QoderApiClient wrong = SimContract.client(sim,
        b -> b.token(com.qoder.kafka.config.Secret.of(WRONG_TOKEN)).maxRetries(5))) {
      Map<String, Supplier<Publisher<?>>> calls = new LinkedHashMap<>();
      calls.put("eventsAfter", () -> wrong.eventsAfter(sid, null, 5));
      calls.put("eventsBefore", () -> wrong.eventsBefore(sid, events.get(3), 5));
      calls.put("events", () -> wrong.events(sid, null, 5));
      calls.put("resourcesPage", () -> wrong.resourcesPage(sid, null, 5));
      calls.put("resourcesById", () -> wrong.resourcesById(sid, res.get(0), null, 5));
      calls.put("resources", () -> wrong.resources(sid, 5));
      calls.put("filesPage", () -> wrong.filesPage(null, null, null, 5));
      calls.put("files", () -> wrong.files(null, 5));
      calls.put("listPage", () -> wrong.listPage("agents", null, null, 5));
      calls.put("list", () -> wrong.list("agents", 5));
      calls.put("sessionsPage", () -> wrong.sessionsPage(null, null, 5));
      calls.put("sessions", () -> wrong.sessions("org_research", 5));
      calls.put("session", () -> wrong.session(null, sid));
      calls.forEach((name, call) -> {
        sim.resetRequestLog();
        Throwable t = failureOf(call.get());
        assertThat(t).as(name).isInstanceOf(QoderApiException.Authentication.class);
        QoderApiException e = (QoderApiException) t;
        assertThat(e.status()).isEqualTo(401);
        assertThat(e.errorType()).isEqualTo("authentication_error");
        assertThat(e.attempts()).isEqualTo(1);
        assertThat(e.getMessage()).as(name).contains("QODER_PAT").doesNotContain(WRONG_TOKEN)
            .doesNotContain(sim.token());
        assertThat(e.toString()).doesNotContain(WRONG_TOKEN);
        assertThat(log(sim)).as("%s: requests in the simulator's log", name).singleElement()
            .extracting(RequestRecord::status).isEqualTo(401);
      });
      SimContract.assertIdle(wrong);
    }
    // The wire answer is the documented envelope, with or without a token.
    Raw noToken = raw.get("/api/v1/cloud/agents", null, null);
    assertThat(noToken.status()).isEqualTo(401);
    assertThat(noToken.errorType()).isEqualTo("authentication_error");
    assertThat(classify(sim, noToken)).isInstanceOf(QoderApiException.Authentication.class);
    assertThat(raw.get("/v1/files", null, WRONG_TOKEN).errorType()).isEqualTo("authentication_error");
  }

  @Test
  void revokedTokenIsAuthenticationErrorSentOnceAndTheClientWorksAgainOnceRestored() {
    sim.faults().revokeToken();
    QoderApiException e = rejectedOnce(api.eventsAfter(sid, null, 5), 401);
    assertThat(e).isInstanceOf(QoderApiException.Authentication.class);
    assertThat(e.getMessage()).contains("QODER_PAT").doesNotContain(sim.token());
    sim.faults().restoreToken();
    assertThat(ids(await(api.eventsAfter(sid, null, 5)))).isEqualTo(events.subList(0, 5));
  }

  // --- 404 -------------------------------------------------------------------------------------

  static void assertSessionGone(QoderApiException e, String sessionId) {
    assertThat(e).isInstanceOf(QoderApiException.NotFound.class);
    QoderApiException.NotFound nf = (QoderApiException.NotFound) e;
    assertThat(nf.isSessionGone()).isTrue();
    assertThat(nf.sessionId()).isEqualTo(sessionId);
    assertThat(nf.errorType()).isEqualTo("not_found_error");
  }

  @Test
  void unknownSessionIsNotFoundMeaningTheSessionIsGone() {
    assertSessionGone(rejectedOnce(api.eventsAfter(UNKNOWN_SESSION, null, 5), 404), UNKNOWN_SESSION);
    assertSessionGone(rejectedOnce(api.eventsBefore(UNKNOWN_SESSION, events.get(2), 5), 404), UNKNOWN_SESSION);
    assertSessionGone(rejectedOnce(api.resourcesPage(UNKNOWN_SESSION, null, 5), 404), UNKNOWN_SESSION);
    assertSessionGone(rejectedOnce(api.session(null, UNKNOWN_SESSION), 404), UNKNOWN_SESSION);
    // Given as a UUID, the error still names the canonical sess_ id.
    assertSessionGone(rejectedOnce(api.eventsAfter(SessionIds.toUuid(UNKNOWN_SESSION), null, 5), 404),
        UNKNOWN_SESSION);
    assertSessionGone(rejectedOnce(api.session(null, SessionIds.toUuid(UNKNOWN_SESSION)), 404), UNKNOWN_SESSION);
    // The walks end with the same error.
    Throwable walk = failure(api.events(UNKNOWN_SESSION, null, 5));
    assertSessionGone((QoderApiException) walk, UNKNOWN_SESSION);

    // Document 000's example answer.
    Raw r = raw.get("/api/v1/cloud/sessions/" + UNKNOWN_SESSION + "/resources");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.errorType()).isEqualTo("not_found_error");
    assertThat(r.json().path("error").path("message").asText()).contains(UNKNOWN_SESSION).contains("not found");
  }

  @Test
  void deletedSessionIsNotFoundOnEverySessionEndpoint() {
    String doomed = sim.createSession(null, 4);
    assertThat(ids(await(api.eventsAfter(doomed, null, 5)))).hasSize(4);
    sim.deleteSession(doomed);
    assertSessionGone(rejectedOnce(api.eventsAfter(doomed, null, 5), 404), doomed);
    assertSessionGone(rejectedOnce(api.resourcesPage(doomed, null, 5), 404), doomed);
    assertSessionGone(rejectedOnce(api.session(null, doomed), 404), doomed);
    assertThat(ids(api.sessions(null, 500))).doesNotContain(SessionIds.toUuid(doomed));
  }
}

package com.qoder.kafka.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.qoder.kafka.Await;
import com.qoder.kafka.api.FakeQoderServer.Received;
import com.qoder.kafka.api.FakeQoderServer.Reply;
import com.qoder.kafka.config.Secret;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The client against a scripted HTTP server on loopback: what goes over the wire, how each cursor
 * style is walked, how errors are classified and retried, and that the budget and the
 * concurrency bound hold.
 */
class QoderApiClientTest {

  static final String TOKEN = "qoder-test-token-5f2c81";
  static final String SID = "sess_019e392c0d1e74e095d21ea4c6b41def";
  static final String SID_UUID = "019e392c-0d1e-74e0-95d2-1ea4c6b41def";
  static final String EVENTS_PATH = "/api/v1/cloud/sessions/" + SID + "/events";
  static final Duration WAIT = Duration.ofSeconds(10);

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final List<Throwable> seenErrors = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    // Whatever failed in this test, the token must not be in it.
    for (Throwable t : seenErrors) {
      for (Throwable c = t; c != null; c = c.getCause()) {
        assertThat(String.valueOf(c.getMessage())).doesNotContain(TOKEN);
        assertThat(c.toString()).doesNotContain(TOKEN);
      }
    }
  }

  // --- fixtures -------------------------------------------------------------------------------

  FakeQoderServer server(Function<Received, Reply> script) {
    FakeQoderServer s = new FakeQoderServer(script);
    toClose.add(s);
    return s;
  }

  QoderApiClient client(FakeQoderServer server, Consumer<QoderApiOptions.Builder> tweak) {
    return client(server, tweak, ApiMetrics.NOOP);
  }

  QoderApiClient client(FakeQoderServer server, Consumer<QoderApiOptions.Builder> tweak, ApiMetrics metrics) {
    QoderApiOptions.Builder b = QoderApiOptions.builder(server.baseUrl(), Secret.of(TOKEN))
        .backoff(Duration.ofMillis(5), Duration.ofMillis(20))
        .maxRetries(3)
        .maxRequestsPerSecond(1000)
        .maxConcurrentRequests(16)
        .responseTimeout(Duration.ofSeconds(3));
    tweak.accept(b);
    QoderApiClient c = QoderApiClient.create(b.build(), metrics);
    toClose.add(c);
    return c;
  }

  QoderApiClient client(FakeQoderServer server) {
    return client(server, b -> {});
  }

  <T> T await(Mono<T> mono) {
    return mono.block(WAIT);
  }

  Throwable failureOf(Mono<?> mono) {
    Throwable t = catchFailure(() -> mono.block(WAIT));
    seenErrors.add(t);
    return t;
  }

  static Throwable catchFailure(Runnable r) {
    try {
      r.run();
    } catch (Throwable t) {
      return t;
    }
    throw new AssertionError("expected a failure");
  }

  static String event(String id) {
    return "{\"id\":\"" + id + "\",\"type\":\"user.message\",\"session_id\":\"" + SID + "\","
        + "\"content\":\"hi\",\"created_at\":\"2026-05-18T03:40:48.888851795Z\"}";
  }

  /** A page of documents 000–003; ids become items keyed by {@code idField}. */
  static String page(String idField, List<String> ids, boolean hasMore, String extra) {
    String data = ids.stream().map(id -> idField.equals("id") && id.startsWith("evt_") ? event(id)
            : "{\"" + idField + "\":\"" + id + "\"}")
        .collect(Collectors.joining(","));
    String first = ids.isEmpty() ? "null" : "\"" + ids.get(0) + "\"";
    String last = ids.isEmpty() ? "null" : "\"" + ids.get(ids.size() - 1) + "\"";
    return "{\"data\":[" + data + "],\"first_id\":" + first + ",\"last_id\":" + last
        + ",\"has_more\":" + hasMore + (extra == null ? "" : "," + extra) + "}";
  }

  static String eventsPage(boolean hasMore, String... ids) {
    return page("id", List.of(ids), hasMore, null);
  }

  static String session(String uuid) {
    return "{\"id\":\"" + uuid + "\",\"organization\":\"org-1\",\"user\":\"u\",\"device\":{\"id\":\"d\","
        + "\"platform\":\"linux\",\"type\":\"vm\",\"name\":\"n\",\"osVersion\":\"1\"},"
        + "\"createdAt\":\"2026-05-18T03:40:48.888851795Z\",\"releasedAt\":null}";
  }

  static List<String> ids(List<? extends Page<? extends ApiItem>> pages) {
    return pages.stream().flatMap(p -> p.data().stream()).map(ApiItem::id).toList();
  }

  // --- what goes over the wire, per cursor style -------------------------------------------------

  @Test
  void eventsWalkFollowsAfterIdWithBearerTokenUntilHasMoreIsFalse() {
    FakeQoderServer server = server(r -> switch (String.valueOf(r.param("after_id"))) {
      case "null" -> Reply.json(eventsPage(true, "evt_a", "evt_b"));
      case "evt_b" -> Reply.json(eventsPage(true, "evt_c", "evt_d"));
      case "evt_d" -> Reply.json(eventsPage(false, "evt_e"));
      default -> Reply.error(400, "invalid_request_error", "unknown cursor");
    });
    QoderApiClient client = client(server);

    List<Page<SessionEvent>> pages = client.events(SID, null, 2).collectList().block(WAIT);

    assertThat(ids(pages)).containsExactly("evt_a", "evt_b", "evt_c", "evt_d", "evt_e");
    assertThat(pages.get(2).hasMore()).isFalse();
    assertThat(server.received()).extracting(Received::uri).containsExactly(
        EVENTS_PATH + "?limit=2",
        EVENTS_PATH + "?limit=2&after_id=evt_b",
        EVENTS_PATH + "?limit=2&after_id=evt_d");
    Received first = server.received().get(0);
    assertThat(first.method()).isEqualTo("GET");
    assertThat(first.header("Authorization")).isEqualTo("Bearer " + TOKEN);
    assertThat(first.header("Accept")).isEqualTo("application/json");
    assertThat(first.header("User-Agent")).isEqualTo(QoderApiOptions.DEFAULT_USER_AGENT);
    assertThat(first.header(RequestPipeline.HEADER_ORGANIZATION)).isNull();
  }

  @Test
  void eventsPagesKeepUnknownFieldsAndExactNumbersAndTimestamps() {
    String body = "{\"data\":[{\"id\":\"evt_x\",\"type\":\"brand.new_type\",\"session_id\":\"" + SID
        + "\",\"cost\":1.50,\"big\":123456789012345678901234567890,\"nested\":{\"k\":[1,2]},"
        + "\"created_at\":\"2026-05-18T03:40:48.888851795Z\"}],\"first_id\":\"evt_x\","
        + "\"last_id\":\"evt_x\",\"has_more\":false,\"future_envelope_field\":true}";
    QoderApiClient client = client(server(r -> Reply.json(body)));

    SessionEvent e = await(client.eventsAfter(SID, null, 100)).data().get(0);

    assertThat(e.type()).isEqualTo("brand.new_type");
    assertThat(e.json().get("cost").toString()).isEqualTo("1.50");
    assertThat(e.json().get("big").toString()).isEqualTo("123456789012345678901234567890");
    assertThat(e.json().get("nested").toString()).isEqualTo("{\"k\":[1,2]}");
    assertThat(Timestamps.parseEpochNanos(e.createdAt()) % 1_000_000_000L).isEqualTo(888_851_795L);
  }

  @Test
  void eventsBeforeSendsOnlyBeforeIdAndUuidSessionIdsAreCanonicalised() {
    FakeQoderServer server = server(r -> Reply.json(eventsPage(false, "evt_a")));
    QoderApiClient client = client(server);

    await(client.eventsBefore(SID_UUID, "evt_z", 5));

    assertThat(server.received()).extracting(Received::uri)
        .containsExactly(EVENTS_PATH + "?limit=5&before_id=evt_z");
  }

  @Test
  void resourcesWalkFollowsOpaqueNextPageTokensEncoded() {
    String token1 = "a+b/c=d&e";
    String token2 = "2026-05-18T03:40:48+02:00";
    FakeQoderServer server = server(r -> {
      String page = r.param("page");
      if (page == null) {
        return Reply.json(page("id", List.of("sesr_1", "sesr_2"), true, "\"next_page\":\"" + token1 + "\""));
      }
      if (page.equals(token1)) {
        return Reply.json(page("id", List.of("sesr_3"), true, "\"next_page\":\"" + token2 + "\""));
      }
      return Reply.json(page("id", List.of("sesr_4"), false, "\"next_page\":null"));
    });
    QoderApiClient client = client(server);

    List<Page<SessionResource>> pages = client.resources(SID, 1000).collectList().block(WAIT);

    assertThat(ids(pages)).containsExactly("sesr_1", "sesr_2", "sesr_3", "sesr_4");
    assertThat(pages.get(0).nextCursor()).isEqualTo(token1);
    assertThat(pages.get(2).nextCursor()).isNull();
    String path = "/api/v1/cloud/sessions/" + SID + "/resources";
    assertThat(server.received()).extracting(Received::uri).containsExactly(
        path + "?limit=1000",
        path + "?limit=1000&page=a%2Bb%2Fc%3Dd%26e",
        path + "?limit=1000&page=2026-05-18T03%3A40%3A48%2B02%3A00");
    assertThat(server.received()).allSatisfy(r -> {
      assertThat(r.param("after_id")).isNull();
      assertThat(r.param("before_id")).isNull();
    });
  }

  @Test
  void resourcesWalkContinuesByIdWhenHasMoreComesWithoutNextPage() {
    FakeQoderServer server = server(r -> r.param("after_id") == null
        ? Reply.json(page("id", List.of("sesr_1"), true, "\"next_page\":null"))
        : Reply.json(page("id", List.of("sesr_2"), false, null)));
    QoderApiClient client = client(server);

    assertThat(ids(client.resources(SID, 10).collectList().block(WAIT))).containsExactly("sesr_1", "sesr_2");
    assertThat(server.received()).extracting(Received::uri).containsExactly(
        "/api/v1/cloud/sessions/" + SID + "/resources?limit=10",
        "/api/v1/cloud/sessions/" + SID + "/resources?limit=10&after_id=sesr_1");
  }

  @Test
  void filesWalkPagesWithAfterLastIdAndNeverSendsBefore() {
    FakeQoderServer server = server(r -> r.param("after") == null
        ? Reply.json(page("file_id", List.of("file_9", "file_8"), true, null))
        : Reply.json(page("file_id", List.of("file_7"), false, null)));
    QoderApiClient client = client(server);

    List<Page<QoderFile>> pages = client.files("session_resource", 2).collectList().block(WAIT);

    assertThat(ids(pages)).containsExactly("file_9", "file_8", "file_7");
    assertThat(server.received()).extracting(Received::uri).containsExactly(
        "/api/v1/cloud/files?purpose=session_resource&limit=2",
        "/api/v1/cloud/files?purpose=session_resource&limit=2&after=file_8");
  }

  @Test
  void genericListWalkUsesAfterIdAndTheConfiguredPrefix() {
    FakeQoderServer server = server(r -> r.param("after_id") == null
        ? Reply.json(page("id", List.of("agent_1"), true, null))
        : Reply.json(page("id", List.of(), false, null)));
    QoderApiClient client = client(server, b -> b.cloudPathPrefix("/v1"));

    List<Page<GenericItem>> pages = client.list("agents", 1).collectList().block(WAIT);

    assertThat(ids(pages)).containsExactly("agent_1");
    assertThat(pages.get(1).firstId()).isNull();
    assertThat(pages.get(1).lastId()).isNull();
    assertThat(server.received()).extracting(Received::uri)
        .containsExactly("/v1/agents?limit=1", "/v1/agents?limit=1&after_id=agent_1");
  }

  @Test
  void sessionsWalkFollowsNextCursorAndSendsTheOrganization() {
    String cursor = "2026-05-18T03:40:48.888851795+02:00";
    FakeQoderServer server = server(r -> r.param("before") == null
        ? Reply.json("{\"object\":\"list\",\"data\":[" + session(SID_UUID) + "],\"nextCursor\":\"" + cursor + "\"}")
        : Reply.json("{\"object\":\"list\",\"data\":[" + session("019e392c-0d1e-74e0-95d2-000000000001") + "]}"));
    QoderApiClient client = client(server, b -> b.organizationId("org-default"));

    List<Page<SessionInfo>> pages = client.sessions(null, 500).collectList().block(WAIT);

    assertThat(pages).hasSize(2);
    assertThat(pages.get(0).hasMore()).isTrue();
    assertThat(pages.get(0).nextCursor()).isEqualTo(cursor);
    assertThat(pages.get(1).hasMore()).isFalse();
    assertThat(pages.get(1).nextCursor()).isNull();
    assertThat(pages.get(0).data().get(0).sessionId()).isEqualTo(SID);
    assertThat(server.received()).extracting(Received::uri).containsExactly(
        "/api/v1/sessions?limit=500",
        "/api/v1/sessions?limit=500&before=2026-05-18T03%3A40%3A48.888851796Z");
    // Strictly before the last session's createdAt + 1 ns: its twins of the same instant come too
    // (SessionsWalkTest), the session already listed is left out.
    assertThat(server.received().get(1).param("before")).isEqualTo("2026-05-18T03:40:48.888851796Z");
    assertThat(server.received()).allSatisfy(r ->
        assertThat(r.header(RequestPipeline.HEADER_ORGANIZATION)).isEqualTo("org-default"));

    await(client.sessionsPage("org-explicit", null, 10));
    assertThat(server.received().get(2).header(RequestPipeline.HEADER_ORGANIZATION)).isEqualTo("org-explicit");
  }

  @Test
  void getOneSessionUsesTheUuidAndA404MeansTheSessionIsGone() {
    FakeQoderServer server = server(r -> r.path().endsWith(SID_UUID)
        ? Reply.json(session(SID_UUID))
        : Reply.error(404, "not_found_error",
            "Session '" + r.path().substring(r.path().lastIndexOf('/') + 1) + "' was not found."));
    QoderApiClient client = client(server);

    SessionInfo s = await(client.session(null, SID));
    assertThat(s.id()).isEqualTo(SID_UUID);
    assertThat(s.isReleased()).isFalse();
    assertThat(server.received().get(0).uri()).isEqualTo("/api/v1/sessions/" + SID_UUID);

    Throwable gone = failureOf(client.session(null, "019e392c-0d1e-74e0-95d2-00000000dead"));
    assertThat(gone).isInstanceOfSatisfying(QoderApiException.NotFound.class, nf -> {
      assertThat(nf.isSessionGone()).isTrue();
      assertThat(nf.sessionId()).isEqualTo("sess_019e392c0d1e74e095d200000000dead");
      assertThat(nf.getMessage()).contains("GET /api/v1/sessions/{sessionId}", "was not found.");
    });
    assertThat(server.received()).hasSize(2); // 404 is not retried
  }

  @Test
  void exclusiveCursorsAndOutOfRangeLimitsAreRefusedBeforeAnythingIsSent() {
    FakeQoderServer server = server(r -> Reply.json(eventsPage(false)));
    QoderApiClient client = client(server);

    List<Supplier<Mono<?>>> invalid = List.of(
        () -> client.eventsAfter(SID, null, 0),
        () -> client.eventsAfter(SID, null, 101),
        () -> client.eventsBefore(SID, null, 10),
        () -> client.eventsAfter(null, null, 10),
        () -> client.resourcesPage(SID, null, 1001),
        () -> client.resourcesById(SID, "sesr_1", "sesr_2", 10),
        () -> client.resourcesById(SID, null, null, 10),
        () -> client.filesPage(null, "file_1", "file_2", 10),
        () -> client.filesPage(null, null, null, 101),
        () -> client.listPage("agents", "agent_1", "agent_2", 10),
        () -> client.listPage("../secrets", null, null, 10),
        () -> client.sessionsPage(null, null, 501),
        () -> client.sessionsPage(null, null, 0),
        () -> client.events(SID, null, 0).collectList(),
        () -> client.resources(SID, 0).collectList(),
        () -> client.sessions(null, 501).collectList());
    for (Supplier<Mono<?>> call : invalid) {
      Mono<?> mono = call.get(); // building the Mono must not throw: errors are signals
      assertThatThrownBy(() -> mono.block(WAIT)).isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(server.received()).isEmpty();

    // The documented bounds themselves are accepted.
    await(client.eventsAfter(SID, null, 100));
    await(client.resourcesPage(SID, null, 1000));
    await(client.sessionsPage(null, null, 500));
    assertThat(server.received()).hasSize(3);
  }

  // --- error classification end to end ---------------------------------------------------------

  @Test
  void unauthorizedIsNeverRetriedAndSaysWhatToFix() {
    FakeQoderServer server = server(r -> Reply.error(401, "authentication_error", "PAT invalid or expired"));
    QoderApiClient client = client(server);

    Throwable t = failureOf(client.eventsAfter(SID, null, 10));

    assertThat(t).isInstanceOf(QoderApiException.Authentication.class)
        .hasMessageContaining("the token in QODER_PAT is invalid or expired")
        .hasMessageContaining("GET /api/v1/cloud/sessions/{session_id}/events");
    assertThat(((QoderApiException) t).attempts()).isEqualTo(1);
    assertThat(server.received()).hasSize(1);
  }

  @Test
  void badRequestAndOtherStatusesAreNotRetried() {
    FakeQoderServer server = server(r -> r.path().endsWith("/files")
        ? Reply.error(400, "invalid_request_error", "limit must be positive")
        : Reply.status(403, "forbidden, plain text"));
    QoderApiClient client = client(server);

    assertThat(failureOf(client.filesPage(null, null, null, 10)))
        .isInstanceOfSatisfying(QoderApiException.InvalidRequest.class, e -> {
          assertThat(e.errorType()).isEqualTo("invalid_request_error");
          assertThat(e.getMessage()).contains("limit must be positive");
        });
    assertThat(failureOf(client.listPage("agents", null, null, 10)))
        .isInstanceOf(QoderApiException.Unexpected.class)
        .hasMessageContaining("403").hasMessageContaining("forbidden, plain text");
    assertThat(server.received()).hasSize(2);
  }

  @Test
  void eventsOfAMissingSessionFailWithSessionGone() {
    QoderApiClient client = client(server(r -> Reply.error(404, "not_found_error",
        "Session '" + SID + "' was not found.")));

    assertThat(failureOf(client.events(SID, null, 10).then()))
        .isInstanceOfSatisfying(QoderApiException.NotFound.class,
            nf -> assertThat(nf.sessionId()).isEqualTo(SID));
  }

  @Test
  void aMisrouted404IsNotSessionGoneNamesTheUrlAndIsReportedToTheHook() {
    FakeQoderServer server = server(r -> r.path().endsWith("/events")
        ? Reply.status(404, "<html><body><h1>404 Not Found</h1></body></html>")
        : Reply.error(404, "not_found_error", "Session '" + SID + "' was not found."));
    List<String> misrouted = new CopyOnWriteArrayList<>();
    QoderApiClient client = client(server, b -> {}, new ApiMetrics() {
      @Override
      public void misrouted(String endpoint, String baseUrl, String message) {
        misrouted.add(endpoint + " | " + baseUrl + " | " + message);
      }
    });

    Throwable t = failureOf(client.eventsAfter(SID, "evt_1", 10));
    assertThat(t).isInstanceOfSatisfying(QoderApiException.NotFound.class, nf -> {
      assertThat(nf.isSessionGone()).isFalse();
      assertThat(nf.getMessage()).contains(server.baseUrl() + EVENTS_PATH, "check qoder.base-url")
          .doesNotContain("after_id"); // the URL without its query
    });
    assertThat(misrouted).singleElement().asString()
        .startsWith("GET /api/v1/cloud/sessions/{session_id}/events | " + server.baseUrl() + " | 404 from");
    // The documented answer on another endpoint is "gone" and not reported as misrouted.
    assertThat(failureOf(client.resourcesPage(SID, null, 10)))
        .isInstanceOfSatisfying(QoderApiException.NotFound.class, nf -> assertThat(nf.isSessionGone()).isTrue());
    assertThat(misrouted).hasSize(1);
  }

  @Test
  void serverErrorsAreRetriedUpToTheLimitThenSurfacedTyped() {
    FakeQoderServer server = server(r -> Reply.status(502, "<html><body>Bad Gateway</body></html>"));
    List<String> retries = new CopyOnWriteArrayList<>();
    QoderApiClient client = client(server, b -> b.maxRetries(3), new ApiMetrics() {
      @Override
      public void retry(String endpoint, String reason) {
        retries.add(endpoint + " " + reason);
      }
    });

    Throwable t = failureOf(client.eventsAfter(SID, "evt_1", 10));

    assertThat(t).isInstanceOfSatisfying(QoderApiException.ServerError.class, e -> {
      assertThat(e.status()).isEqualTo(502);
      assertThat(e.attempts()).isEqualTo(4);
      assertThat(e.getMessage()).contains("Bad Gateway").endsWith("(after 4 attempts)");
    });
    assertThat(server.received()).hasSize(4)
        .allSatisfy(r -> assertThat(r.uri()).isEqualTo(EVENTS_PATH + "?limit=10&after_id=evt_1"));
    assertThat(retries).containsExactly(
        "GET /api/v1/cloud/sessions/{session_id}/events 502",
        "GET /api/v1/cloud/sessions/{session_id}/events 502",
        "GET /api/v1/cloud/sessions/{session_id}/events 502");
  }

  @Test
  void aTransientServerErrorIsRetriedAndTheWalkLosesNothing() {
    AtomicInteger calls = new AtomicInteger();
    FakeQoderServer server = server(r -> {
      int n = calls.incrementAndGet();
      if (n == 2 || n == 3) {
        return Reply.error(503, "overloaded_error", "try later");
      }
      return r.param("after_id") == null ? Reply.json(eventsPage(true, "evt_a"))
          : Reply.json(eventsPage(false, "evt_b"));
    });
    QoderApiClient client = client(server);

    assertThat(ids(client.events(SID, null, 1).collectList().block(WAIT))).containsExactly("evt_a", "evt_b");
    assertThat(server.received()).extracting(r -> r.param("after_id"))
        .containsExactly(null, "evt_a", "evt_a", "evt_a");
  }

  @Test
  void connectionResetsAreRetriedThenSurfacedAsTransport() {
    FakeQoderServer server = server(r -> Reply.reset());
    QoderApiClient client = client(server, b -> b.maxRetries(2));

    Throwable t = failureOf(client.eventsAfter(SID, null, 10));

    assertThat(t).isInstanceOf(QoderApiException.Transport.class)
        .hasMessageContaining("GET /api/v1/cloud/sessions/{session_id}/events");
    assertThat(((QoderApiException) t).status()).isZero();
    assertThat(((QoderApiException) t).attempts()).isEqualTo(3);
    assertThat(server.received()).hasSize(3);

    server.script(r -> Reply.json(eventsPage(false, "evt_a")));
    assertThat(await(client.eventsAfter(SID, null, 10)).data()).hasSize(1);
  }

  @Test
  void aResetFollowedBySuccessIsInvisibleToTheCaller() {
    AtomicInteger calls = new AtomicInteger();
    FakeQoderServer server = server(r -> calls.incrementAndGet() == 1
        ? Reply.reset() : Reply.json(eventsPage(false, "evt_a")));

    assertThat(await(client(server).eventsAfter(SID, null, 10)).data()).hasSize(1);
    assertThat(server.received()).hasSize(2);
  }

  @Test
  void malformedSuccessBodiesAreRetriedAndNameTheEndpoint() {
    FakeQoderServer server = server(r -> Reply.json("{\"data\": [ {\"id\": \"evt_a\""));
    QoderApiClient client = client(server, b -> b.maxRetries(1));

    assertThat(failureOf(client.eventsAfter(SID, null, 10)))
        .isInstanceOf(QoderApiException.MalformedResponse.class)
        .hasMessageContaining("GET /api/v1/cloud/sessions/{session_id}/events")
        .hasMessageContaining("not valid JSON");
    assertThat(server.received()).hasSize(2);

    server.script(r -> Reply.json("{\"items\":[],\"has_more\":false}"));
    assertThat(failureOf(client.filesPage(null, null, null, 10)))
        .isInstanceOf(QoderApiException.MalformedResponse.class)
        .hasMessageContaining("GET /api/v1/cloud/files")
        .hasMessageContaining("'data' is missing");

    server.script(r -> Reply.json("{\"data\":[{\"type\":\"user.message\"}],\"has_more\":false}"));
    assertThat(failureOf(client.eventsAfter(SID, null, 10)))
        .isInstanceOf(QoderApiException.MalformedResponse.class)
        .hasMessageContaining("data[0] has no id");
  }

  @Test
  void aSilentServerIsATransportErrorAfterTheResponseTimeout() {
    FakeQoderServer server = server(r -> Reply.json(eventsPage(false)).after(Duration.ofSeconds(5)));
    QoderApiClient client = client(server, b -> b.maxRetries(1).responseTimeout(Duration.ofMillis(300)));

    long start = System.nanoTime();
    Throwable t = failureOf(client.eventsAfter(SID, null, 10));
    long tookMillis = (System.nanoTime() - start) / 1_000_000;

    assertThat(t).isInstanceOf(QoderApiException.Transport.class)
        .hasMessageContaining("response timeout of 300 ms");
    assertThat(server.received()).hasSize(2);
    assertThat(tookMillis).isBetween(600L, 4_000L);
  }

  // --- 429 and Retry-After ---------------------------------------------------------------------

  @Test
  void aBurstOf429WithRetryAfterSecondsDelaysTheNextRequestsAndLosesNothing() {
    AtomicInteger calls = new AtomicInteger();
    List<Long> limitedAt = new CopyOnWriteArrayList<>();
    List<Long> servedAt = new CopyOnWriteArrayList<>();
    FakeQoderServer server = server(r -> {
      if (calls.incrementAndGet() <= 3) {
        limitedAt.add(r.atNanos());
        return Reply.error(429, "rate_limit_error", "slow down").withHeader("Retry-After", "2");
      }
      servedAt.add(r.atNanos());
      return Reply.json(eventsPage(false, "evt_of_" + r.path().split("/")[5]));
    });
    List<Long> waits = new CopyOnWriteArrayList<>();
    QoderApiClient client = client(server, b -> {}, new ApiMetrics() {
      @Override
      public void rateLimited(String endpoint, long waitMillis) {
        waits.add(waitMillis);
      }
    });
    List<String> sessions = IntStream.range(0, 3)
        .mapToObj(i -> "sess_019e392c0d1e74e095d21ea4c6b4100" + i).toList();

    List<Page<SessionEvent>> pages = Flux.fromIterable(sessions)
        .flatMap(s -> client.eventsAfter(s, null, 10))
        .collectList().block(WAIT);

    assertThat(pages).hasSize(3);
    assertThat(pages.stream().map(p -> p.data().get(0).id()))
        .containsExactlyInAnyOrderElementsOf(sessions.stream().map(s -> "evt_of_" + s).toList());
    List<Received> received = server.received();
    assertThat(received).hasSize(6);
    // Nothing was served sooner than 2 s after the first 429: the pause holds every request back.
    long first429 = limitedAt.stream().mapToLong(Long::longValue).min().orElseThrow();
    long firstServed = servedAt.stream().mapToLong(Long::longValue).min().orElseThrow();
    assertThat(Duration.ofNanos(firstServed - first429)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    // Each retried request waited the full 2 s after its own 429.
    Map<String, List<Long>> bySession = new ConcurrentHashMap<>();
    received.forEach(r -> bySession.computeIfAbsent(r.path(), k -> new ArrayList<>()).add(r.atNanos()));
    bySession.values().forEach(times -> {
      assertThat(times).hasSize(2);
      assertThat(Duration.ofNanos(times.get(1) - times.get(0))).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    });
    assertThat(waits).containsExactly(2000L, 2000L, 2000L);
  }

  @Test
  void retryAfterAsAnHttpDateIsHonoured() {
    Instant retryAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(2);
    String httpDate = DateTimeFormatter.RFC_1123_DATE_TIME.format(retryAt.atOffset(ZoneOffset.UTC));
    AtomicInteger calls = new AtomicInteger();
    FakeQoderServer server = server(r -> calls.incrementAndGet() == 1
        ? Reply.error(429, "rate_limit_error", "slow down").withHeader("Retry-After", httpDate)
        : Reply.json(eventsPage(false, "evt_a")));
    QoderApiClient client = client(server);

    assertThat(await(client.eventsAfter(SID, null, 10)).data()).hasSize(1);

    List<Received> received = server.received();
    assertThat(received).hasSize(2);
    // Wall clocks of client and server are the same clock here; 20 ms covers timer granularity.
    assertThat(received.get(1).atMillis()).isGreaterThanOrEqualTo(retryAt.toEpochMilli() - 20);
  }

  @Test
  void a429WithoutRetryAfterBacksOffAndCountsAsARetry() {
    FakeQoderServer server = server(r -> Reply.error(429, "rate_limit_error", "slow down"));
    QoderApiClient client = client(server, b -> b.maxRetries(2));

    assertThat(failureOf(client.eventsAfter(SID, null, 10)))
        .isInstanceOfSatisfying(QoderApiException.RateLimited.class, e -> {
          assertThat(e.retryAfterMillis()).isEqualTo(-1);
          assertThat(e.attempts()).isEqualTo(3);
        });
    assertThat(server.received()).hasSize(3);
  }

  // --- budget, concurrency, backpressure --------------------------------------------------------

  @Test
  void theRequestBudgetBoundsTheRequestRate() {
    FakeQoderServer server = server(r -> Reply.json(eventsPage(false)));
    double rate = 20;
    QoderApiClient client = client(server, b -> b.maxRequestsPerSecond(rate).maxConcurrentRequests(50));

    int n = 40;
    Flux.range(0, n).flatMap(i -> client.eventsAfter(SID, "evt_" + i, 10), n).blockLast(WAIT);

    List<Long> times = server.received().stream().map(Received::atNanos).sorted().toList();
    assertThat(times).hasSize(n);
    // A bucket of `rate` tokens refilled at `rate`/s: 40 requests need at least (40 - 20) / 20 s.
    assertThat(Duration.ofNanos(times.get(n - 1) - times.get(0))).isGreaterThanOrEqualTo(Duration.ofMillis(900));
    // In any window of w seconds at most burst + rate * w (+1 for the window edge) requests.
    double window = 0.5;
    for (int i = 0; i < n; i++) {
      long start = times.get(i);
      long inWindow = times.stream().filter(t -> t >= start && t < start + (long) (window * 1e9)).count();
      assertThat(inWindow).isLessThanOrEqualTo((long) (rate + rate * window + 1));
    }
  }

  @Test
  void theConcurrencyBoundHoldsAndEveryPermitComesBack() {
    FakeQoderServer server = server(r -> Reply.json(eventsPage(false, "evt_a")).after(Duration.ofMillis(100)));
    QoderApiClient client = client(server, b -> b.maxConcurrentRequests(3));

    List<Page<SessionEvent>> pages = Flux.range(0, 12)
        .flatMap(i -> client.eventsAfter(SID, "evt_" + i, 10), 12)
        .collectList().block(WAIT);

    assertThat(pages).hasSize(12);
    assertThat(server.maxInFlight()).isEqualTo(3);
    assertThat(client.requestsInFlight()).isZero();
    assertThat(client.requestsWaiting()).isZero();
  }

  @Test
  void cancelledRequestsGiveTheirPermitsBack() {
    FakeQoderServer server = server(r -> Reply.json(eventsPage(false)).after(Duration.ofSeconds(5)));
    QoderApiClient client = client(server, b -> b.maxConcurrentRequests(2));

    List<Disposable> running = IntStream.range(0, 6)
        .mapToObj(i -> client.eventsAfter(SID, "evt_" + i, 10).subscribe()).toList();
    awaitCondition(() -> server.received().size() == 2 && client.requestsWaiting() == 4);
    running.forEach(Disposable::dispose);
    awaitCondition(() -> client.requestsInFlight() == 0 && client.requestsWaiting() == 0);

    server.script(r -> Reply.json(eventsPage(false, "evt_ok")));
    List<Page<SessionEvent>> after = Flux.range(0, 4).flatMap(i -> client.eventsAfter(SID, null, 10))
        .collectList().block(WAIT);
    assertThat(after).hasSize(4);
  }

  @Test
  void aSlowSubscriberGetsNoPagesFetchedAhead() {
    FakeQoderServer server = server(r -> {
      String after = r.param("after_id");
      int n = after == null ? 0 : Integer.parseInt(after.substring(4)) + 1;
      return Reply.json(eventsPage(true, "evt_" + n));
    });
    QoderApiClient client = client(server);

    StepVerifier.create(client.events(SID, null, 1), 0)
        .expectSubscription()
        .expectNoEvent(Duration.ofMillis(200))
        .then(() -> assertThat(server.received()).isEmpty())
        .thenRequest(1)
        .assertNext(p -> assertThat(p.lastId()).isEqualTo("evt_0"))
        .expectNoEvent(Duration.ofMillis(300))
        .then(() -> assertThat(server.received()).hasSize(1))
        .thenRequest(2)
        .assertNext(p -> assertThat(p.lastId()).isEqualTo("evt_1"))
        .assertNext(p -> assertThat(p.lastId()).isEqualTo("evt_2"))
        .expectNoEvent(Duration.ofMillis(300))
        .then(() -> assertThat(server.received()).hasSize(3))
        .thenCancel()
        .verify(WAIT);
  }

  @Test
  void aPageWhoseCursorDoesNotAdvanceFailsTheWalkInsteadOfLooping() {
    FakeQoderServer server = server(r -> Reply.json(eventsPage(true, "evt_same")));
    QoderApiClient client = client(server);

    Throwable t = failureOf(client.events(SID, "evt_same", 10).then());

    assertThat(t).isInstanceOf(QoderApiException.MalformedResponse.class)
        .hasMessageContaining("did not move past");
    assertThat(server.received()).hasSize(1);
  }

  // --- secrets and hooks -------------------------------------------------------------------------

  @Test
  void theTokenNeverAppearsInMessagesEvenWhenTheServerEchoesIt() {
    FakeQoderServer server = server(r -> Reply.error(400, "invalid_request_error",
        "bad header " + r.header("Authorization")));
    QoderApiClient client = client(server);

    Throwable t = failureOf(client.eventsAfter(SID, null, 10));

    assertThat(t).isInstanceOf(QoderApiException.InvalidRequest.class)
        .hasMessageContaining("bad header Bearer " + Secret.MASK)
        .hasMessageNotContaining(TOKEN);
    assertThat(client.toString()).doesNotContain(TOKEN);
    assertThat(client.options().toString()).doesNotContain(TOKEN).contains("token=" + Secret.MASK);
  }

  @Test
  void aFailingMetricsHookNeverBreaksRequests() {
    AtomicInteger called = new AtomicInteger();
    ApiMetrics broken = new ApiMetrics() {
      @Override
      public void request(String endpoint, int status, long nanos) {
        called.incrementAndGet();
        throw new IllegalStateException("metrics backend down");
      }

      @Override
      public void retry(String endpoint, String reason) {
        throw new IllegalStateException("metrics backend down");
      }
    };
    AtomicInteger calls = new AtomicInteger();
    FakeQoderServer server = server(r -> calls.incrementAndGet() == 1
        ? Reply.status(500, "oops") : Reply.json(eventsPage(false, "evt_a")));
    QoderApiClient client = client(server, b -> {}, broken);

    assertThat(await(client.eventsAfter(SID, null, 10)).data()).hasSize(1);
    assertThat(called.get()).isEqualTo(2);
  }

  @Test
  void metricsSeeEachAttemptWithEndpointAndStatus() {
    List<String> seen = new CopyOnWriteArrayList<>();
    AtomicInteger calls = new AtomicInteger();
    FakeQoderServer server = server(r -> calls.incrementAndGet() == 1
        ? Reply.reset() : Reply.json(page("file_id", List.of("file_1"), false, null)));
    QoderApiClient client = client(server, b -> {}, new ApiMetrics() {
      @Override
      public void request(String endpoint, int status, long nanos) {
        seen.add(endpoint + " " + status);
      }
    });

    await(client.filesPage(null, null, null, 10));

    assertThat(seen).containsExactly("GET /api/v1/cloud/files 0", "GET /api/v1/cloud/files 200");
  }

  @Test
  void aClosedClientRefusesRequests() {
    FakeQoderServer server = server(r -> Reply.json(eventsPage(false)));
    QoderApiClient client = client(server);
    client.close();

    assertThatThrownBy(() -> client.eventsAfter(SID, null, 10).block(WAIT))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThat(server.received()).isEmpty();
  }

  static void awaitCondition(Supplier<Boolean> condition) {
    Await.until(WAIT, Duration.ofMillis(5), () -> "condition", condition::get);
  }
}

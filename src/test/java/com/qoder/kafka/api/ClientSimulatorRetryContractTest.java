package com.qoder.kafka.api;

import static com.qoder.kafka.api.SimContract.await;
import static com.qoder.kafka.api.SimContract.failure;
import static com.qoder.kafka.api.SimContract.ids;
import static com.qoder.kafka.api.SimContract.log;
import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.sim.Endpoint;
import com.qoder.kafka.sim.Faults.Trigger;
import com.qoder.kafka.sim.QoderSimulator;
import com.qoder.kafka.sim.RequestRecord;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * Issue 2 contract, part 3: the client's retry policy against the simulator's fault injection.
 * Every count is read from the simulator's request log, i.e. what really reached the server.
 */
class ClientSimulatorRetryContractTest {

  static QoderSimulator sim;
  static String sid; // 250 events, default organization
  static String resourcesSid; // 12 resources
  static List<String> events;

  @BeforeAll
  static void start() {
    sim = QoderSimulator.builder().seed(11).sessions(6).eventsPerSession(250).files(30).agents(12).build().start();
    sid = sim.createSession(null, 250);
    events = sim.groundTruth(sid).eventIds();
    resourcesSid = sim.createSession();
    for (String file : sim.fileIds().subList(0, 12)) {
      sim.createResource(resourcesSid, file);
    }
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  @BeforeEach
  void cleanSlate() {
    sim.faults().clear();
    sim.resetRequestLog();
  }

  private final List<QoderApiClient> clients = new java.util.ArrayList<>();

  /** A client whose permits are checked after the test: retries and failures must give them all back. */
  QoderApiClient client(int maxRetries) {
    QoderApiClient c = SimContract.client(sim, b -> b.maxRetries(maxRetries));
    clients.add(c);
    return c;
  }

  @AfterEach
  void everyPermitWentBack() {
    clients.forEach(SimContract::assertIdle);
  }

  /** One call of each endpoint, answered by a single request when nothing fails. */
  static Map<Endpoint, Function<QoderApi, Mono<?>>> oneCallPerEndpoint() {
    Map<Endpoint, Function<QoderApi, Mono<?>>> calls = new LinkedHashMap<>();
    calls.put(Endpoint.EVENTS, api -> api.eventsAfter(sid, events.get(9), 10));
    calls.put(Endpoint.RESOURCES, api -> api.resourcesPage(resourcesSid, null, 5));
    calls.put(Endpoint.FILES, api -> api.filesPage("session_resource", null, null, 5));
    calls.put(Endpoint.AGENTS, api -> api.listPage("agents", null, null, 5));
    calls.put(Endpoint.SESSIONS, api -> api.sessionsPage(null, null, 5));
    calls.put(Endpoint.SESSION, api -> api.session(null, sid));
    return calls;
  }

  // --- 429 -------------------------------------------------------------------------------------

  @Test
  void rateLimitBurstWaitsRetryAfterAndThePagingStillReturnsEveryEventOnce() {
    try (QoderApiClient api = client(5)) {
      AtomicInteger pages = new AtomicInteger();
      List<String> got = api.events(sid, null, 20)
          .doOnNext(page -> {
            // Mid-walk: the request for the third page and its first two retries get 429.
            if (pages.incrementAndGet() == 2) {
              sim.faults().scope(Endpoint.EVENTS).rateLimit(Trigger.next(3), 2);
            }
          })
          .concatMapIterable(Page::data).map(SessionEvent::id)
          .collectList().block(Duration.ofSeconds(30));

      assertThat(got).isEqualTo(events);
      List<RequestRecord> sent = log(sim);
      List<Integer> limited = indexesOf(sent, 429);
      assertThat(limited).containsExactly(2, 3, 4);
      for (int i : limited) {
        RequestRecord rejected = sent.get(i);
        RequestRecord next = sent.get(i + 1);
        assertThat(rejected.fault()).isEqualTo("rate_limit");
        assertThat(next.query()).as("the retry asks for the same page").isEqualTo(rejected.query());
        Duration gap = Duration.between(rejected.time(), next.time());
        // At least Retry-After; well below twice it (the budget pause runs alongside the wait).
        assertThat(gap).as("gap after 429 #%d", i).isGreaterThanOrEqualTo(Duration.ofSeconds(2))
            .isLessThan(Duration.ofSeconds(4));
      }
      assertThat(sent.get(2).query()).isEqualTo("limit=20&after_id=" + events.get(39));
      // 13 pages answered once each, plus the three 429s.
      assertThat(sent).hasSize(13 + 3);
      assertThat(sent).filteredOn(r -> r.status() == 200).extracting(RequestRecord::query).doesNotHaveDuplicates()
          .hasSize(13);
    }
  }

  @Test
  void rateLimitedOnEveryAttemptSurfacesAsRateLimitedAfterMaxRetries() {
    sim.faults().rateLimit(Trigger.always(), 0);
    try (QoderApiClient api = client(3)) {
      Throwable t = failure(api.listPage("agents", null, null, 5));
      assertThat(t).isInstanceOf(QoderApiException.RateLimited.class);
      QoderApiException.RateLimited e = (QoderApiException.RateLimited) t;
      assertThat(e.retryAfterMillis()).isZero();
      assertThat(e.errorType()).isEqualTo("rate_limit_error");
      assertThat(e.attempts()).isEqualTo(4);
      assertThat(log(sim)).hasSize(4).allSatisfy(r -> assertThat(r.status()).isEqualTo(429));
    }
  }

  // --- 5xx -------------------------------------------------------------------------------------

  @Test
  void serverErrorsAreRetriedUpToMaxRetriesThenSurfaceAsServerError() {
    sim.faults().serverError(Trigger.always());
    for (int maxRetries : new int[] {0, 2, 4}) {
      sim.resetRequestLog();
      try (QoderApiClient api = client(maxRetries)) {
        Throwable t = failure(api.eventsAfter(sid, events.get(9), 10));
        assertThat(t).isInstanceOf(QoderApiException.ServerError.class);
        QoderApiException e = (QoderApiException) t;
        assertThat(e.status()).isIn(500, 502, 503);
        assertThat(e.errorType()).isEqualTo("api_error");
        assertThat(e.attempts()).isEqualTo(maxRetries + 1);
        List<RequestRecord> sent = log(sim);
        assertThat(sent).as("attempts with maxRetries=%d", maxRetries).hasSize(maxRetries + 1)
            .allSatisfy(r -> {
              assertThat(r.status()).isBetween(500, 599);
              assertThat(r.fault()).isEqualTo("server_error");
              assertThat(r.query()).isEqualTo("limit=10&after_id=" + events.get(9));
            });
        if (maxRetries > 0) {
          assertThat(e.getMessage()).contains("(after " + (maxRetries + 1) + " attempts)");
        }
      }
    }
  }

  @Test
  void serverErrorsOnEveryEndpointAreRetriedUntilAnAnswerComes() {
    try (QoderApiClient api = client(3)) {
      oneCallPerEndpoint().forEach((endpoint, call) -> {
        Object expected = await(call.apply(api));
        sim.resetRequestLog();
        sim.faults().scope(endpoint).serverError(Trigger.next(3));
        Object answered = await(call.apply(api));
        // Pages and items are records over Jackson nodes: equal by content.
        assertThat(answered).as(endpoint.label()).isEqualTo(expected);
        assertThat(log(sim)).as(endpoint.label()).extracting(RequestRecord::status)
            .satisfiesExactly(s -> assertThat(s).isBetween(500, 599), s -> assertThat(s).isBetween(500, 599),
                s -> assertThat(s).isBetween(500, 599), s -> assertThat(s).isEqualTo(200));
        assertThat(log(sim)).extracting(RequestRecord::endpoint).containsOnly(endpoint);
      });
    }
  }

  // --- connection reset ------------------------------------------------------------------------

  @Test
  void connectionResetsAreRetriedUpToMaxRetriesThenSurfaceAsTransport() {
    sim.faults().scope(Endpoint.FILES).connectionReset(Trigger.always());
    for (int maxRetries : new int[] {0, 3}) {
      sim.resetRequestLog();
      try (QoderApiClient api = client(maxRetries)) {
        Throwable t = failure(api.filesPage(null, null, null, 5));
        assertThat(t).isInstanceOf(QoderApiException.Transport.class);
        QoderApiException e = (QoderApiException) t;
        assertThat(e.status()).isZero();
        assertThat(e.isRetryable()).isTrue();
        assertThat(e.attempts()).isEqualTo(maxRetries + 1);
        assertThat(log(sim)).as("attempts with maxRetries=%d", maxRetries).hasSize(maxRetries + 1)
            .allSatisfy(r -> {
              assertThat(r.status()).isZero();
              assertThat(r.fault()).isEqualTo("connection_reset");
            });
      }
    }
  }

  @Test
  void aFewConnectionResetsDuringAWalkCostRetriesButNoItem() {
    try (QoderApiClient api = client(3)) {
      AtomicInteger pages = new AtomicInteger();
      List<String> got = api.resources(resourcesSid, 2)
          .doOnNext(page -> {
            if (pages.incrementAndGet() == 3) {
              sim.faults().connectionReset(Trigger.next(2));
            }
          })
          .concatMapIterable(Page::data).map(SessionResource::id).collectList().block(SimContract.WAIT);
      assertThat(got).isEqualTo(sim.resourceIds(resourcesSid));
      List<RequestRecord> sent = log(sim);
      assertThat(sent).extracting(RequestRecord::status).containsExactly(200, 200, 200, 0, 0, 200, 200, 200);
      // The retried request carries the same opaque page token.
      assertThat(sent.get(3).query()).isEqualTo(sent.get(5).query()).contains("page=");
    }
  }

  // --- malformed body --------------------------------------------------------------------------

  @Test
  void malformedBodiesAreRetriedThenSurfaceAsMalformedResponse() {
    try (QoderApiClient api = client(3)) {
      List<String> expected = ids(await(api.sessionsPage(null, null, 5)));
      sim.resetRequestLog();
      sim.faults().malformedBody(Trigger.next(2));
      assertThat(ids(await(api.sessionsPage(null, null, 5)))).isEqualTo(expected);
      assertThat(log(sim)).extracting(RequestRecord::fault).containsExactly("malformed_body", "malformed_body", null);
      assertThat(log(sim)).extracting(RequestRecord::status).containsOnly(200);

      sim.resetRequestLog();
      sim.faults().malformedBody(Trigger.always());
      Throwable t = failure(api.eventsAfter(sid, null, 10));
      assertThat(t).isInstanceOf(QoderApiException.MalformedResponse.class).hasMessageContaining("not valid JSON");
      assertThat(((QoderApiException) t).attempts()).isEqualTo(4);
      assertThat(log(sim)).hasSize(4).allSatisfy(r -> assertThat(r.fault()).isEqualTo("malformed_body"));
    }
  }

  // --- never retried ---------------------------------------------------------------------------

  @Test
  void authenticationErrorsAreNeverRetriedWhateverTheRetryBudget() {
    sim.faults().revokeToken();
    try (QoderApiClient api = client(10)) {
      oneCallPerEndpoint().forEach((endpoint, call) -> {
        sim.resetRequestLog();
        Throwable t = failure(call.apply(api));
        assertThat(t).as(endpoint.label()).isInstanceOf(QoderApiException.Authentication.class);
        assertThat(((QoderApiException) t).attempts()).isEqualTo(1);
        assertThat(log(sim)).as(endpoint.label()).singleElement().extracting(RequestRecord::status).isEqualTo(401);
      });
    }
  }

  @Test
  void faultsOnTopOfEachOtherDoNotChangeWhatAWalkReturns() {
    // Each request may be reset, answered 5xx or 429 (Retry-After 0), or cut in half.
    sim.faults().connectionReset(Trigger.chance(0.05)).serverError(Trigger.chance(0.1))
        .rateLimit(Trigger.chance(0.05), 0).malformedBody(Trigger.chance(0.05));
    try (QoderApiClient api = client(15)) {
      assertThat(ids(api.events(sid, null, 10))).isEqualTo(events);
      assertThat(ids(api.resources(resourcesSid, 3))).isEqualTo(sim.resourceIds(resourcesSid));
      assertThat(ids(api.files(null, 4))).isEqualTo(sim.fileIds());
      assertThat(ids(api.list("agents", 3))).isEqualTo(sim.agentIds());
      assertThat(ids(api.sessions(null, 2))).hasSizeGreaterThan(1);
    }
    List<RequestRecord> sent = log(sim);
    assertThat(sent).extracting(RequestRecord::status).contains(0, 200, 429);
    assertThat(sent).anySatisfy(r -> assertThat(r.status()).isBetween(500, 599));
    assertThat(sent).anySatisfy(r -> assertThat(r.fault()).isEqualTo("malformed_body"));
  }

  // --- helpers ---------------------------------------------------------------------------------

  static List<Integer> indexesOf(List<RequestRecord> records, int status) {
    return java.util.stream.IntStream.range(0, records.size()).filter(i -> records.get(i).status() == status)
        .boxed().toList();
  }
}

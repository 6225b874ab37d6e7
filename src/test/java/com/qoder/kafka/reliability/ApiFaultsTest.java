package com.qoder.kafka.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.IntegrationTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.qoder.kafka.checker.DeliveryChecker;
import com.qoder.kafka.checker.Expected;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.KafkaTestSupport;
import com.qoder.kafka.runtime.Connector;
import com.qoder.kafka.sim.Endpoint;
import com.qoder.kafka.sim.Faults;
import com.qoder.kafka.sim.Faults.Trigger;
import com.qoder.kafka.sim.LiveMode;
import com.qoder.kafka.sim.QoderSimulator;
import com.qoder.kafka.sim.RequestRecord;
import com.qoder.kafka.source.SessionStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The API half of the fault matrix: the connector runs in this JVM against a real broker and the
 * simulator over HTTP while the simulator misbehaves; the independent checker then counts every
 * event the simulator ever served in Kafka. Each case prints its matrix row.
 */
@IntegrationTest
class ApiFaultsTest {

  private static final Duration UNDER_FAULT = Duration.ofSeconds(5);
  private static final Duration DELIVERY_DEADLINE = Duration.ofSeconds(60);

  private final String bootstrap = KafkaTestSupport.sharedBroker().bootstrapServers();

  /** Request faults, each fired for a first burst and then at random, during backfill and live traffic. */
  enum RequestFault {
    RATE_LIMIT_STORM("429 storm with Retry-After: 1", f -> f.rateLimit(new Trigger(0.3, 25), 1)),
    SERVER_ERROR_BURSTS("5xx bursts (500/502/503)", f -> f.serverError(new Trigger(0.25, 20))),
    CONNECTION_RESETS("connection reset (TCP RST, no answer)", f -> f.connectionReset(new Trigger(0.15, 10))),
    SLOW_RESPONSES("answers 2.5 s late, past the 1 s request timeout", f -> f.latency(new Trigger(0.15, 6), 2500, 0)),
    MALFORMED_JSON("200 with the body cut in half", f -> f.malformedBody(new Trigger(0.15, 10)));

    final String happened;
    final Consumer<Faults> setup;

    RequestFault(String happened, Consumer<Faults> setup) {
      this.happened = happened;
      this.setup = setup;
    }
  }

  @ParameterizedTest
  @EnumSource(RequestFault.class)
  void requestFaultsLoseAndDuplicateNothing(RequestFault fault) {
    try (QoderSimulator sim = Fixtures.simulator(fault.ordinal() + 11, 6, 150)
        .liveMode(LiveMode.events(40).withNewSessionsPerSecond(0.5)).build().start()) {
      Pipeline p = Pipeline.of("api-" + fault.name().toLowerCase().replace('_', '-'), bootstrap, sim, "mock://api")
          .set(Settings.QODER_REQUEST_TIMEOUT.key(), "1s")
          .set(Settings.QODER_MAX_RETRIES.key(), "3");
      fault.setup.accept(sim.faults());
      try (Connector connector = Connector.start(p.config()); DeliveryChecker checker = Fixtures.checker(bootstrap, p)) {
        Fixtures.await(UNDER_FAULT.plusSeconds(30), "the faults to fire and traffic to flow under them",
            () -> retries(connector) >= 10 && connector.status().delivered() > 200);
        Fixtures.hold(UNDER_FAULT); // faults stay on for a while of live traffic: running under them is the point
        long fired = retries(connector);
        sim.faults().clear();
        assertThat(connector.fatalError()).isEmpty();
        Fixtures.verify(fault.name(), fault.happened + "; " + fired + " requests retried", sim, checker,
            DELIVERY_DEADLINE, 0);
        if (fault == RequestFault.RATE_LIMIT_STORM) {
          assertRetryAfterHonoured(sim);
        }
      }
    }
  }

  /** Requests the client retried, as its metrics count them (a timed-out request never reaches the sim's log). */
  private static long retries(Connector connector) {
    return (long) connector.metrics().registry().find("qoder.http.retries").counters().stream()
        .mapToDouble(c -> c.count()).sum();
  }

  /**
   * After a 429 for a session, that session's next request waits at least Retry-After (1 s). The
   * last 429s may be answered just before delivery completes, so the follow-up request is awaited.
   */
  private static void assertRetryAfterHonoured(QoderSimulator sim) {
    Fixtures.await(Duration.ofSeconds(20), "a 429 on the events endpoint followed by that session's next request",
        () -> retriedAfter429(sim.requestLog()) > 0);
    List<RequestRecord> log = sim.requestLog();
    Map<String, List<RequestRecord>> bySession = log.stream().filter(r -> r.endpoint() == Endpoint.EVENTS)
        .collect(Collectors.groupingBy(RequestRecord::sessionId));
    for (List<RequestRecord> requests : bySession.values()) {
      for (int i = 0; i + 1 < requests.size(); i++) {
        if (requests.get(i).status() == 429) {
          Duration gap = Duration.between(requests.get(i).time(), requests.get(i + 1).time());
          assertThat(gap).as("gap after a 429 for %s", requests.get(i).sessionId())
              .isGreaterThanOrEqualTo(Duration.ofMillis(950));
        }
      }
    }
  }

  /** 429 answers on the events endpoint that the same session's next request followed. */
  private static long retriedAfter429(List<RequestRecord> log) {
    Map<String, List<RequestRecord>> bySession = log.stream().filter(r -> r.endpoint() == Endpoint.EVENTS)
        .collect(Collectors.groupingBy(RequestRecord::sessionId));
    long n = 0;
    for (List<RequestRecord> requests : bySession.values()) {
      for (int i = 0; i + 1 < requests.size(); i++) {
        if (requests.get(i).status() == 429) {
          n++;
        }
      }
    }
    return n;
  }

  @Test
  void rejectedCursorFallsBackToEarlierIdsWithoutLossOrDuplicates() {
    try (QoderSimulator sim = Fixtures.simulator(21, 4, 120).build().start()) {
      Pipeline p = Pipeline.of("api-cursor", bootstrap, sim, "mock://api");
      try (Connector connector = Connector.start(p.config()); DeliveryChecker checker = Fixtures.checker(bootstrap, p)) {
        assertThat(checker.awaitDelivered(DELIVERY_DEADLINE, () -> Expected.all(sim.groundTruth())).missing()).isZero();
        List<String> sessions = sim.sessionIds().stream()
            .filter(id -> !connector.sessions().state(id).status().isFinal()).toList();
        assertThat(sessions).hasSizeGreaterThanOrEqualTo(2);
        // Session A: only the cursor's event is deleted -> the poller retries from the event before it.
        String a = sessions.get(0);
        String cursorA = connector.sessions().state(a).cursor();
        sim.deleteEvent(a, cursorA);
        // Session B: the cursor and every fall-back id are deleted -> it re-reads from the first event.
        String b = sessions.get(1);
        List<String> idsB = sim.groundTruth(b).eventIds();
        for (String id : idsB.subList(idsB.size() - 6, idsB.size())) {
          sim.deleteEvent(b, id);
        }
        sim.appendEvents(a, 15);
        sim.appendEvents(b, 15);
        long rejected = countUntil(() -> sim.requestLog().stream()
            .filter(r -> r.endpoint() == Endpoint.EVENTS && r.status() == 400).count(), 4);
        Fixtures.verify("CURSOR_REJECTED", "cursor event deleted (400): fall back to earlier ids, or re-read"
            + " from the start; " + rejected + " cursors rejected", sim, checker, DELIVERY_DEADLINE, 0);
        assertThat(connector.sessions().state(a).status().isFinal()).isFalse();
        assertThat(connector.sessions().state(b).status().isFinal()).isFalse();
      }
    }
  }

  /** Waits until {@code counter} reaches {@code atLeast}; returns its value. */
  private static long countUntil(java.util.function.LongSupplier counter, long atLeast) {
    Fixtures.await(Duration.ofSeconds(30), "at least " + atLeast, () -> counter.getAsLong() >= atLeast);
    return counter.getAsLong();
  }

  /**
   * Regression: a session released while no poller followed it (released before the connector ever
   * saw it, or while the connector was down) was marked RELEASED without reading its events.
   */
  @Test
  void sessionsReleasedWhileNotFollowedAreDrained() {
    try (QoderSimulator sim = Fixtures.simulator(41, 4, 60).releasedFraction(0.5).terminatedFraction(0)
        .build().start()) {
      Pipeline p = Pipeline.of("api-released", bootstrap, sim, "mock://api");
      String releasedLater;
      try (Connector connector = Connector.start(p.config()); DeliveryChecker checker = Fixtures.checker(bootstrap, p)) {
        assertThat(checker.awaitDelivered(DELIVERY_DEADLINE, () -> Expected.all(sim.groundTruth())).missing()).isZero();
        // A session the simulator has not released: the connector's status alone is not enough, since a
        // session released in the history may still be draining (not yet RELEASED) when everything was
        // delivered. Picking one of those made the test append 12 events to an already released session,
        // which no connector reads again — the "loss" of issue 8, a race in the test, not the connector.
        releasedLater = sim.sessionIds().stream()
            .filter(id -> !sim.groundTruth(id).released())
            .filter(id -> connector.sessions().state(id).status() != SessionStatus.RELEASED).findFirst().orElseThrow();
      }
      // While the connector is down: new events, then the release.
      sim.appendEvents(releasedLater, 12);
      assertThat(sim.releaseSession(releasedLater)).as("%s was not released yet", releasedLater).isTrue();
      try (Connector connector = Connector.start(p.config()); DeliveryChecker checker = Fixtures.checker(bootstrap, p)) {
        long released = sim.groundTruth().values().stream().filter(t -> t.released()).count();
        Fixtures.verify("RELEASED_UNFOLLOWED", released + " sessions released before start-up or while the"
            + " connector was down: drained once", sim, checker, DELIVERY_DEADLINE, 0);
        Fixtures.await(Duration.ofSeconds(10), "every released session to end as RELEASED",
            () -> sim.groundTruth().values().stream().filter(t -> t.released())
                .allMatch(t -> connector.sessions().state(t.sessionId()) != null
                    && connector.sessions().state(t.sessionId()).status() == SessionStatus.RELEASED));
      }
    }
  }

  /**
   * A wrong path prefix in qoder.base-url: the API's own "No endpoint at '…'" 404 for every request,
   * the sessions list included. Nothing may be marked GONE (that would be stored in the offsets and
   * the sessions never read again); readiness says what to fix. Restarted with the right URL, the
   * same connector delivers everything exactly once.
   */
  @Test
  void wrongPathPrefixMarksNothingGoneAndLosesNothingOnceFixed() throws Exception {
    try (QoderSimulator sim = Fixtures.simulator(51, 4, 80).terminatedFraction(0).releasedFraction(0)
        .build().start()) {
      String wrongBase = sim.baseUrl() + "/wrong-prefix";
      Pipeline p = Pipeline.of("api-misrouted", bootstrap, sim, "mock://api")
          .set(Settings.SESSION_IDS.key(), String.join(",", sim.sessionIds()))
          .set(Settings.DISCOVERY.key(), "on")
          .set(Settings.OPS_ENABLED.key(), "true");
      try (Connector connector = Connector.start(p.set(Settings.QODER_BASE_URL.key(), wrongBase).config())) {
        Fixtures.await(Duration.ofSeconds(30), "several misrouted 404s per session and one of the sessions list",
            () -> sim.requestLog().stream().filter(r -> r.status() == 404 && r.path().endsWith("/events")).count()
                >= 3L * sim.sessionIds().size()
                && sim.requestLog().stream().anyMatch(r -> r.status() == 404 && r.path().endsWith("/api/v1/sessions")));
        JsonNode health = Fixtures.readiness(connector);
        assertThat(health.path("status").asText()).isEqualTo("DOWN");
        assertThat(health.path("checks").path("qoderApi").path("status").asText()).isEqualTo("DOWN");
        assertThat(health.path("checks").path("qoderApi").path("detail").asText())
            .contains("GET /api/v1/cloud/sessions/{session_id}/events", "GET /api/v1/sessions", wrongBase,
                "check qoder.base-url");
        for (String id : sim.sessionIds()) {
          assertThat(connector.sessions().state(id).status()).as(id).isNotEqualTo(SessionStatus.GONE);
        }
        assertThat(connector.status().delivered()).isZero();
        assertThat(connector.fatalError()).isEmpty();
      }
      try (Connector connector = Connector.start(p.set(Settings.QODER_BASE_URL.key(), sim.baseUrl()).config());
          DeliveryChecker checker = Fixtures.checker(bootstrap, p)) {
        Fixtures.verify("WRONG_PATH_PREFIX", "qoder.base-url with a wrong path prefix (every request 404, sessions"
            + " list included): nothing GONE, readiness DOWN naming the URL; restarted with the right URL", sim,
            checker, DELIVERY_DEADLINE, 0);
        Fixtures.await(Duration.ofSeconds(10), "readiness of the API check",
            () -> Fixtures.readiness(connector).path("checks").path("qoderApi").path("status").asText().equals("UP"));
      }
    }
  }

  /**
   * A proxy in front of the API answers 404 for a while mid-stream (an HTML page, or a gateway's
   * JSON): sessions keep their cursor and are retried, readiness is DOWN while it lasts, and once the
   * proxy routes again every event arrives exactly once.
   */
  @ParameterizedTest
  @EnumSource(value = Faults.NotFoundStyle.class, names = {"HTML", "GATEWAY_JSON"})
  void proxy404sMidStreamMarkNothingGoneAndLoseNothing(Faults.NotFoundStyle style) throws Exception {
    try (QoderSimulator sim = Fixtures.simulator(61 + style.ordinal(), 5, 60).terminatedFraction(0)
        .releasedFraction(0).liveMode(LiveMode.events(40)).build().start()) {
      Pipeline p = Pipeline.of("api-proxy404", bootstrap, sim, "mock://api").set(Settings.OPS_ENABLED.key(), "true");
      try (Connector connector = Connector.start(p.config()); DeliveryChecker checker = Fixtures.checker(bootstrap, p)) {
        Fixtures.await(Duration.ofSeconds(30), "traffic to flow", () -> connector.status().delivered() > 100);
        sim.faults().routeNotFound(Trigger.always(), style).scope(Endpoint.EVENTS);
        long since = sim.requestLog().stream().mapToLong(RequestRecord::sequence).max().orElse(0);
        Fixtures.await(Duration.ofSeconds(30), "misrouted 404s for every session",
            () -> sim.requestLog().stream().filter(r -> r.sequence() > since && r.status() == 404).map(RequestRecord::sessionId)
                .distinct().count() == sim.sessionIds().size());
        JsonNode health = Fixtures.readiness(connector);
        assertThat(health.path("checks").path("qoderApi").path("status").asText()).isEqualTo("DOWN");
        assertThat(health.path("checks").path("qoderApi").path("detail").asText())
            .contains("events", sim.baseUrl(), "check qoder.base-url");
        long misrouted = sim.requestLog().stream().filter(r -> r.sequence() > since && r.status() == 404).count();
        sim.faults().clear();
        Fixtures.verify("PROXY_404_" + style.name(), "a proxy answered 404 (" + style.label() + ") to " + misrouted
            + " event requests: nothing GONE, readiness DOWN meanwhile", sim, checker, DELIVERY_DEADLINE, 0);
        for (String id : sim.sessionIds()) {
          assertThat(connector.sessions().state(id).status()).as(id).isNotEqualTo(SessionStatus.GONE);
        }
        Fixtures.await(Duration.ofSeconds(10), "readiness of the API check",
            () -> Fixtures.readiness(connector).path("checks").path("qoderApi").path("status").asText().equals("UP"));
        assertThat(connector.fatalError()).isEmpty();
      }
    }
  }

  @Test
  void deletedSessionIsGoneWhileOthersKeepFlowing() {
    try (QoderSimulator sim = Fixtures.simulator(31, 5, 80).terminatedFraction(0).releasedFraction(0)
        .build().start()) {
      Pipeline p = Pipeline.of("api-gone", bootstrap, sim, "mock://api");
      try (Connector connector = Connector.start(p.config()); DeliveryChecker checker = Fixtures.checker(bootstrap, p)) {
        assertThat(checker.awaitDelivered(DELIVERY_DEADLINE, () -> Expected.all(sim.groundTruth())).missing()).isZero();
        String gone = sim.sessionIds().get(0);
        sim.deleteSession(gone);
        Fixtures.await(Duration.ofSeconds(20), "session " + gone + " to be marked GONE",
            () -> connector.sessions().state(gone).status() == SessionStatus.GONE);
        long requestsWhenGone = sim.requestStats().session(gone);
        sim.liveMode(LiveMode.events(50));
        Fixtures.await(Duration.ofSeconds(20), "live events for the other sessions",
            () -> sim.sessionIds().stream().mapToLong(id -> sim.groundTruth(id).eventIds().size()).sum() >= 4 * 80 + 150);
        Fixtures.verify("SESSION_DELETED", "one session deleted mid-stream (404): GONE, no longer polled;"
            + " the other sessions keep flowing", sim, checker, DELIVERY_DEADLINE, 0);
        assertThat(sim.requestStats().session(gone)).as("requests for the deleted session after GONE")
            .isEqualTo(requestsWhenGone);
        assertThat(connector.fatalError()).isEmpty();
        sim.sessionIds().forEach(id -> assertThat(connector.sessions().state(id).status()).isNotEqualTo(SessionStatus.GONE));
      }
    }
  }
}

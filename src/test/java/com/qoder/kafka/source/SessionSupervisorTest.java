package com.qoder.kafka.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.Await;
import com.qoder.kafka.api.QoderApiClient;
import com.qoder.kafka.api.QoderApi;
import com.qoder.kafka.api.QoderApiOptions;
import com.qoder.kafka.api.SessionEvent;
import com.qoder.kafka.config.Secret;
import com.qoder.kafka.sim.QoderSimulator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Pollers as state machines behind the step gate, against the simulator over HTTP. Kafka is the
 * edge here: a delivery that acknowledges at once and records what it was given.
 */
class SessionSupervisorTest {

  private final Map<String, List<String>> delivered = new ConcurrentHashMap<>();
  private final AtomicLong deliveredCount = new AtomicLong();
  private volatile long lastDeliveryAtMillis;
  private volatile Duration deliveryDelay = Duration.ZERO;
  private final Map<String, SessionState.Snapshot> offsets = new ConcurrentHashMap<>();
  private final List<Throwable> fatal = new CopyOnWriteArrayList<>();
  private QoderSimulator sim;
  private QoderApiClient api;
  private SessionSupervisor supervisor;

  private final java.util.Set<String> hung = ConcurrentHashMap.newKeySet();
  private final EventDelivery delivery = (sessionId, events) -> hung.contains(sessionId) ? Mono.never()
      : Mono.delay(deliveryDelay).then(Mono.fromCallable(() -> {
    List<String> ids = delivered.computeIfAbsent(sessionId, k -> new CopyOnWriteArrayList<>());
    for (SessionEvent e : events) {
      ids.add(e.id());
    }
    deliveredCount.addAndGet(events.size());
    lastDeliveryAtMillis = System.currentTimeMillis();
    return new EventDelivery.Report(events.size(), 0);
  }));

  private final AtomicLong offsetWrites = new AtomicLong();
  private final OffsetWriter offsetWriter = snapshot -> Mono.fromRunnable(() -> {
    offsetWrites.incrementAndGet();
    offsets.put(snapshot.sessionId(), snapshot);
  });

  private void start(int sessions, int events, Duration min, Duration max, SessionListener listener) {
    start(sessions, events, min, max, listener, offsetWriter);
  }

  private void start(int sessions, int events, Duration min, Duration max, SessionListener listener,
      OffsetWriter writer) {
    sim = QoderSimulator.builder().seed(11).sessions(sessions).eventsPerSession(events).terminatedFraction(0)
        .releasedFraction(0).files(0).agents(0).maxResourcesPerSession(0).build().start();
    api = QoderApiClient.create(QoderApiOptions.builder(sim.baseUrl(), Secret.of(sim.token()))
        .maxRequestsPerSecond(5000).maxConcurrentRequests(8).backoff(Duration.ofMillis(10), Duration.ofMillis(100))
        .build());
    supervisor = new SessionSupervisor(api, delivery, writer, new PollerOptions(100, min, max, false, 512),
        listener, fatal::add);
  }

  @AfterEach
  void close() {
    if (supervisor != null) {
      supervisor.stopAll(Duration.ofSeconds(2)).block();
    }
    if (api != null) {
      api.close();
    }
    if (sim != null) {
      sim.close();
    }
  }

  @Test
  void everySessionIsDeliveredInOrderWithoutDuplicatesAndStopEndsSleepingPollersAtOnce() throws Exception {
    start(40, 230, Duration.ofMillis(50), Duration.ofSeconds(60), SessionListener.NOOP);
    for (String id : sim.sessionIds()) {
      assertThat(supervisor.track(id)).isTrue();
      assertThat(supervisor.track(id)).isFalse(); // one poller per session
    }
    long total = sim.totalEvents();
    await(() -> deliveredCount.get() >= total);
    for (String id : sim.sessionIds()) {
      assertThat(delivered.get(id)).as(id).containsExactlyElementsOf(sim.groundTruth(id).eventIds());
      assertThat(offsets.get(id).cursor()).isEqualTo(sim.groundTruth(id).eventIds().get(229));
    }
    assertThat(supervisor.polled()).isEqualTo(40);
    assertThat(supervisor.gate().inStep()).isLessThanOrEqualTo(SessionSupervisor.MAX_SESSIONS_REQUESTING);
    // Caught up, every poller now waits on a timer (the interval grows towards 60 s): stopping
    // must not wait for it.
    await(() -> supervisor.gate().inStep() == 0);
    StepVerifier.create(supervisor.stopAll(Duration.ofSeconds(30))).expectComplete().verify(Duration.ofSeconds(10));
    assertThat(supervisor.polled()).isZero();
    assertThat(fatal).isEmpty();
  }

  @Test
  void aStoppedPollerHasLeftTheTableWhenItsStopCompletes() throws Exception {
    // Whoever waits for a stop forgets the session or tracks it again at once (a rebalance, a
    // resync): if the poller were still in the table then, forget would keep its state and track
    // would find the ended poller, and the session would never be polled again.
    start(1, 230, Duration.ofMillis(50), Duration.ofSeconds(60), SessionListener.NOOP);
    deliveryDelay = Duration.ofMillis(800);
    String id = sim.sessionIds().get(0);
    assertThat(supervisor.track(id)).isTrue();
    await(() -> supervisor.gate().inStep() == 1);

    List<Integer> polledAtCompletion = new CopyOnWriteArrayList<>();
    List<Boolean> trackedAgainAtCompletion = new CopyOnWriteArrayList<>();
    StepVerifier.create(supervisor.stop(List.of(id), Duration.ofSeconds(10)).doOnSuccess(v -> {
      polledAtCompletion.add(supervisor.polled());
      trackedAgainAtCompletion.add(supervisor.track(id));
    })).expectComplete().verify(Duration.ofSeconds(10));

    assertThat(polledAtCompletion).as("pollers in the table when the stop completed").containsExactly(0);
    assertThat(trackedAgainAtCompletion).as("tracked again from the stop's completion").containsExactly(true);
  }

  @Test
  void anActiveSessionStaysAtTheMinimumIntervalUntilItHasBeenQuietForAWhile() throws Exception {
    List<long[]> scheduled = new CopyOnWriteArrayList<>(); // {time ms, interval ms}
    SessionListener listener = new SessionListener() {
      @Override
      public void pollScheduled(String sessionId, long intervalMillis) {
        scheduled.add(new long[] {System.currentTimeMillis(), intervalMillis});
      }
    };
    long min = 20;
    start(1, 5, Duration.ofMillis(min), Duration.ofMillis(320), listener);
    String id = sim.sessionIds().get(0);
    supervisor.track(id);
    await(() -> deliveredCount.get() == 5);
    sim.appendEvents(id, 3);
    await(() -> deliveredCount.get() == 8);
    long lastNew = lastDeliveryAtMillis; // the poller notes its last new events just after this
    await(() -> !scheduled.isEmpty() && scheduled.get(scheduled.size() - 1)[1] == 320);

    List<long[]> after = new ArrayList<>();
    for (long[] s : scheduled) {
      if (s[0] >= lastNew) {
        after.add(s);
      }
    }
    int firstLonger = 0;
    while (after.get(firstLonger)[1] == min) {
      firstLonger++;
    }
    // Backing off starts only once the session has been quiet for QUIET_AFTER_MIN_INTERVALS minimum intervals...
    assertThat(after.get(firstLonger)[0] - lastNew)
        .isGreaterThanOrEqualTo(SessionPoller.QUIET_AFTER_MIN_INTERVALS * min);
    // ...then the interval doubles per empty poll up to the maximum.
    List<Long> backoff = after.subList(firstLonger, after.size()).stream().map(s -> s[1]).toList();
    assertThat(backoff).startsWith(40L, 80L, 160L, 320L);

    // Quiet, the session keeps a small de-dup window; new events bring the configured one back.
    DedupWindow window = supervisor.state(id).window();
    assertThat(window.capacity()).isEqualTo(SessionPoller.QUIET_WINDOW);
    assertThat(window.size()).isEqualTo(8);
    String newest = sim.appendEvents(id, 70).get(69);
    await(() -> offsets.containsKey(id) && newest.equals(offsets.get(id).cursor())); // written after the window took them
    assertThat(window.capacity()).isEqualTo(512);
    assertThat(window.size()).isEqualTo(78);

    assertThat(delivered.get(id)).containsExactlyElementsOf(sim.groundTruth(id).eventIds());
  }

  @Test
  void aReleasedSessionIsDrainedThenEndsWhileWaiting() throws Exception {
    start(2, 120, Duration.ofMillis(50), Duration.ofSeconds(60), SessionListener.NOOP);
    String id = sim.sessionIds().get(0);
    supervisor.track(id);
    await(() -> deliveredCount.get() == 120);
    await(() -> supervisor.gate().inStep() == 0);
    sim.appendEvents(id, 7);
    supervisor.release(id); // wakes the sleeping poller: it reads the 7 new events, then ends
    await(() -> supervisor.polled() == 0);
    assertThat(delivered.get(id)).containsExactlyElementsOf(sim.groundTruth(id).eventIds());
    assertThat(supervisor.state(id).status()).isEqualTo(SessionStatus.RELEASED);
    assertThat(offsets.get(id).status()).isEqualTo(SessionStatus.RELEASED);
  }

  @Test
  void aReleaseSeenWhileAPageIsInFlightStillReadsWhatCameBeforeTheRelease() throws Exception {
    start(1, 30, Duration.ofMillis(50), Duration.ofMillis(200), SessionListener.NOOP);
    String id = sim.sessionIds().get(0);
    // The real client, but the test may hold one answered events page before the poller sees it.
    java.util.concurrent.atomic.AtomicBoolean holdNext = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.CountDownLatch answered = new java.util.concurrent.CountDownLatch(1);
    reactor.core.publisher.Sinks.Empty<Void> letGo = reactor.core.publisher.Sinks.empty();
    QoderApi real = api;
    QoderApi holding = (QoderApi) java.lang.reflect.Proxy.newProxyInstance(QoderApi.class.getClassLoader(),
        new Class<?>[] {QoderApi.class}, (proxy, method, args) -> {
          Object result;
          try {
            result = method.invoke(real, args);
          } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
          }
          if (method.getName().equals("eventsAfter") && holdNext.compareAndSet(true, false)) {
            return ((Mono<?>) result).doOnNext(page -> answered.countDown()).delayUntil(page -> letGo.asMono());
          }
          return result;
        });
    supervisor = new SessionSupervisor(holding, delivery, offsetWriter,
        new PollerOptions(100, Duration.ofMillis(50), Duration.ofMillis(200), false, 512), SessionListener.NOOP,
        fatal::add);
    supervisor.track(id);
    await(() -> deliveredCount.get() == 30);
    holdNext.set(true);
    assertThat(answered.await(10, TimeUnit.SECONDS)).as("a caught-up poll was answered").isTrue();
    // Upstream, after that answer: 4 more events, then the release. The connector sees the release
    // (discovery) while the stale, empty page is still on its way to the poller.
    sim.appendEvents(id, 4);
    sim.releaseSession(id);
    supervisor.release(id);
    letGo.tryEmitEmpty();
    await(() -> supervisor.polled() == 0);
    assertThat(supervisor.state(id).status()).isEqualTo(SessionStatus.RELEASED);
    assertThat(delivered.get(id)).as("the events from before the release").containsExactlyElementsOf(
        sim.groundTruth(id).eventIds());
  }

  @Test
  void everyPageOfABacklogWritesItsOffset() throws Exception {
    start(1, 2_000, Duration.ofMillis(50), Duration.ofSeconds(60), SessionListener.NOOP);
    String id = sim.sessionIds().get(0);
    supervisor.track(id);
    await(() -> deliveredCount.get() == 2_000);
    await(() -> offsets.containsKey(id) && sim.groundTruth(id).eventIds().get(1_999).equals(offsets.get(id).cursor()));
    assertThat(offsetWrites.get()).isEqualTo(20);
  }

  @Test
  void deliveriesThatNeverEndDoNotHoldOtherSessionsBack() throws Exception {
    int stuck = SessionSupervisor.MAX_SESSIONS_REQUESTING + 20;
    start(stuck + 1, 2, Duration.ofMillis(50), Duration.ofSeconds(60), SessionListener.NOOP);
    List<String> ids = sim.sessionIds();
    hung.addAll(ids.subList(0, stuck)); // Kafka never acknowledges their pages
    for (String id : ids) {
      supervisor.track(id);
    }
    String free = ids.get(stuck);
    await(() -> delivered.containsKey(free) && delivered.get(free).size() == 2);
    await(() -> supervisor.gate().inStep() == 0); // the stuck ones hold no place: their requests are over
  }

  /**
   * Issue 3/8 "no loss": a 404 that is not the API's documented "session not found" (a proxy's HTML
   * page, a gateway's JSON, the API's answer for a path it does not serve) must never end a session.
   * The pollers keep their cursor and retry; once the route works again everything arrives. Only the
   * documented answer for a deleted session marks it GONE.
   */
  @Test
  void misrouted404sNeverEndASessionButADeletedSessionIsGone() throws Exception {
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    SessionListener listener = new SessionListener() {
      @Override
      public void error(String sessionId, Throwable error) {
        errors.add(error);
      }
    };
    start(3, 40, Duration.ofMillis(20), Duration.ofMillis(100), listener);
    List<String> ids = sim.sessionIds();
    for (com.qoder.kafka.sim.Faults.NotFoundStyle style : com.qoder.kafka.sim.Faults.NotFoundStyle.values()) {
      errors.clear();
      long before = deliveredCount.get();
      sim.faults().routeNotFound(com.qoder.kafka.sim.Faults.Trigger.always(), style);
      if (style.ordinal() == 0) {
        ids.forEach(supervisor::track);
      } else {
        ids.forEach(id -> sim.appendEvents(id, 5));
      }
      await(() -> errors.size() >= 3 * ids.size()); // every session retried several times under the fault
      assertThat(deliveredCount.get()).as(style.name()).isEqualTo(before);
      assertThat(errors).allSatisfy(e -> assertThat(e).isInstanceOfSatisfying(
          com.qoder.kafka.api.QoderApiException.NotFound.class, nf -> {
            assertThat(nf.isSessionGone()).isFalse();
            assertThat(nf.getMessage()).contains(sim.baseUrl(), "check qoder.base-url");
          }));
      for (String id : ids) {
        assertThat(supervisor.state(id).status()).as(style + " " + id).isNotEqualTo(SessionStatus.GONE);
        assertThat(offsets.containsKey(id) ? offsets.get(id).status() : null).isNotEqualTo(SessionStatus.GONE);
      }
      assertThat(supervisor.polled()).isEqualTo(ids.size());
      sim.faults().clear();
      await(() -> ids.stream().allMatch(id -> delivered.containsKey(id)
          && delivered.get(id).size() == sim.groundTruth(id).eventIds().size()));
    }
    for (String id : ids) {
      assertThat(delivered.get(id)).containsExactlyElementsOf(sim.groundTruth(id).eventIds());
    }
    // The documented 404 of a deleted session still ends it.
    String doomed = ids.get(0);
    sim.deleteSession(doomed);
    sim.appendEvents(ids.get(1), 1); // keep the others busy
    await(() -> supervisor.state(doomed).status() == SessionStatus.GONE);
    await(() -> offsets.get(doomed).status() == SessionStatus.GONE);
    assertThat(supervisor.state(ids.get(1)).status()).isNotEqualTo(SessionStatus.GONE);
    assertThat(fatal).isEmpty();
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    Await.until(Duration.ofSeconds(30), Duration.ofMillis(5), () -> "condition", condition);
  }
}

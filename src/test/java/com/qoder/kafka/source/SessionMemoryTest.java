package com.qoder.kafka.source;

import static com.qoder.kafka.source.PollerHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.api.Page;
import com.qoder.kafka.api.SessionEvent;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * Issue 12, defect 7: memory bounded by configuration. Pages fetched and not acknowledged stay
 * within the page budget ({@code kafka.max-in-flight-bytes}) however many sessions wait for Kafka,
 * and a finished session costs almost nothing, also when restored.
 */
class SessionMemoryTest {

  private static final long MS = 1_000_000;

  /**
   * [every active session parks one fetched page during a broker outage]: 300 sessions with a
   * backlog, Kafka never acknowledges, a 1 MiB budget.
   */
  @Test
  void duringABrokerOutagePagesFetchedAndNotAcknowledgedStayWithinTheBudget() {
    int sessions = 300;
    long limit = 1024 * 1024;
    FakeEventsApi api = new FakeEventsApi();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < sessions; i++) {
      String id = String.format("sess_%032x", i + 1);
      api.append(id, 100, MS);
      ids.add(id);
    }
    Map<String, List<SessionEvent>> parked = new ConcurrentHashMap<>();
    EventDelivery outage = (sessionId, events) -> {
      parked.put(sessionId, events);
      return Mono.never(); // the broker is down: never acknowledged
    };
    SessionSupervisor supervisor = new SessionSupervisor(api, outage, s -> Mono.empty(),
        new PollerOptions(100, Duration.ofMillis(1), Duration.ofMillis(4), false, 512, limit), SessionListener.NOOP,
        e -> {});
    try {
      ids.forEach(supervisor::track);
      // Every session has either a page parked or its place in the budget's queue.
      await("every session parked or queued", () -> parked.size() + supervisor.budget().waiting() == sessions);
      long parkedBytes = 0;
      long largestPage = 0;
      for (List<SessionEvent> page : parked.values()) {
        long b = page.stream().mapToLong(PageBudget::heapBytes).sum();
        parkedBytes += b;
        largestPage = Math.max(largestPage, b);
      }
      assertThat(parkedBytes)
          .as("bytes of %d pages fetched and never acknowledged (%d sessions), budget %d", parked.size(), sessions,
              limit)
          .isLessThanOrEqualTo(limit + largestPage);
      assertThat(supervisor.budget().reserved()).isLessThanOrEqualTo(limit + largestPage);
      // Queued pollers stop at once; those with a parked page wait for Kafka (the next owner reads it again).
      supervisor.stopAll(Duration.ofMillis(200)).block(Duration.ofSeconds(10));
      assertThat(supervisor.polled()).isEqualTo(parked.size());
    } finally {
      supervisor.stopAll(Duration.ofMillis(1)).block(Duration.ofSeconds(10));
    }
  }

  /** [finished sessions keep their whole window and are all restored at every assignment]. */
  @Test
  void aFinishedSessionDropsItsWindowAndIsRestoredWithout() {
    FakeEventsApi api = new FakeEventsApi();
    String id = "sess_0123456789abcdef0123456789abcdef";
    api.append(id, 600, MS);
    api.appendTerminated(id);
    try (PollerHarness h = new PollerHarness(api, PollerHarness.fastOptions(512))) {
      h.supervisor.track(id);
      await("terminated", () -> h.stored.containsKey(id) && h.stored.get(id).status() == SessionStatus.TERMINATED);
      await("the poller ended", () -> h.supervisor.polled() == 0);
      SessionState st = h.supervisor.state(id);
      assertThat(st.window().size()).as("ids a terminated session keeps").isZero();
      assertThat(st.recentIds()).isEmpty();
      assertThat(st.delivered()).isEqualTo(601);

      // A record of a terminated session written with its whole window (by an earlier release).
      SessionState full = new SessionState(id, 512, 0);
      for (int i = 0; i < 600; i++) {
        full.acknowledged("evt_" + i, (i + 1) * MS);
      }
      full.status(SessionStatus.ACTIVE);
      SessionState.Snapshot s = full.snapshot();
      SessionState.Snapshot terminated = new SessionState.Snapshot(id, s.cursor(), s.recentIds(), s.window(),
          SessionStatus.TERMINATED, 600, 0, 0, s.newestCreatedAtNanos(), 0, 0, s.positionNanos(), s.tiesAtPosition());
      h.restart(() -> {});
      h.supervisor.restore(List.of(terminated));
      SessionState restored = h.supervisor.state(id);
      assertThat(restored.window().size()).as("ids a restored terminated session keeps").isZero();
      assertThat(restored.recentIds()).isEmpty();
      assertThat(h.supervisor.track(id)).isFalse();
    }
  }

  /**
   * Issue 12 acceptance: 100,000 tracked sessions whose state is what 600 delivered events leave
   * (the snapshot a real poller wrote), restored and polled, then idle: at most 1 KiB of heap each.
   * Measures the supervisor's table, the pollers and their states (the connector's own per-session
   * figures come from {@code bench --phases scale}).
   */
  @Test
  void anIdleRestoredSessionCostsAtMost1KiB() throws Exception {
    FakeEventsApi api = new FakeEventsApi();
    String id0 = "sess_0123456789abcdef0123456789abcdef";
    api.append(id0, 600, MS);
    SessionState.Snapshot after600;
    try (PollerHarness h = new PollerHarness(api, PollerHarness.fastOptions(512))) {
      h.supervisor.track(id0);
      await("600 delivered", () -> h.stored.containsKey(id0) && h.stored.get(id0).delivered() == 600);
      after600 = h.stored.get(id0);
    }
    assertThat(after600.window()).hasSizeGreaterThan(512 * 8); // the record holds the configured window

    int n = 50_000;
    Page<SessionEvent> empty = new Page<>(List.of(), null, null, false, null);
    AtomicLong requests = new AtomicLong();
    com.qoder.kafka.api.QoderApi idleApi = (com.qoder.kafka.api.QoderApi) Proxy.newProxyInstance(
        getClass().getClassLoader(), new Class<?>[] {com.qoder.kafka.api.QoderApi.class}, (p, m, a) -> {
          if (m.getName().equals("eventsAfter")) {
            requests.incrementAndGet();
            return Mono.just(empty);
          }
          throw new UnsupportedOperationException(m.getName());
        });
    SessionSupervisor supervisor = new SessionSupervisor(idleApi, (s, e) -> Mono.error(new AssertionError()),
        s -> Mono.empty(), new PollerOptions(100, Duration.ofMinutes(5), Duration.ofMinutes(10), false, 512),
        SessionListener.NOOP, e -> {});
    try {
      // Two populations of n, the cost per session from what the second adds: whatever the first
      // brings to life once (scheduler queues, caches, JIT-time objects) is then in both readings,
      // where a reading before any session would count it (readings differed by 250 bytes a session).
      restoreAndPoll(supervisor, after600, 0, n, requests);
      long first = heapAfterGc();
      restoreAndPoll(supervisor, after600, n, 2 * n, requests);
      long perSession = (heapAfterGc() - first) / n;
      System.out.printf("heap per idle restored session (600 events delivered): %d bytes%n", perSession);
      assertThat(perSession).as("heap bytes per idle session").isLessThanOrEqualTo(1024);
      assertThat(supervisor.polled()).isEqualTo(2 * n);
    } finally {
      supervisor.stopAll(Duration.ofSeconds(30)).block(Duration.ofSeconds(60));
    }
  }

  /** Restores sessions {@code from} to {@code to} (each with its own copy of the strings, as decoding records gives) and waits for one poll each. */
  private static void restoreAndPoll(SessionSupervisor supervisor, SessionState.Snapshot after600, int from, int to,
      AtomicLong requests) {
    List<SessionState.Snapshot> stored = new ArrayList<>(to - from);
    for (int i = from; i < to; i++) {
      stored.add(new SessionState.Snapshot(String.format("sess_%032x", i), new String(after600.cursor()),
          after600.recentIds().stream().map(String::new).toList(), new String(after600.window()),
          after600.status(), after600.delivered(), 0, 0, after600.newestCreatedAtNanos(),
          after600.firstSeenAtMillis(), after600.updatedAtMillis(), after600.positionNanos(),
          after600.tiesAtPosition()));
    }
    supervisor.restore(stored);
    for (SessionState.Snapshot s : stored) {
      supervisor.track(s.sessionId());
    }
    await("one poll each", () -> requests.get() >= to && supervisor.gate().inStep() == 0);
  }

  private static long heapAfterGc() throws InterruptedException {
    java.lang.management.MemoryMXBean m = java.lang.management.ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(50);
      used = Math.min(used, m.getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}

package com.qoder.kafka.source;

import static com.qoder.kafka.source.PollerHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;

/**
 * Model-based test of a session's poller (issue 12): the real {@link SessionPoller} and {@link
 * SessionSupervisor} against an in-process API whose history is random — appends (some at one
 * shared {@code created_at}, across page boundaries), replays from the first event of random
 * length, rejected cursors (the newest delivered events deleted), clean restarts and crashes
 * between a page's delivery and its offset write — with a small de-dup window. Every restart
 * restores from the last written offset record, through the connector's own codec.
 *
 * <p>Checked after every run: every event reaches "Kafka" in API order, each at least once; events
 * produced twice are bounded by the page in flight at each crash (none without crashes); every
 * offset record is at most 64 KiB.
 *
 * <p>CI runs {@code jqwik.tries.default} tries (junit-platform.properties, a handful of seconds)
 * with a fixed seed; {@code ./mvnw test -Pmodel-long -Dtest=SessionPollerDedupModelTest} runs many more.
 */
class SessionPollerDedupModelTest {

  private static final String SESSION = "sess_00000000000000000000000000000abc";
  private static final long MS = 1_000_000;
  private static final int PAGE = 100;

  sealed interface Op permits Append, Replay, RejectCursor, Restart, Crash {}

  /** {@code n} new events; {@code tied}: all at the instant of the newest one. */
  record Append(int n, boolean tied) implements Op {}

  /** The next {@code requests} requests with a cursor are answered from the first event. */
  record Replay(int requests) implements Op {}

  /** The newest {@code n} (delivered) events are deleted: the cursor and fall-backs get 400. */
  record RejectCursor(int n) implements Op {}

  /** The instance stops cleanly and a new one restores the session. */
  record Restart() implements Op {}

  /** {@code n} new events, and the instance dies after delivering a page, before its offset is written. */
  record Crash(int n) implements Op {}

  @Provide
  Arbitrary<List<Op>> histories() {
    Arbitrary<Op> op = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(5, Arbitraries.integers().between(1, 260).flatMap(
            n -> Arbitraries.of(true, false).map(t -> (Op) new Append(n, t)))),
        net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(1, 3).map(r -> (Op) new Replay(r))),
        net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(1, SessionState.FALLBACK_CURSORS + 2)
            .map(n -> (Op) new RejectCursor(n))),
        net.jqwik.api.Tuple.of(1, Arbitraries.just((Op) new Restart())),
        net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(1, 260).map(n -> (Op) new Crash(n))));
    return op.list().ofMinSize(1).ofMaxSize(8);
  }

  @Property(seed = "20261203", shrinking = ShrinkingMode.BOUNDED)
  void everyEventOnceInOrderAndDuplicatesOnlyFromCrashes(@ForAll("histories") List<Op> ops,
      @ForAll("windows") int window) {
    FakeEventsApi api = new FakeEventsApi();
    List<String> expected = new ArrayList<>(api.append(SESSION, 1, MS));
    int crashes = 0;
    try (PollerHarness h = new PollerHarness(api, PollerHarness.fastOptions(window))) {
      h.supervisor.track(SESSION);
      awaitCaughtUp(api, h);
      for (Op op : ops) {
        if (op instanceof Append a) {
          expected.addAll(api.append(SESSION, a.n(), a.tied() ? 0 : MS));
        } else if (op instanceof Replay r) {
          api.replayFromStart(SESSION, r.requests());
          await("replay consumed", () -> api.replaysLeft(SESSION) == 0);
        } else if (op instanceof RejectCursor d) {
          if (api.eventIds(SESSION).size() > d.n()) {
            api.deleteNewest(SESSION, d.n());
          }
        } else if (op instanceof Restart) {
          h.restart(() -> {});
          h.supervisor.track(SESSION);
        } else if (op instanceof Crash c) {
          crashes++;
          h.crashOnNextWrite();
          expected.addAll(api.append(SESSION, c.n(), MS));
          await("a page delivered", h::writeHeld);
          h.restart(h::releaseHeldWrite);
          h.supervisor.track(SESSION);
        }
        awaitCaughtUp(api, h);
      }
      List<String> produced = h.produced(SESSION);
      assertThat(new ArrayList<>(new LinkedHashSet<>(produced))).as("first deliveries, in API order")
          .containsExactlyElementsOf(expected);
      assertThat(h.duplicates(SESSION)).as("events produced twice (%d crashes, page %d)", crashes, PAGE)
          .isLessThanOrEqualTo((long) crashes * PAGE);
      assertThat(h.largestRecord.get()).as("largest offset record").isLessThanOrEqualTo(64 * 1024);
      assertThat(h.fatal).isEmpty();
    }
  }

  @Provide
  Arbitrary<Integer> windows() {
    return Arbitraries.of(1, 4, 16, 64);
  }

  private static void awaitCaughtUp(FakeEventsApi api, PollerHarness h) {
    List<String> ids = api.eventIds(SESSION);
    String last = ids.get(ids.size() - 1);
    await("caught up", () -> {
      SessionState st = h.supervisor.state(SESSION);
      // (The stored cursor may still name a deleted event: a fall-back cursor that found nothing new is
      // not written; a restart falls back again.)
      return st != null && last.equals(st.cursor()) && st.caughtUp() && h.stored.containsKey(SESSION);
    });
  }
}

package com.qoder.kafka.source;

import static com.qoder.kafka.source.PollerHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, defects 5 and 6: duplicates recognised by the session's persisted position (the
 * {@code created_at} of the newest delivered event, with the ids at that instant) as well as by the
 * window of recent ids, so neither a replay longer than the window nor a restart in the middle of a
 * cursor recovery produces anything twice. Real pollers and supervisor, an in-process API.
 */
class SessionPollerDedupTest {

  private static final String SESSION = "sess_0123456789abcdef0123456789abcdef";
  private static final long MS = 1_000_000;

  private final FakeEventsApi api = new FakeEventsApi();
  private PollerHarness h;

  @AfterEach
  void close() {
    if (h != null) {
      h.close();
    }
  }

  /** Active (50 ms interval, the configured 512-id window), then quiet (the small window). */
  private PollerHarness harness() {
    h = new PollerHarness(api, new PollerOptions(100, Duration.ofMillis(50), Duration.ofMillis(100), false, 512));
    return h;
  }

  private void awaitCaughtUp(String what) {
    List<String> ids = api.eventIds(SESSION);
    String last = ids.get(ids.size() - 1);
    await(what, () -> h.stored.containsKey(SESSION) && last.equals(h.stored.get(SESSION).cursor())
        && h.supervisor.state(SESSION).caughtUp());
  }

  /**
   * Defect 6 [2,000 duplicates for a 2,000-event replay against a 512-id window; a quiet session
   * keeps only 64 ids]: the API answers the cursor as if from the first event, the replayed ids
   * pushed the protected ones out of the ring before they came up.
   */
  @Test
  void aReplayFromTheStartLongerThanTheWindowProducesNothingTwice() {
    api.append(SESSION, 2_000, MS);
    harness().supervisor.track(SESSION);
    awaitCaughtUp("backlog");
    assertThat(h.produced(SESSION)).hasSize(2_000);

    // While active: the next request with a cursor is answered from the first event.
    long before = api.requests();
    api.replayFromStart(SESSION, 1);
    await("the replay and the walk back to the end", () -> api.requests() >= before + 21);
    awaitCaughtUp("after the replay");
    assertThat(h.duplicates(SESSION)).as("events produced twice by a 2,000-event replay (512-id window)").isZero();

    // Quiet: the window shrank; the same again.
    await("quiet", () -> h.supervisor.state(SESSION).window().capacity() < 512);
    long before2 = api.requests();
    api.replayFromStart(SESSION, 1);
    await("the second replay", () -> api.requests() >= before2 + 21);
    awaitCaughtUp("after the second replay");
    assertThat(h.duplicates(SESSION)).as("events produced twice by a replay against a quiet session").isZero();

    // New events after the replays still arrive, once each.
    api.append(SESSION, 30, MS);
    awaitCaughtUp("new events");
    assertThat(h.produced(SESSION)).containsExactlyElementsOf(api.eventIds(SESSION));
    assertThat(h.fatal).isEmpty();
  }

  /**
   * Defect 5 [1,895 of 1,995 events produced again]: after a rejected cursor the re-read skipped
   * events older than the newest delivered one, but only in memory; a restart during the re-read
   * resumed without it.
   */
  @Test
  void aRestartDuringCursorRecoveryProducesNothingAgain() {
    api.append(SESSION, 2_000, MS);
    harness().supervisor.track(SESSION);
    awaitCaughtUp("backlog");
    await("quiet", () -> h.supervisor.state(SESSION).window().capacity() < 512);
    // The cursor and every fall-back id are deleted: 400 on each, then a re-read from the first event.
    api.deleteNewest(SESSION, SessionState.FALLBACK_CURSORS + 1);
    String firstPageEnd = api.eventIds(SESSION).get(99);
    h.holdWriteOf(s -> firstPageEnd.equals(s.cursor()));
    await("the first page of the re-read", h::writeHeld);
    int producedBefore = h.produced(SESSION).size();
    h.restart(h::releaseHeldWrite); // the instance stops (or loses the partition) mid-recovery
    h.supervisor.track(SESSION);
    awaitCaughtUp("the re-read after the restart");
    assertThat(h.produced(SESSION).size() - producedBefore)
        .as("events of %,d produced again after a restart during cursor recovery", api.eventIds(SESSION).size())
        .isZero();
    assertThat(h.duplicates(SESSION)).isZero();
    api.append(SESSION, 10, MS);
    awaitCaughtUp("new events");
    assertThat(h.produced(SESSION)).hasSize(2_010).doesNotHaveDuplicates();
    assertThat(h.fatal).isEmpty();
  }

  /**
   * Several events may share a {@code created_at} (millisecond timestamps), also across a page
   * boundary, and an event may come without one: new events at the newest instant are delivered,
   * and a replay after a restart repeats none of them.
   */
  @Test
  void eventsSharingAnInstantOrWithoutATimeAreNeitherLostNorRepeated() {
    api.append(SESSION, 100, MS);
    api.appendUntimed(SESSION); // before older events in any replay: its place says it was delivered
    api.append(SESSION, 49, MS);
    api.append(SESSION, 30, 0); // the 30 newest share the instant of the 150th, across the page boundary
    harness().supervisor.track(SESSION);
    awaitCaughtUp("backlog");
    api.append(SESSION, 5, 0); // five more at that same instant: new, not "older than the newest"
    awaitCaughtUp("events at the newest instant");
    assertThat(h.produced(SESSION)).containsExactlyElementsOf(api.eventIds(SESSION));
    assertThat(h.supervisor.state(SESSION).tiesAtPosition()).isEqualTo(36);

    h.restart(() -> {});
    h.supervisor.track(SESSION);
    long before = api.requests();
    api.replayFromStart(SESSION, 1);
    await("the replay", () -> api.requests() >= before + 3);
    awaitCaughtUp("after the replay");
    assertThat(h.produced(SESSION)).containsExactlyElementsOf(api.eventIds(SESSION));
    assertThat(h.fatal).isEmpty();
  }

  /** Shrunk by SessionPollerModelTest: more events at one instant than the window holds, then a replay. */
  @Test
  void moreEventsAtOneInstantThanTheWindowHoldsAreNotRepeatedByAReplay() {
    h = new PollerHarness(api, PollerHarness.fastOptions(1));
    api.append(SESSION, 1, MS);
    h.supervisor.track(SESSION);
    awaitCaughtUp("first event");
    api.append(SESSION, 259, 0);
    awaitCaughtUp("259 events at one instant");
    api.replayFromStart(SESSION, 1);
    await("the replay", () -> api.replaysLeft(SESSION) == 0);
    awaitCaughtUp("after the replay");
    assertThat(h.produced(SESSION)).containsExactlyElementsOf(api.eventIds(SESSION));
  }
}

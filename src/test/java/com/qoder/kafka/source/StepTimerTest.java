package com.qoder.kafka.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * The waits between poller steps on a virtual clock: every wait wakes once, never before its
 * deadline and at the first moment the clock reaches it, in deadline order; a wait whose token
 * moved on wakes nothing.
 */
class StepTimerTest {

  /** One wake-up as seen by a sleeper: which wait, and the clock then. */
  private record Woken(int id, long atNanos) {}

  private static final class Recorder implements StepTimer.Sleeper {
    final List<Woken> woken = new ArrayList<>();
    final VirtualTimeScheduler time;

    Recorder(VirtualTimeScheduler time) {
      this.time = time;
    }

    @Override
    public void wake(int token) {
      woken.add(new Woken(token, time.now(TimeUnit.NANOSECONDS)));
    }
  }

  /** A history: each step schedules a wait of {@code delayMillis}, then advances the clock by {@code advanceMillis}. */
  record Step(long delayMillis, long advanceMillis) {}

  @Provide
  Arbitrary<List<Step>> histories() {
    Arbitrary<Step> step = Arbitraries.longs().between(0, 5_000)
        .flatMap(d -> Arbitraries.longs().between(0, 700).map(a -> new Step(d, a)));
    return step.list().ofMinSize(1).ofMaxSize(300);
  }

  @Property(tries = 200, seed = "20261203")
  void everyWaitWakesOnceAtItsDeadlineInDeadlineOrder(@ForAll("histories") List<Step> history) {
    VirtualTimeScheduler time = VirtualTimeScheduler.create();
    try {
      StepTimer timer = new StepTimer(time, () -> time.now(TimeUnit.NANOSECONDS));
      Recorder sleeper = new Recorder(time);
      long[] deadlines = new long[history.size()];
      for (int i = 0; i < history.size(); i++) {
        Step s = history.get(i);
        deadlines[i] = time.now(TimeUnit.NANOSECONDS) + TimeUnit.MILLISECONDS.toNanos(s.delayMillis());
        timer.schedule(sleeper, i + 1, TimeUnit.MILLISECONDS.toNanos(s.delayMillis()));
        // The virtual clock runs each task at its own instant, so a wake-up shows when it came.
        time.advanceTimeBy(Duration.ofMillis(s.advanceMillis()));
      }
      time.advanceTimeBy(Duration.ofSeconds(10));

      assertThat(sleeper.woken).extracting(Woken::id).doesNotHaveDuplicates().hasSize(history.size());
      long previousDeadline = Long.MIN_VALUE;
      for (Woken w : sleeper.woken) {
        long deadline = deadlines[w.id() - 1];
        assertThat(w.atNanos()).as("wait %d: woken at its deadline, not before or after", w.id()).isEqualTo(deadline);
        assertThat(deadline).as("deadline order").isGreaterThanOrEqualTo(previousDeadline);
        previousDeadline = deadline;
      }
      assertThat(timer.size()).isZero();
    } finally {
      time.dispose();
    }
  }

  @Test
  void aWaitEndedEarlyWakesNothingWhenItsEntryComesDue() {
    VirtualTimeScheduler time = VirtualTimeScheduler.create();
    try {
      StepTimer timer = new StepTimer(time, () -> time.now(TimeUnit.NANOSECONDS));
      List<Integer> woken = new ArrayList<>();
      int[] current = {1};
      StepTimer.Sleeper poller = token -> {
        if (token == current[0]) {
          woken.add(token);
        }
      };
      timer.schedule(poller, 1, TimeUnit.SECONDS.toNanos(60));
      current[0] = 2; // a release ended the wait and started a shorter one
      timer.schedule(poller, 2, TimeUnit.SECONDS.toNanos(1));

      time.advanceTimeBy(Duration.ofSeconds(1));
      assertThat(woken).containsExactly(2);
      assertThat(timer.size()).as("the stale entry stays until due").isOne();
      time.advanceTimeBy(Duration.ofSeconds(59));
      assertThat(woken).containsExactly(2);
      assertThat(timer.size()).isZero();
    } finally {
      time.dispose();
    }
  }
}

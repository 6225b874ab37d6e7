package com.qoder.kafka.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class RateBudgetTest {

  static final long MS = 1_000_000L;
  static final long WINDOW = 1_000 * MS + RateBudget.GUARD_MILLIS * MS;
  final AtomicLong clock = new AtomicLong(1_000_000 * MS);

  /** Takes a place and sends at once (0), or the wait before asking again (positive). */
  static long go(RateBudget budget) {
    long ticket = budget.tryAcquire();
    if (ticket < 0) {
      return -ticket;
    }
    budget.finished(ticket);
    return 0;
  }

  @Test
  void theBudgetGoesAtOnceThenWaitsUntilTheOldestRequestIsOneWindowOld() {
    RateBudget budget = new RateBudget(5, clock::get);
    for (int i = 0; i < 5; i++) {
      assertThat(go(budget)).as("request %d", i).isZero();
    }
    assertThat(go(budget)).isEqualTo(WINDOW);
    assertThat(go(budget)).as("a refused attempt takes no place").isEqualTo(WINDOW);
    clock.addAndGet(WINDOW);
    assertThat(go(budget)).isZero();
  }

  @Test
  void requestsSpreadOverTheWindowFreeTheirPlacesOneByOne() {
    RateBudget budget = new RateBudget(5, clock::get);
    for (int i = 0; i < 5; i++) {
      assertThat(go(budget)).isZero();
      clock.addAndGet(100 * MS);
    }
    // The oldest went 500 ms ago: its place is free one window after it went.
    assertThat(go(budget)).isEqualTo(WINDOW - 500 * MS);
    clock.addAndGet(10_000 * MS); // a long quiet time gives one window's worth, no more
    for (int i = 0; i < 5; i++) {
      assertThat(go(budget)).isZero();
    }
    assertThat(go(budget)).isPositive();
  }

  @Test
  void aRequestCountsFromWhenItEnded() {
    RateBudget budget = new RateBudget(2, clock::get);
    long late = budget.tryAcquire(); // takes its place, then takes 400 ms (a new connection, a slow answer)
    assertThat(go(budget)).isZero();
    assertThat(go(budget)).as("the place of a request not ended yet").isPositive();
    clock.addAndGet(400 * MS);
    budget.finished(late);
    clock.addAndGet(WINDOW - 400 * MS); // one window after it took its place, not after it ended
    assertThat(go(budget)).isEqualTo(400 * MS);
    budget.finished(late); // reported twice: no effect
    clock.addAndGet(400 * MS);
    assertThat(go(budget)).isZero();
  }

  @Test
  void slowRatesAllowOneRequestPerTheirInterval() {
    RateBudget budget = new RateBudget(0.5, clock::get);
    assertThat(go(budget)).isZero();
    assertThat(go(budget)).isEqualTo(2_000 * MS + RateBudget.GUARD_MILLIS * MS);
  }

  @Test
  void aPauseHoldsEveryRequestBackThenResumesWithoutBurst() {
    RateBudget budget = new RateBudget(10, clock::get);
    budget.pauseFor(2_000 * MS);
    budget.pauseFor(500 * MS); // a shorter pause never shortens a longer one
    long spacing = WINDOW / 10;
    assertThat(go(budget)).isEqualTo(2_000 * MS + spacing);
    clock.addAndGet(2_000 * MS + spacing);
    assertThat(go(budget)).isZero();
    assertThat(go(budget)).as("one spacing later, not at once").isEqualTo(spacing);
  }

  /** Whatever the arrival pattern, no window of one second holds more than the budget. */
  @Property(tries = 200, seed = "12")
  void noOneSecondWindowEverHoldsMoreThanTheBudget(@ForAll @IntRange(min = 1, max = 40) int rate,
      @ForAll @Size(min = 1, max = 300) List<@IntRange(min = 0, max = 400) Integer> gapsMillis) {
    AtomicLong now = new AtomicLong(0);
    RateBudget budget = new RateBudget(rate, now::get);
    List<Long> sent = new ArrayList<>();
    for (int gap : gapsMillis) {
      now.addAndGet(gap * MS);
      long ticket;
      while ((ticket = budget.tryAcquire()) < 0) {
        now.addAndGet(-ticket); // the caller waits as told, then asks again
      }
      sent.add(now.get());
      budget.finished(ticket);
    }
    int from = 0;
    for (int to = 0; to < sent.size(); to++) {
      while (sent.get(to) - sent.get(from) >= 1_000 * MS) {
        from++;
      }
      assertThat(to - from + 1).isLessThanOrEqualTo(rate);
    }
  }
}

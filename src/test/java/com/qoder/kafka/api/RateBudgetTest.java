package com.qoder.kafka.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateBudgetTest {

  static final long MS = 1_000_000L;
  final AtomicLong clock = new AtomicLong(1_000_000 * MS);

  @Test
  void aFullBucketAllowsOneSecondOfRequestsThenSpacesThem() {
    RateBudget budget = new RateBudget(5, clock::get);
    for (int i = 0; i < 5; i++) {
      assertThat(budget.reserve()).as("request %d", i).isZero();
    }
    assertThat(budget.reserve()).isEqualTo(200 * MS);
    assertThat(budget.reserve()).isEqualTo(400 * MS);
  }

  @Test
  void tokensRefillWithTime() {
    RateBudget budget = new RateBudget(5, clock::get);
    for (int i = 0; i < 5; i++) {
      budget.reserve();
    }
    clock.addAndGet(400 * MS); // two tokens back
    assertThat(budget.reserve()).isZero();
    assertThat(budget.reserve()).isZero();
    assertThat(budget.reserve()).isEqualTo(200 * MS);
    clock.addAndGet(10_000 * MS); // a long quiet time refills at most one second's worth
    for (int i = 0; i < 5; i++) {
      assertThat(budget.reserve()).isZero();
    }
    assertThat(budget.reserve()).isPositive();
  }

  @Test
  void slowRatesHaveABucketOfOne() {
    RateBudget budget = new RateBudget(0.5, clock::get);
    assertThat(budget.reserve()).isZero();
    assertThat(budget.reserve()).isEqualTo(2_000 * MS);
  }

  @Test
  void aPauseHoldsEveryRequestBackThenResumesWithoutBurst() {
    RateBudget budget = new RateBudget(10, clock::get);
    budget.pauseFor(2_000 * MS);
    assertThat(budget.reserve()).isEqualTo(2_000 * MS);
    assertThat(budget.reserve()).isEqualTo(2_100 * MS);
    budget.pauseFor(500 * MS); // a shorter pause never shortens a longer one
    assertThat(budget.reserve()).isEqualTo(2_200 * MS);
  }
}

package com.qoder.kafka.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SlidingRateTest {

  private static final long S = 1_000_000_000L;
  private final AtomicLong clock = new AtomicLong(1_000 * S + 123);

  @Test
  void averagesTheCompletedSecondsOfTheWindow() {
    SlidingRate rate = new SlidingRate(Duration.ofSeconds(5), clock::get);
    assertThat(rate.perSecond()).isZero();
    rate.record(100); // second 0
    assertThat(rate.perSecond()).as("no completed second yet").isZero();
    clock.addAndGet(S);
    rate.record(50); // second 1, still in progress
    assertThat(rate.perSecond()).as("one completed second: 100").isEqualTo(100.0);
    clock.addAndGet(S);
    assertThat(rate.perSecond()).as("(100 + 50) / 2").isEqualTo(75.0);
    for (int i = 0; i < 10; i++) {
      clock.addAndGet(S);
      rate.record(20);
    }
    // The window holds the last 4 completed seconds, 20 each.
    assertThat(rate.perSecond()).isEqualTo(20.0);
    clock.addAndGet(10 * S); // quiet
    assertThat(rate.perSecond()).as("old slots are not counted again").isZero();
  }

  @Test
  void ignoresNonPositiveCountsAndRejectsBadWindows() {
    SlidingRate rate = new SlidingRate(Duration.ofSeconds(3), clock::get);
    rate.record(0);
    rate.record(-5);
    clock.addAndGet(S);
    assertThat(rate.perSecond()).isZero();
    assertThatThrownBy(() -> new SlidingRate(Duration.ofMillis(1500), clock::get))
        .hasMessageContaining("whole seconds");
    assertThatThrownBy(() -> new SlidingRate(Duration.ZERO, clock::get))
        .hasMessageContaining("between 1 s and 1 h");
  }

  @Test
  void concurrentRecordsAreAllCounted() throws Exception {
    SlidingRate rate = new SlidingRate(Duration.ofSeconds(10), clock::get);
    Thread[] threads = new Thread[4];
    for (int t = 0; t < threads.length; t++) {
      threads[t] = new Thread(() -> {
        for (int i = 0; i < 10_000; i++) {
          rate.record(1);
        }
      });
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join(10_000);
    }
    clock.addAndGet(S);
    assertThat(rate.perSecond()).isEqualTo(40_000.0);
  }
}

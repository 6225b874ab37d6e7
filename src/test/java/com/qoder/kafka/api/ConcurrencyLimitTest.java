package com.qoder.kafka.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

class ConcurrencyLimitTest {

  @Test
  void permitsAreHandedOnInArrivalOrder() {
    ConcurrencyLimit limit = new ConcurrencyLimit(2);
    List<ConcurrencyLimit.Permit> held = new ArrayList<>();
    List<String> order = new ArrayList<>();
    limit.acquire().subscribe(held::add);
    limit.acquire().subscribe(held::add);
    limit.acquire().subscribe(p -> { order.add("third"); held.add(p); });
    limit.acquire().subscribe(p -> { order.add("fourth"); held.add(p); });
    assertThat(held).hasSize(2);
    assertThat(limit.inUse()).isEqualTo(2);
    assertThat(limit.waiting()).isEqualTo(2);

    held.get(0).release();
    held.get(0).release(); // idempotent: a second release must not free another slot
    assertThat(order).containsExactly("third");
    assertThat(limit.inUse()).isEqualTo(2);

    held.get(1).release();
    assertThat(order).containsExactly("third", "fourth");
    held.get(2).release();
    held.get(3).release();
    assertThat(limit.inUse()).isZero();
    assertThat(limit.waiting()).isZero();
  }

  @Test
  void aCancelledWaiterLeavesTheQueueAndGetsNothing() {
    ConcurrencyLimit limit = new ConcurrencyLimit(1);
    AtomicReference<ConcurrencyLimit.Permit> first = new AtomicReference<>();
    limit.acquire().subscribe(first::set);
    AtomicInteger cancelledGot = new AtomicInteger();
    Disposable cancelled = limit.acquire().subscribe(p -> cancelledGot.incrementAndGet());
    AtomicReference<ConcurrencyLimit.Permit> third = new AtomicReference<>();
    limit.acquire().subscribe(third::set);
    assertThat(limit.waiting()).isEqualTo(2);

    cancelled.dispose();
    assertThat(limit.waiting()).isEqualTo(1);
    first.get().release();

    assertThat(cancelledGot).hasValue(0);
    assertThat(third.get()).isNotNull();
    third.get().release();
    assertThat(limit.inUse()).isZero();
  }

  @Test
  void racingAcquiresCancelsAndReleasesNeverLeakOrExceedTheBound() throws Exception {
    int max = 3;
    ConcurrencyLimit limit = new ConcurrencyLimit(max);
    AtomicInteger holding = new AtomicInteger();
    AtomicInteger maxHolding = new AtomicInteger();
    int threads = 4;
    int perThread = 2_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch done = new CountDownLatch(threads);
    for (int t = 0; t < threads; t++) {
      pool.execute(() -> {
        try {
          for (int i = 0; i < perThread; i++) {
            Disposable d = limit.acquire()
                .flatMap(p -> {
                  maxHolding.accumulateAndGet(holding.incrementAndGet(), Math::max);
                  holding.decrementAndGet();
                  p.release();
                  return Mono.just(1);
                })
                .subscribe();
            if (ThreadLocalRandom.current().nextBoolean()) {
              d.dispose();
            }
          }
        } finally {
          done.countDown();
        }
      });
    }
    assertThat(done.await(20, TimeUnit.SECONDS)).isTrue();
    pool.shutdown();
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while ((limit.inUse() != 0 || limit.waiting() != 0) && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(limit.inUse()).isZero();
    assertThat(limit.waiting()).isZero();
    assertThat(maxHolding.get()).isLessThanOrEqualTo(max);
  }
}

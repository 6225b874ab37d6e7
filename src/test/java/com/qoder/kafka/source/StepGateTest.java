package com.qoder.kafka.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class StepGateTest {

  @Test
  void admitsUpToTheLimitThenInArrivalOrderAsStepsLeave() {
    StepGate gate = new StepGate(2);
    List<Integer> started = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      int n = i;
      gate.enter(() -> started.add(n));
    }
    assertThat(started).containsExactly(0, 1);
    assertThat(gate.waiting()).isEqualTo(3);
    gate.leave();
    assertThat(started).containsExactly(0, 1, 2);
    gate.leave();
    gate.leave();
    assertThat(started).containsExactly(0, 1, 2, 3, 4);
    assertThat(gate.inStep()).isEqualTo(2);
    gate.leave();
    gate.leave();
    assertThat(gate.inStep()).isZero();
  }

  @Test
  void stepsThatLeaveAtOnceRunInALoopNotByRecursion() {
    StepGate gate = new StepGate(1);
    AtomicInteger ran = new AtomicInteger();
    gate.enter(() -> { }); // holds the only place, so the next 200,000 queue up
    for (int i = 0; i < 200_000; i++) {
      gate.enter(() -> {
        ran.incrementAndGet();
        gate.leave(); // a step that ends synchronously, e.g. a stopped poller
      });
    }
    assertThat(ran).hasValue(0);
    gate.leave(); // would overflow the stack if each leave admitted the next by recursion
    assertThat(ran).hasValue(200_000);
    assertThat(gate.inStep()).isZero();
  }

  @Test
  void neverMoreThanTheLimitInAStepUnderConcurrency() throws Exception {
    StepGate gate = new StepGate(3);
    AtomicInteger inStep = new AtomicInteger();
    AtomicInteger maxSeen = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    ConcurrentLinkedQueue<Runnable> toFinish = new ConcurrentLinkedQueue<>();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    int perThread = 5_000;
    for (int t = 0; t < 4; t++) {
      pool.execute(() -> {
        for (int i = 0; i < perThread; i++) {
          gate.enter(() -> {
            maxSeen.accumulateAndGet(inStep.incrementAndGet(), Math::max);
            toFinish.add(() -> {
              inStep.decrementAndGet();
              done.incrementAndGet();
              gate.leave();
            });
          });
          Runnable finish = toFinish.poll(); // steps end on other threads than the one that admitted them
          if (finish != null) {
            finish.run();
          }
        }
      });
    }
    pool.shutdown();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    Runnable finish;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (done.get() < 4 * perThread && System.nanoTime() < deadline) {
      if ((finish = toFinish.poll()) != null) {
        finish.run();
      }
    }
    assertThat(done).hasValue(4 * perThread);
    assertThat(maxSeen.get()).isBetween(1, 3);
    assertThat(gate.inStep()).isZero();
    assertThat(gate.waiting()).isZero();
  }
}

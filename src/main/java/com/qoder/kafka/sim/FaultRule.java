package com.qoder.kafka.sim;

import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One request fault's trigger with its remaining count, replaced as a whole when reconfigured (so
 * a count never mixes two settings), and the decision whether it fires for a request.
 */
final class FaultRule {

  /**
   * The one random source every fault decision draws from, seeded from the simulator seed so a
   * single-threaded client sees the same faults for the same seed. Synchronized: server threads
   * draw concurrently and {@link SplittableRandom} is not thread-safe.
   */
  static final class Dice {
    private final SplittableRandom random;

    Dice(long seed) {
      this.random = new SplittableRandom(seed);
    }

    synchronized double nextDouble() {
      return random.nextDouble();
    }

    synchronized long nextLong(long bound) {
      return random.nextLong(bound);
    }
  }

  final Faults.Trigger trigger;
  final AtomicInteger remaining;

  FaultRule(Faults.Trigger trigger) {
    this.trigger = trigger;
    this.remaining = new AtomicInteger(trigger.count());
  }

  /**
   * Whether the fault fires for a request of {@code e} about {@code sessionId}: never outside the
   * scope or the trigger's sessions; else for sure while the count lasts, then with the trigger's
   * probability (a draw only when the probability is above 0).
   */
  boolean fires(Set<Endpoint> scope, Endpoint e, String sessionId, Dice dice) {
    if (trigger.isOff() || !scope.contains(e) || !trigger.matches(sessionId)) {
      return false;
    }
    if (remaining.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
      return true;
    }
    double p = trigger.probability();
    return p > 0 && dice.nextDouble() < p;
  }
}

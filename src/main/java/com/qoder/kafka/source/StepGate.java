package com.qoder.kafka.source;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds how many pollers are requesting a page at once. The others wait in a FIFO queue, one node
 * each, with no request chain subscribed. With 100,000 sessions and a request budget of 50/s
 * nearly all of them wait here, so what a waiting session costs is what this queue costs. A place
 * is held from admission until the request is answered (the API client bounds that with timeouts
 * and retries), never while a page waits for Kafka: a slow or stuck delivery cannot take places
 * from other sessions.
 *
 * <p>Thread-safe and non-blocking. {@link #enter} runs the step on the calling thread when there
 * is room, otherwise on the thread of the {@link #leave} that makes room; steps that enter and
 * leave synchronously are run in a loop, not by recursion.
 */
final class StepGate {

  private static final Logger log = LoggerFactory.getLogger(StepGate.class);

  /** No bound (tests that drive one poller). */
  static final StepGate UNBOUNDED = new StepGate(Integer.MAX_VALUE);

  private final int limit;
  private final AtomicInteger inStep = new AtomicInteger();
  private final ConcurrentLinkedQueue<Runnable> waiting = new ConcurrentLinkedQueue<>();
  private final AtomicInteger wip = new AtomicInteger();

  StepGate(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be >= 1, was " + limit);
    }
    this.limit = limit;
  }

  /** Runs {@code step} when there is room; the step must call {@link #leave()} exactly once when done. */
  void enter(Runnable step) {
    waiting.offer(step);
    drain();
  }

  void leave() {
    inStep.decrementAndGet();
    drain();
  }

  int inStep() {
    return inStep.get();
  }

  int waiting() {
    return waiting.size();
  }

  /** Admits waiting steps while there is room; one thread at a time, the others leave it a note (wip). */
  private void drain() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      while (!waiting.isEmpty()) {
        int n = inStep.get();
        if (n >= limit) {
          break;
        }
        if (inStep.compareAndSet(n, n + 1)) {
          Runnable step = waiting.poll(); // only the draining thread polls: not empty
          try {
            step.run();
          } catch (RuntimeException e) {
            // Steps handle their own errors (SessionPoller.admitted); a throw here is a bug. It must
            // not stop the drain, or every other session would wait forever.
            log.error("a poller step threw; its session may stop being polled", e);
          }
        }
      }
      missed = wip.addAndGet(-missed);
    } while (missed != 0);
  }
}

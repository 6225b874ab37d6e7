package com.qoder.kafka.sim;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Makes the simulated account move: every tick it appends events to random active sessions,
 * creates, releases and terminates sessions at the rates of the current {@link LiveMode}.
 * Fractional work carries over between ticks so low rates (0.2/s) are honoured on average.
 *
 * <p>One daemon thread; the mode is a volatile reference so it can change while running.
 */
final class LiveGenerator {

  /** 20 ms ticks: fine-grained enough for tests that wait for a handful of live events. */
  static final long TICK_MS = 20;
  /** Work done in one tick at most, so a huge rate cannot starve the server of CPU for long. */
  private static final int MAX_PER_TICK = 50_000;

  private final QoderSimulator sim;
  private final SimData data;
  private volatile LiveMode mode;
  private ScheduledExecutorService executor;
  private long lastTick;
  private double eventDebt;
  private double sessionDebt;
  private double releaseDebt;
  private double terminationDebt;

  LiveGenerator(QoderSimulator sim, SimData data, LiveMode mode) {
    this.sim = sim;
    this.data = data;
    this.mode = mode;
  }

  LiveMode mode() {
    return mode;
  }

  void mode(LiveMode mode) {
    this.mode = mode;
  }

  synchronized void start() {
    if (executor != null) {
      return;
    }
    executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "qoder-sim-live");
      t.setDaemon(true);
      return t;
    });
    lastTick = System.nanoTime();
    executor.scheduleAtFixedRate(this::tickSafely, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
  }

  synchronized void stop() {
    if (executor != null) {
      executor.shutdownNow();
      try {
        executor.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      executor = null;
    }
  }

  private void tickSafely() {
    try {
      tick();
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(LiveGenerator.class).warn("live generator tick failed", e);
    }
  }

  private void tick() {
    long now = System.nanoTime();
    double seconds = (now - lastTick) / 1e9;
    lastTick = now;
    LiveMode m = mode;
    if (!m.enabled()) {
      eventDebt = sessionDebt = releaseDebt = terminationDebt = 0;
      return;
    }
    sessionDebt += m.newSessionsPerSecond() * seconds;
    for (int n = take(sessionDebt); n > 0; n--, sessionDebt--) {
      String org = data.organizations.size() > 1 && data.nextDouble() >= 0.8
          ? data.organizations.get(1 + data.nextInt(data.organizations.size() - 1)) : null;
      data.createSession(org, sim.nowNanos());
    }
    eventDebt += m.eventsPerSecond() * seconds;
    for (int n = take(eventDebt); n > 0; n--, eventDebt--) {
      SimSession s = pickActive();
      if (s == null) {
        eventDebt = 0;
        break;
      }
      s.appendNext(sim.nowNanos(), sim.faults().generation());
    }
    releaseDebt += m.releasesPerSecond() * seconds;
    for (int n = take(releaseDebt); n > 0; n--, releaseDebt--) {
      SimSession s = pickActive();
      if (s != null) {
        s.release(sim.nowNanos());
        data.deactivate(s);
      }
    }
    terminationDebt += m.terminationsPerSecond() * seconds;
    for (int n = take(terminationDebt); n > 0; n--, terminationDebt--) {
      SimSession s = pickActive();
      if (s != null) {
        s.terminate(sim.nowNanos());
        data.deactivate(s);
      }
    }
  }

  private static int take(double debt) {
    return (int) Math.min(MAX_PER_TICK, Math.floor(debt));
  }

  /** A random session that still accepts events; drops ones that stopped (control API). */
  private SimSession pickActive() {
    List<SimSession> active = data.activeSessions();
    for (int attempt = 0; attempt < 8; attempt++) {
      int size = active.size();
      if (size == 0) {
        return null;
      }
      SimSession s;
      try {
        s = active.get(data.nextInt(size));
      } catch (IndexOutOfBoundsException raced) {
        continue;
      }
      if (s.acceptsLiveEvents()) {
        return s;
      }
      data.deactivate(s);
    }
    return null;
  }
}

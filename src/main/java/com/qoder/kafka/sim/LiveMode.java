package com.qoder.kafka.sim;

/**
 * What the simulator does on its own while it runs. Rates are per second over the whole
 * simulator; events are spread at random over the sessions that are still active (not
 * terminated, not released, not deleted).
 *
 * @param enabled whether the live generator runs at all
 * @param eventsPerSecond new events per second, all sessions together
 * @param newSessionsPerSecond new sessions per second
 * @param releasesPerSecond sessions released per second (they get {@code releasedAt} and no more events)
 * @param terminationsPerSecond sessions ended per second (a {@code terminated} event is appended)
 */
public record LiveMode(boolean enabled, double eventsPerSecond, double newSessionsPerSecond,
    double releasesPerSecond, double terminationsPerSecond) {

  /** Highest accepted rate of each kind: keeps a typo from filling the heap. */
  public static final double MAX_RATE = 1_000_000;

  public LiveMode {
    check("eventsPerSecond", eventsPerSecond);
    check("newSessionsPerSecond", newSessionsPerSecond);
    check("releasesPerSecond", releasesPerSecond);
    check("terminationsPerSecond", terminationsPerSecond);
  }

  public static LiveMode off() {
    return new LiveMode(false, 0, 0, 0, 0);
  }

  /** Live events only: no new, released or terminated sessions. */
  public static LiveMode events(double eventsPerSecond) {
    return new LiveMode(true, eventsPerSecond, 0, 0, 0);
  }

  public LiveMode withNewSessionsPerSecond(double rate) {
    return new LiveMode(enabled, eventsPerSecond, rate, releasesPerSecond, terminationsPerSecond);
  }

  public LiveMode withReleasesPerSecond(double rate) {
    return new LiveMode(enabled, eventsPerSecond, newSessionsPerSecond, rate, terminationsPerSecond);
  }

  public LiveMode withTerminationsPerSecond(double rate) {
    return new LiveMode(enabled, eventsPerSecond, newSessionsPerSecond, releasesPerSecond, rate);
  }

  private static void check(String name, double rate) {
    if (!(rate >= 0 && rate <= MAX_RATE)) {
      throw new IllegalArgumentException(name + " must be between 0 and " + (long) MAX_RATE + " per second; got " + rate);
    }
  }
}

package com.qoder.kafka.sim;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * What a {@link QoderSimulator.Builder} collects, with the defaults its Javadoc lists, and the
 * check of every setting at once, so that a user (a test, {@code simulate} flags) sees every
 * invalid setting in one message instead of fixing them one run at a time. Mutable and confined
 * to the builder's thread; the simulator copies what it needs when it is built.
 */
final class SimulatorSetup {

  long seed = 1;
  int sessions = 10;
  int eventsPerSession = 100;
  int files = 50;
  int agents = 25;
  int maxResourcesPerSession = 2;
  List<String> organizations = List.of("org_default", "org_research");
  double terminatedFraction = 0.1;
  double releasedFraction = 0.2;
  Instant historyEnd = Instant.parse("2026-05-18T03:00:00Z");
  String token = QoderSimulator.DEFAULT_TOKEN;
  String host = "127.0.0.1";
  int port = 0;
  LiveMode liveMode = LiveMode.off();
  Consumer<Faults> faults = f -> { };
  int requestLogCapacity = 100_000;
  Clock clock = Clock.systemUTC();
  int tiePageSize;
  int tieSize = 2;

  /**
   * Checks every setting and applies the fault set-up to a new {@link Faults} (whose own
   * validation errors join the list); returns those faults.
   *
   * @throws IllegalArgumentException listing each invalid setting
   */
  Faults validatedFaults() {
    List<String> problems = problems();
    Faults f = new Faults(seed);
    if (faults != null) {
      try {
        faults.accept(f);
      } catch (IllegalArgumentException e) {
        problems.add(e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("invalid simulator settings: " + String.join("; ", problems));
    }
    return f;
  }

  /** The part of the settings that shapes the generated data. */
  SimSettings dataSettings() {
    return new SimSettings(seed, sessions, eventsPerSession, files, agents,
        maxResourcesPerSession, organizations, terminatedFraction, releasedFraction, historyEnd, tiePageSize, tieSize);
  }

  /** The problems in the order of the settings; empty when all are valid. */
  private List<String> problems() {
    List<String> problems = new ArrayList<>();
    range(problems, "sessions", sessions, 0, 1_000_000);
    range(problems, "eventsPerSession", eventsPerSession, 0, 10_000_000);
    range(problems, "files", files, 0, 10_000_000);
    range(problems, "agents", agents, 0, 1_000_000);
    range(problems, "maxResourcesPerSession", maxResourcesPerSession, 0, 1_000);
    range(problems, "port", port, 0, 65_535);
    range(problems, "requestLogCapacity", requestLogCapacity, 0, 10_000_000);
    range(problems, "sessionTiesAtPageBoundaries pageSize", tiePageSize, 0, 1_000_000);
    range(problems, "sessionTiesAtPageBoundaries tieSize", tieSize, 2, 1_000_000);
    if ((long) sessions * eventsPerSession > 50_000_000L) {
      problems.add("sessions × eventsPerSession must be at most 50,000,000; got "
          + (long) sessions * eventsPerSession);
    }
    if (organizations == null || organizations.isEmpty()
        || organizations.stream().anyMatch(o -> o == null || o.isBlank())) {
      problems.add("organizations must be at least one non-blank id");
    } else if (organizations.stream().distinct().count() != organizations.size()) {
      problems.add("organizations must be distinct; got " + organizations);
    }
    fraction(problems, "terminatedFraction", terminatedFraction);
    fraction(problems, "releasedFraction", releasedFraction);
    if (token == null || token.isBlank() || token.chars().anyMatch(c -> c <= ' ')) {
      problems.add("token must be non-empty without spaces or control characters");
    }
    if (host == null || host.isBlank()) {
      problems.add("host must be set, e.g. 127.0.0.1");
    }
    if (historyEnd == null || clock == null || liveMode == null || faults == null) {
      problems.add("historyEnd, clock, liveMode and faults must not be null");
    }
    return problems;
  }

  private static void range(List<String> problems, String name, int v, int min, int max) {
    if (v < min || v > max) {
      problems.add(name + " must be " + min + ".." + max + "; got " + v);
    }
  }

  private static void fraction(List<String> problems, String name, double v) {
    if (!(v >= 0 && v <= 1)) {
      problems.add(name + " must be between 0 and 1; got " + v);
    }
  }
}

package com.qoder.kafka.sim;

import java.time.Instant;
import java.util.List;

/** What the simulator generates at start; validated by {@link QoderSimulator.Builder#build()}. */
record SimSettings(long seed, int sessions, int eventsPerSession, int files, int agents,
    int maxResourcesPerSession, List<String> organizations, double terminatedFraction,
    double releasedFraction, Instant historyEnd) {}

package com.qoder.kafka.sim;

import java.time.Instant;
import java.util.List;

/**
 * What the simulator generates at start; validated by {@link SimulatorSetup} when {@link QoderSimulator.Builder#build()} runs.
 *
 * @param tiePageSize 0 for none, else the page size across whose boundaries history sessions share a createdAt
 * @param tieSize how many sessions share one createdAt at each such boundary (at least 2)
 */
record SimSettings(long seed, int sessions, int eventsPerSession, int files, int agents,
    int maxResourcesPerSession, List<String> organizations, double terminatedFraction,
    double releasedFraction, Instant historyEnd, int tiePageSize, int tieSize) {}

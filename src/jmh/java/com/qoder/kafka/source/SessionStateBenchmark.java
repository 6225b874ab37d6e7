package com.qoder.kafka.source;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** A session's state after a page: 100 acknowledged events, then the snapshot the offset record is made of. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SessionStateBenchmark {

  private SessionState state;
  private String[] ids;
  private int round;

  @Setup
  public void fill() {
    state = new SessionState("sess_01a1e318a59e7678a31a26827a17531e", 512, 0);
    ids = new String[1024];
    for (int k = 0; k < ids.length; k++) {
      ids[k] = "evt_" + java.util.UUID.nameUUIDFromBytes(("e" + k).getBytes()).toString().replace("-", "");
      state.acknowledged(ids[k], 1_779_075_648_888_851_795L + k);
    }
  }

  /** Acknowledging a page of 100 new events (window full: each evicts the oldest), per event. */
  @Benchmark
  @OperationsPerInvocation(100)
  public int acknowledgePage() {
    int base = (round++ % 10) * 100;
    for (int k = 0; k < 100; k++) {
      state.acknowledged(ids[base + k], 1L);
    }
    return state.window().size();
  }

  @Benchmark
  public SessionState.Snapshot snapshot() {
    return state.snapshot();
  }
}

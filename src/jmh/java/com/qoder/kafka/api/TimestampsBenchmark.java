package com.qoder.kafka.api;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** RFC 3339 parsing and formatting: every event's created_at is parsed several times on the hot path. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class TimestampsBenchmark {

  private final String nanos = "2026-05-18T03:40:48.888851795Z";
  private final String millisWithOffset = "2026-05-18T05:40:50.321+02:00";
  private final long epochNanos = 1_779_075_648_888_851_795L;

  @Benchmark
  public long parseNanosUtc() {
    return Timestamps.parseEpochNanos(nanos);
  }

  @Benchmark
  public long parseMillisOffset() {
    return Timestamps.parseEpochNanos(millisWithOffset);
  }

  @Benchmark
  public String format() {
    return Timestamps.format(epochNanos);
  }
}

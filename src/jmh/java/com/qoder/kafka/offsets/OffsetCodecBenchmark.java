package com.qoder.kafka.offsets;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** A session's offset record to and from its JSON value, with a full 512-id de-dup window attribute. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class OffsetCodecBenchmark {

  private OffsetRecord record;
  private byte[] encoded;

  @Setup
  public void build() {
    byte[] window = new byte[512 * 8];
    new java.util.Random(1).nextBytes(window);
    String sid = "sess_01a1e318a59e7678a31a26827a17531e";
    record = new OffsetRecord(OffsetKey.events(sid), "evt_01a1e318a59e7678a31a26827a175999",
        List.of("evt_01a1e318a59e7678a31a26827a175996", "evt_01a1e318a59e7678a31a26827a175997",
            "evt_01a1e318a59e7678a31a26827a175998", "evt_01a1e318a59e7678a31a26827a175999"),
        "ACTIVE", new OffsetRecord.Counters(123_456, 2, 17), Instant.parse("2026-05-18T03:40:48.888Z"),
        Map.of("window", java.util.Base64.getEncoder().encodeToString(window),
            "newest_created_at_ns", "1779075648888851795", "first_seen_at_ms", "1779075000000"));
    encoded = OffsetCodec.encode(record);
  }

  @Benchmark
  public byte[] encode() {
    return OffsetCodec.encode(record);
  }

  @Benchmark
  public OffsetRecord decode() {
    return OffsetCodec.decode(record.key(), encoded);
  }
}

package com.qoder.kafka.source;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** The per-session de-dup window: every fetched event is looked up, every delivered one added. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class DedupWindowBenchmark {

  /** 512 is sessions.dedup-window's default. */
  @Param({"512"})
  int capacity;

  private DedupWindow window;
  private String[] present;
  private String[] absent;
  private int i;

  @Setup
  public void fill() {
    window = new DedupWindow(capacity);
    present = new String[capacity];
    absent = new String[capacity];
    for (int k = 0; k < capacity; k++) {
      present[k] = "evt_" + java.util.UUID.nameUUIDFromBytes(("p" + k).getBytes()).toString().replace("-", "");
      absent[k] = "evt_" + java.util.UUID.nameUUIDFromBytes(("a" + k).getBytes()).toString().replace("-", "");
      window.add(present[k]);
    }
  }

  @Benchmark
  public boolean containsHit() {
    return window.contains(present[(i++ & 0x7fffffff) % capacity]);
  }

  /** A new event: the common case, and the worst for a scan. */
  @Benchmark
  public boolean containsMiss() {
    return window.contains(absent[(i++ & 0x7fffffff) % capacity]);
  }

  /** Adding to a full window (evicts the oldest); ids alternate so each add is a new id. */
  @Benchmark
  public int add() {
    int k = (i++ & 0x7fffffff) % capacity;
    window.add(((i & 1) == 0 ? absent : present)[k]);
    return window.size();
  }

  @Benchmark
  public long fingerprint() {
    return DedupWindow.fingerprint(absent[(i++ & 0x7fffffff) % capacity]);
  }

  /** The window's form in the offsets topic, written with every offset record. */
  @Benchmark
  public String encode() {
    return window.encode();
  }
}

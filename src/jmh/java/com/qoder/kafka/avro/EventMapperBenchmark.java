package com.qoder.kafka.avro;

import com.qoder.kafka.api.SessionEvent;
import com.qoder.kafka.jmh.PageFixture;
import java.util.ArrayList;
import java.util.List;
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
import org.openjdk.jmh.infra.Blackhole;

/** Event JSON to Avro record, and the record to wire-format bytes (per event of a 100-event page). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class EventMapperBenchmark {

  private final EventMapper mapper = new EventMapper();
  private final List<SessionEvent> events = PageFixture.EVENTS;
  private final byte[] wireHeader = {0, 0, 0, 0, 1};
  private List<com.qoder.kafka.avro.v1.SessionEvent> records;

  @Setup
  public void mapOnce() {
    records = new ArrayList<>();
    for (SessionEvent e : events) {
      if (mapper.map(e) instanceof MappingResult.Mapped<com.qoder.kafka.avro.v1.SessionEvent> m) {
        records.add(m.record());
      }
    }
    if (records.size() != events.size()) {
      throw new IllegalStateException("the fixture holds events the mapper rejects");
    }
  }

  @Benchmark
  @OperationsPerInvocation(PageFixture.PAGE_SIZE)
  public void map(Blackhole bh) {
    for (SessionEvent e : events) {
      bh.consume(mapper.map(e));
    }
  }

  @Benchmark
  @OperationsPerInvocation(PageFixture.PAGE_SIZE)
  public void encodeWithPrefix(Blackhole bh) {
    for (com.qoder.kafka.avro.v1.SessionEvent r : records) {
      bh.consume(AvroCodec.encodeWithPrefix(r, wireHeader));
    }
  }
}

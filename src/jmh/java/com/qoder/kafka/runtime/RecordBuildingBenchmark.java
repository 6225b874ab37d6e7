package com.qoder.kafka.runtime;

import com.qoder.kafka.avro.EventMapper;
import com.qoder.kafka.jmh.PageFixture;
import com.qoder.kafka.offsets.OffsetRecord;
import com.qoder.kafka.offsets.SessionOffsetRecords;
import com.qoder.kafka.registry.RegisteredSchema;
import com.qoder.kafka.source.SessionState;
import com.qoder.kafka.source.SessionStatus;
import java.util.List;
import java.util.Map;
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

/**
 * The connector's own per-page work between parsing and the producer: the Kafka records of a
 * page (map, encode, route, CloudEvents headers), per event; and a session's offset record made
 * from its state snapshot (full de-dup window), as written after a page.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RecordBuildingBenchmark {

  private EventPublisher publisher;
  private SessionState.Snapshot snapshot;

  @Setup
  public void setUp() {
    String topic = "qoder.session-events";
    RegisteredSchema schema = new RegisteredSchema("qoder.session-events-value", 1,
        com.qoder.kafka.avro.Schemas.sessionEvent());
    // The sink and metrics are not touched while building records.
    publisher = new EventPublisher(new EventMapper(), Map.of(topic, schema),
        new EventRouter(topic, Map.of("session.error", List.of("qoder.session-errors"))), null,
        t -> 8 * 1024 * 1024, new DeadLetters("qoder.dead-letter", 8 * 1024 * 1024), null);
    byte[] window = new byte[512 * 8];
    new java.util.Random(1).nextBytes(window);
    snapshot = new SessionState.Snapshot(PageFixture.SESSION_ID, "evt_01a1e318a59e7678a31a26827a175999",
        List.of("evt_01a1e318a59e7678a31a26827a175996", "evt_01a1e318a59e7678a31a26827a175997",
            "evt_01a1e318a59e7678a31a26827a175998", "evt_01a1e318a59e7678a31a26827a175999"),
        java.util.Base64.getEncoder().encodeToString(window), SessionStatus.ACTIVE, 123_456, 2, 17,
        1_779_075_648_888_851_795L, 1_779_075_000_000L, 1_779_075_648_888L);
  }

  @Benchmark
  @OperationsPerInvocation(PageFixture.PAGE_SIZE)
  public List<EventPublisher.Planned> recordsOfPage() {
    return publisher.plan(PageFixture.SESSION_ID, PageFixture.EVENTS);
  }

  @Benchmark
  public OffsetRecord offsetRecordOfSnapshot() {
    return SessionOffsetRecords.toRecord(snapshot);
  }
}

package com.qoder.kafka.api;

import com.qoder.kafka.jmh.PageFixture;
import java.io.ByteArrayInputStream;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Parsing a response body of the events endpoint into a page (per event of a 100-event page). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PageParserBenchmark {

  private final PageParser parser = new PageParser(QoderApiClient.objectMapper());
  private final byte[] body = PageFixture.PAGE_BODY;

  @Benchmark
  @OperationsPerInvocation(PageFixture.PAGE_SIZE)
  public Page<SessionEvent> parseEventsPage() {
    return parser.listPage("GET /api/v1/cloud/sessions/{session_id}/events", new ByteArrayInputStream(body),
        SessionEvent::of, false);
  }
}

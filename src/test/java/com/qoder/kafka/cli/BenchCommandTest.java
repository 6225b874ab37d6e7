package com.qoder.kafka.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.IntegrationTest;
import com.qoder.kafka.ChildJvm;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qoder-kafka bench} end to end with small sizes, in a child JVM through the real entry point
 * (the command quiets the process's loggers, which must not leak into other tests). It proves the
 * command runs every phase against a real broker and simulator and reports what docs/BENCHMARKS.md
 * is made of; the numbers themselves are not asserted (timings belong to benchmarks, not tests).
 */
@IntegrationTest
class BenchCommandTest {

  @Test
  void runsEveryPhaseAndWritesTheReport(@TempDir Path dir) throws Exception {
    Path report = dir.resolve("bench.json");
    Path log = dir.resolve("bench.log");
    List<String> cmd = ChildJvm.command(List.of("-Xmx1g"), "com.qoder.kafka.cli.ToolsMain", "bench",
        "--raw-records", "20000", "--backfill-sessions", "10", "--backfill-events", "300",
        "--backfill-warmup-events", "0", "--live-sessions", "20", "--live-rate", "40", "--live-warmup", "2s",
        "--live-duration", "4s", "--scale-sessions", "500", "--scale-duration", "3s", "--out", report.toString());
    Process process = ChildJvm.start(new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.to(log.toFile())));
    boolean finished = process.waitFor(4, TimeUnit.MINUTES);
    if (!finished) {
      process.destroyForcibly();
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(finished).as("bench finished within 4 minutes; output:\n%s", output).isTrue();
    assertThat(process.exitValue()).as("exit code; output:\n%s", output).isZero();
    assertThat(output).contains("ratio backfill events/s / raw records/s", "end-to-end latency p99 ms",
        "heap bytes per tracked idle session");

    JsonNode json = new ObjectMapper().readTree(report.toFile());
    JsonNode phases = json.path("phases");
    assertThat(phases.path("raw").path("recordsPerSecond").asDouble()).isPositive();
    JsonNode backfill = phases.path("backfill");
    assertThat(backfill.path("events").asLong()).isEqualTo(3_000);
    assertThat(backfill.path("recordsInEventsTopic").asLong()).as("every backfilled event in the topic once")
        .isEqualTo(3_000);
    assertThat(backfill.path("noLossNoDuplicates").asBoolean()).isTrue();
    assertThat(backfill.path("ratioToRawProducer").asDouble()).isPositive();
    JsonNode live = phases.path("live");
    assertThat(live.path("eventsMeasured").asLong()).as("live events measured").isPositive();
    assertThat(live.path("latencyP99Ms").asDouble()).isPositive();
    assertThat(live.path("drainedAfterWindow").asBoolean()).isTrue();
    assertThat(phases.path("scale").path("heapPerSessionBytes").asDouble()).isPositive();
    assertThat(json.path("summary").size()).isGreaterThanOrEqualTo(10);
  }
}

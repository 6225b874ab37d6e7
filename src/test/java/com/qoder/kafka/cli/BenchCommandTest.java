package com.qoder.kafka.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.qoder.kafka.ChildJvm;
import com.qoder.kafka.IntegrationTest;
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
        "--raw-records", "5000", "--backfill-sessions", "10", "--backfill-events", "300",
        "--backfill-warmup-events", "0", "--live-sessions", "20", "--live-rate", "40", "--live-warmup", "1s",
        "--live-duration", "2s", "--scale-sessions", "500", "--scale-duration", "3s", "--scale-baseline", "1s",
        "--out", report.toString());
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
    // Measured in the connector's own JVM: its CPU and allocation per event, and the CPU ratio to
    // the producer's own JVM.
    assertThat(backfill.path("cpuMicrosPerEvent").asDouble()).isPositive();
    assertThat(backfill.path("allocatedBytesPerEvent").asDouble()).isPositive();
    assertThat(backfill.path("cpuRatioToRawProducer").asDouble()).isPositive();
    assertThat(phases.path("raw").path("cpuMicrosPerRecord").asDouble()).isPositive();
    JsonNode live = phases.path("live");
    assertThat(live.path("eventsMeasured").asLong()).as("live events measured").isPositive();
    assertThat(live.path("latencyP99Ms").asDouble()).isPositive();
    assertThat(live.path("drainedAfterWindow").asBoolean()).isTrue();
    assertThat(phases.path("scale").path("heapPerSessionBytes").asDouble()).isPositive();
    assertThat(json.path("summary").size()).isGreaterThanOrEqualTo(10);
  }

  /**
   * The memory phases with tiny sizes (the figures of docs/BENCHMARKS.md come from the default
   * sizes): each runs its connector in its own JVM and reports the heap per session, and the outage
   * phase delivers every event after the broker comes back.
   */
  @Test
  void memoryPhasesReportHeapPerSessionAndOutageGrowth(@TempDir Path dir) throws Exception {
    Path report = dir.resolve("bench.json");
    Path log = dir.resolve("bench.log");
    List<String> cmd = ChildJvm.command(List.of("-Xmx512m"), "com.qoder.kafka.cli.ToolsMain", "bench",
        "--phases", "memory-idle,memory-run,memory-outage", "--memory-idle-sessions", "40", "--memory-events", "150",
        "--memory-run-sessions", "10", "--memory-outage", "2s",
        // memory-run waits 9 x the minimum poll interval for its sessions to turn quiet, then for one
        // more poll of each: with the default 1 s (up to 30 s) that is most of the phase.
        "--set", "sessions.poll-interval-min=200ms", "--set", "sessions.poll-interval-max=2s",
        "--out", report.toString());
    Process process = ChildJvm.start(new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.to(log.toFile())));
    boolean finished = process.waitFor(4, TimeUnit.MINUTES);
    if (!finished) {
      process.destroyForcibly();
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(finished).as("bench finished within 4 minutes; output:\n%s", output).isTrue();
    assertThat(process.exitValue()).as("exit code; output:\n%s", output).isZero();
    JsonNode phases = new ObjectMapper().readTree(report.toFile()).path("phases");
    assertThat(phases.path("memoryIdle").path("everySessionPolled").asBoolean()).isTrue();
    assertThat(phases.path("memoryIdle").path("offsetRecordBytes").asLong()).isPositive();
    assertThat(phases.path("memoryIdle").has("heapPerSessionBytes")).isTrue();
    assertThat(phases.path("memoryRun").path("delivered").asLong()).isEqualTo(1_500);
    assertThat(phases.path("memoryRun").has("heapPerSessionBytes")).isTrue();
    assertThat(phases.path("memoryOutage").path("completedAfterRecovery").asBoolean())
        .as("every event delivered after the outage").isTrue();
    assertThat(phases.path("memoryOutage").has("heapGrowthBytes")).isTrue();
    assertThat(output).contains("heap bytes per idle restored session", "heap growth after GC over a");
  }
}

package com.qoder.kafka.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.IntegrationTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The README's first command, short: its last lines are an exact tally, not two counters side by side. */
@IntegrationTest
class DemoCommandTest {

  @Test
  void endsWithAnExactTallyOfCreatedAgainstReadBack() {
    Demo d = demo("--duration", "6s", "--ops-port", "0", "--sessions", "4", "--events-per-session", "15",
        "--event-rate", "30", "--show-records", "1");
    String out = d.out;
    assertThat(d.result.exit()).as("%s%n%s", d.result, out).isZero();
    assertThat(out).contains("  Schema Registry   mock://demo (in-process: its schema ids exist only inside this demo;"
        + " --registry URL uses a real one)\n");
    assertThat(out).containsPattern("the simulator created (\\d+) events in \\d+ sessions; a consumer read \\1 records"
        + " from qoder\\.session-events: \\1 distinct events, 0 duplicate records\\.")
        .contains("OK: every created event is in Kafka exactly once.")
        .doesNotContain("MISSING");
  }

  /**
   * With a running registry the connector registers there, and the record printer and the final
   * tally decode through it (they read through mock://demo before, and reported every event missing).
   */
  @Test
  void withARegistryThePrinterAndTheTallyReadThroughIt() {
    String url = com.qoder.kafka.registry.ApicurioRegistry.get().url();
    Demo d = demo("--registry", url, "--duration", "4s", "--ops-port", "0", "--sessions", "3",
        "--events-per-session", "10", "--event-rate", "20", "--show-records", "1",
        "--set", "kafka.topics.events=demo-" + java.util.UUID.randomUUID());
    assertThat(d.result.exit()).as("%s%n%s", d.result, d.out).isZero();
    assertThat(d.out).contains("  Schema Registry   " + url + "\n").doesNotContain("mock://demo")
        .containsPattern("  record \\S+ key=sess_\\w+ schema-id=\\d+\n")
        .contains("OK: every created event is in Kafka exactly once.").doesNotContain("MISSING");
  }

  private record Demo(Cli.Result result, String out) {}

  private static Demo demo(String... args) {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    Cli.Result r;
    // DemoCommand prints to System.out (its progress is for a terminal): capture it, still echoed.
    System.setOut(new PrintStream(new TeeStream(original, captured), true, StandardCharsets.UTF_8));
    try {
      String[] all = new String[args.length + 1];
      all[0] = "demo";
      System.arraycopy(args, 0, all, 1, args.length);
      r = Cli.run(Map.of(), all);
    } finally {
      System.setOut(original);
    }
    return new Demo(r, captured.toString(StandardCharsets.UTF_8));
  }

  /** Writes to two streams. */
  private static final class TeeStream extends java.io.OutputStream {
    private final java.io.OutputStream a;
    private final java.io.OutputStream b;

    TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public synchronized void write(int c) throws java.io.IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public synchronized void write(byte[] buf, int off, int len) throws java.io.IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }
  }
}

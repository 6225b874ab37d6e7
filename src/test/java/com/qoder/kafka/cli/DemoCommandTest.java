package com.qoder.kafka.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The README's first command, short: its last lines are an exact tally, not two counters side by side. */
class DemoCommandTest {

  @Test
  void endsWithAnExactTallyOfCreatedAgainstReadBack() {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    Cli.Result r;
    // DemoCommand prints to System.out (its progress is for a terminal): capture it, still echoed.
    System.setOut(new PrintStream(new TeeStream(original, captured), true, StandardCharsets.UTF_8));
    try {
      r = Cli.run(Map.of(), "demo", "--duration", "6s", "--ops-port", "0", "--sessions", "4",
          "--events-per-session", "15", "--event-rate", "30", "--show-records", "1");
    } finally {
      System.setOut(original);
    }
    String out = captured.toString(StandardCharsets.UTF_8);
    assertThat(r.exit()).as("%s%n%s", r, out).isZero();
    assertThat(out).containsPattern("the simulator created (\\d+) events in \\d+ sessions; a consumer read \\1 records"
        + " from qoder\\.session-events: \\1 distinct events, 0 duplicate records\\.")
        .contains("OK: every created event is in Kafka exactly once.")
        .doesNotContain("MISSING");
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

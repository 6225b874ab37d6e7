package com.qoder.kafka.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.IntegrationTest;
import com.qoder.kafka.ChildJvm;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every command with empty, malformed, out-of-range and conflicting values: one actionable line,
 * exit 2 for usage and configuration, 1 for runtime failures, and never a stack trace unless
 * {@code --verbose}.
 */
@IntegrationTest
class BadInputSweepTest {

  /** What a Java stack trace looks like in a terminal. */
  private static final List<String> TRACE_MARKS = List.of("\tat ", "Exception in thread", "Caused by:");

  static Stream<Arguments> usageErrors() {
    return Stream.of(
        Arguments.of(List.of("demo", "--duration", "-5s"), "negative"),
        Arguments.of(List.of("demo", "--duration", "soon"), "not a duration"),
        Arguments.of(List.of("demo", "--duration", ""), "empty"),
        Arguments.of(List.of("demo", "--duration", "99999999999999999999"), "too large"),
        Arguments.of(List.of("demo", "--sessions", "many"), "many"),
        Arguments.of(List.of("demo", "--event-rate", ""), "--event-rate"),
        Arguments.of(List.of("bench", "--live-duration", "-1m"), "negative"),
        Arguments.of(List.of("bench", "--scale-duration", "x"), "not a duration"),
        Arguments.of(List.of("offsets", "list", "--timeout", "-3s"), "negative"),
        Arguments.of(List.of("offsets", "list", "--timeout", "later"), "not a duration"),
        Arguments.of(List.of("status", "--timeout", ""), "empty"),
        Arguments.of(List.of("run", "--no-such-flag"), "--no-such-flag"),
        Arguments.of(List.of("run", "--ops-port", "http"), "http"),
        Arguments.of(List.of("run", "--set", "novalue"), "novalue"),
        Arguments.of(List.of("no-such-command"), "no-such-command"),
        Arguments.of(List.of("offsets", "reset", "--to", "earliest", "--set", "qoder.token=t"), "--all"),
        Arguments.of(List.of("offsets", "reset", "--all", "sess_0123456789abcdef0123456789abcdef", "--to", "latest",
            "--set", "qoder.token=t"), "--all"),
        Arguments.of(List.of("config", "check", "--set", "sessions.poll-interval-min=-1s", "--set", "qoder.token=t"),
            "sessions.poll-interval-min"),
        Arguments.of(List.of("config", "check", "--set", "kafka.max-in-flight-records=0", "--set", "qoder.token=t"),
            "kafka.max-in-flight-records"),
        Arguments.of(List.of("config", "check", "--set", "sessions.poll-interval-min=10s",
            "--set", "sessions.poll-interval-max=1s", "--set", "qoder.token=t"), "sessions.poll-interval"),
        Arguments.of(List.of("run", "--set", "qoder.base-url=not a url", "--set", "qoder.token=t"), "qoder.base-url"),
        Arguments.of(List.of("simulate", "--sessions", "-1"), "-1"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("usageErrors")
  void usageAndConfigurationErrorsExit2WithOneClearMessage(List<String> args, String mentioned) {
    Cli.Result r = Cli.run(Map.of(), args.toArray(String[]::new));

    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).as(r.toString()).contains(mentioned);
    assertNoTrace(r.out() + r.err(), r);
  }

  @Test
  void aBareNumberIsSeconds() {
    assertThat(new DurationConverter().convert("60")).isEqualTo(Duration.ofSeconds(60));
    assertThat(new DurationConverter().convert(" 90s ")).isEqualTo(Duration.ofSeconds(90));
    assertThat(new DurationConverter().convert("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(DurationConverter.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
  }

  @Test
  void aRuntimeFailureIsOneLineWithExit1AndTheTraceOnlyWithVerbose() {
    RuntimeException failure = new IllegalStateException("the broker said no",
        new IOException("connection refused"));
    Cli.Result quiet = failing(failure, "boom");
    assertThat(quiet.exit()).isEqualTo(1);
    assertThat(quiet.err().strip()).isEqualTo("boom: the broker said no: connection refused (--verbose shows the details)");
    assertNoTrace(quiet.err(), quiet);

    Cli.Result verbose = failing(failure, "boom", "--verbose");
    assertThat(verbose.exit()).isEqualTo(1);
    assertThat(verbose.err()).contains("\tat ").contains("Caused by:");
  }

  /**
   * {@code offsets list} (and so every admin command, which shares the frame) against a port where
   * no broker listens: gives up within the default 10 s timeout with one line naming the bootstrap
   * servers, and the Kafka client's reconnect WARN lines never reach the terminal. Run as a real
   * process, since those lines come from Logback's console appender, not the command's writers.
   */
  @Test
  void unreachableBrokerFailsWithinTheDefaultTimeoutNamingTheServersWithoutKafkaNoise(@TempDir Path dir)
      throws Exception {
    String bootstrap = "127.0.0.1:" + closedPort();
    for (List<String> command : List.of(List.of("offsets", "list"), List.of("status", "--url", "http://" + bootstrap))) {
      Path out = dir.resolve("out.txt");
      Path err = dir.resolve("err.txt");
      List<String> cmd = ChildJvm.command(List.of("-Xmx256m"), Main.class.getName());
      cmd.addAll(command);
      cmd.addAll(List.of("--set", "kafka.bootstrap-servers=" + bootstrap, "--set", "qoder.token=t",
          "--set", "connector.name=sweep"));
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
      pb.environment().keySet().removeIf(k -> k.startsWith("QODER_") || k.startsWith("KAFKA_") || k.startsWith("OPS_"));
      long started = System.nanoTime();
      Process p = ChildJvm.start(pb);
      boolean ended = p.waitFor(60, TimeUnit.SECONDS);
      if (!ended) {
        p.destroyForcibly();
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      String text = Files.readString(out) + Files.readString(err);

      assertThat(ended).as(command + " ended\n" + text).isTrue();
      assertThat(p.exitValue()).as(text).isEqualTo(1);
      // 10 s of Kafka timeout, plus a JVM start on a busy 2-core machine.
      assertThat(seconds).as(command + " took " + seconds + " s\n" + text).isLessThan(25);
      assertThat(text).as(command.toString()).contains(bootstrap).doesNotContain(" WARN ").doesNotContain("org.apache.kafka");
      assertNoTrace(text, text);
    }
  }

  private static Cli.Result failing(RuntimeException failure, String name, String... args) {
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    picocli.CommandLine cli = new picocli.CommandLine(new Thrower(failure))
        .setCommandName(name)
        .setExecutionExceptionHandler(new CleanErrors())
        .setOut(new java.io.PrintWriter(out, true)).setErr(new java.io.PrintWriter(err, true));
    int exit = cli.execute(args);
    return new Cli.Result(exit, out.toString(), err.toString());
  }

  @picocli.CommandLine.Command(name = "boom")
  static final class Thrower implements Runnable {
    private final RuntimeException failure;

    @picocli.CommandLine.Option(names = "--verbose")
    boolean verbose;

    Thrower(RuntimeException failure) {
      this.failure = failure;
    }

    @Override
    public void run() {
      throw failure;
    }
  }

  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void assertNoTrace(String text, Object context) {
    for (String mark : TRACE_MARKS) {
      assertThat(text).as("no stack trace for a user: " + context).doesNotContain(mark);
    }
  }
}

package com.qoder.kafka.reliability;

import com.qoder.kafka.ChildJvm;
import com.qoder.kafka.config.Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code qoder-kafka run} in a child JVM, as an operator runs it: the same class path as the test
 * JVM, settings as {@code --set key=value} flags, the PAT in {@code QODER_PAT} (never on the
 * command line), stdout and stderr in one log file. The JVM flags favour start-up time (C1 only,
 * class-data sharing, serial GC, no perf-data file) so a kill-restart loop stays short.
 *
 * <p>{@link #kill()} is SIGKILL ({@link Process#destroyForcibly()}), {@link #terminate()} SIGTERM
 * ({@link Process#destroy()}) on Unix.
 */
final class ChildConnector implements AutoCloseable {

  private static final List<String> JVM_FLAGS = List.of("-XX:TieredStopAtLevel=1", "-Xshare:auto",
      "-XX:+UseSerialGC", "-Xmx384m", "-XX:-UsePerfData");

  private final Process process;
  private final Path log;

  private ChildConnector(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /** Starts {@code run} with the pipeline's settings; the output goes to {@code log}. */
  static ChildConnector start(Pipeline pipeline, Path log) {
    return start(pipeline, log, List.of());
  }

  /** As {@link #start(Pipeline, Path)} with extra JVM flags (e.g. {@code -Djava.io.tmpdir=...}). */
  static ChildConnector start(Pipeline pipeline, Path log, List<String> extraJvmFlags) {
    List<String> flags = new ArrayList<>(JVM_FLAGS);
    flags.addAll(extraJvmFlags);
    List<String> cmd = ChildJvm.command(flags, "com.qoder.kafka.cli.Main", "run");
    String token = null;
    for (Map.Entry<String, String> e : pipeline.settings().entrySet()) {
      if (e.getKey().equals(Settings.QODER_TOKEN.key())) {
        token = e.getValue();
      } else {
        cmd.add("--set");
        cmd.add(e.getKey() + "=" + e.getValue());
      }
    }
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    // A clean environment: only what the child needs, so the developer's own QODER_* or KAFKA_*
    // variables cannot change the configuration under test.
    Map<String, String> env = pb.environment();
    String path = env.get("PATH");
    env.clear();
    env.put("PATH", path == null ? "/usr/bin:/bin" : path);
    if (token != null) {
      env.put("QODER_PAT", token);
    }
    try {
      Files.createDirectories(log.getParent());
      pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      return new ChildConnector(ChildJvm.start(pb), log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the child JVM: " + cmd.get(0), e);
    }
  }

  /** Waits until the log holds {@code text}; false if the process ended or the deadline passed first. */
  boolean awaitOutput(String text, Duration deadline) {
    long until = System.nanoTime() + deadline.toNanos();
    while (System.nanoTime() < until) {
      if (output().contains(text)) {
        return true;
      }
      if (!process.isAlive()) {
        return output().contains(text);
      }
      Fixtures.hold(Duration.ofMillis(20)); // polling the log file
    }
    return false;
  }

  String output() {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Path log() {
    return log;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  long pid() {
    return process.pid();
  }

  /** SIGKILL, then waits for the process to be gone. */
  void kill() {
    process.destroyForcibly();
    awaitExit(Duration.ofSeconds(30));
  }

  /** SIGTERM (does not wait). */
  void terminate() {
    process.destroy();
  }

  /** Waits for the exit; returns the exit code, or throws at the deadline. */
  int awaitExit(Duration deadline) {
    try {
      if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("child JVM " + process.pid() + " still running after " + deadline + "; log "
            + log + ":\n" + tail());
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** The last lines of the log, for failure messages. */
  String tail() {
    String[] lines = output().split("\n");
    return String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 40), lines.length));
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  static Path logFile(String name) {
    return Path.of(System.getProperty("qoder.build.directory", "target"), "reliability-logs", name + ".log");
  }
}

package com.qoder.kafka.cluster;

import com.qoder.kafka.ChildJvm;
import com.qoder.kafka.config.Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A connector instance in its own JVM ({@code qoder-kafka run}), so a test can SIGKILL, SIGSTOP and
 * SIGCONT it like an operating system would. Output goes to a log file the test can read.
 */
final class ConnectorProcess implements AutoCloseable {

  private final String instanceId;
  private final Map<String, String> settings;
  private final String token;
  private final Path logFile;
  private Process process;
  private int starts;

  private ConnectorProcess(String instanceId, Map<String, String> settings, String token, Path logDir) {
    this.instanceId = instanceId;
    this.settings = settings;
    this.token = token;
    this.logFile = logDir.resolve(instanceId + ".log");
  }

  static ConnectorProcess start(String instanceId, Map<String, String> settings, String token, Path logDir) {
    ConnectorProcess p = new ConnectorProcess(instanceId, settings, token, logDir);
    p.start();
    return p;
  }

  /** Starts (again) with the same instance id, appending to the same log. */
  synchronized void start() {
    List<String> cmd = ChildJvm.command(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k"),
        "com.qoder.kafka.cli.Main", "run");
    settings.forEach((k, v) -> {
      cmd.add("--set");
      cmd.add(k + "=" + v);
    });
    cmd.add("--set");
    cmd.add(Settings.CLUSTER_INSTANCE_ID.key() + "=" + instanceId);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    pb.environment().put("QODER_PAT", token);
    try {
      Files.writeString(logFile, "==== start " + (++starts) + " of " + instanceId + " ====\n", StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
      process = ChildJvm.start(pb);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start a connector JVM", e);
    }
  }

  String instanceId() {
    return instanceId;
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** SIGKILL: no shutdown hook, no goodbye to the group. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGSTOP: the JVM freezes, heartbeats included. */
  void suspend() {
    signal("STOP");
  }

  /** SIGCONT. */
  void resume() {
    signal("CONT");
  }

  private void signal(String name) {
    try {
      Process k = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
      if (!k.waitFor(10, TimeUnit.SECONDS) || k.exitValue() != 0) {
        throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  Integer exitCode() {
    return process.isAlive() ? null : process.exitValue();
  }

  String log() {
    try {
      return Files.readString(logFile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** SIGTERM without waiting: several instances then drain at the same time ({@link #close} waits). */
  void terminate() {
    if (process != null && process.isAlive()) {
      process.destroy();
    }
  }

  /** SIGTERM and wait (the connector drains and leaves the group); SIGKILL if it does not stop. */
  @Override
  public void close() throws InterruptedException {
    if (process == null || !process.isAlive()) {
      return;
    }
    process.destroy();
    if (!process.waitFor(Duration.ofSeconds(40).toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}

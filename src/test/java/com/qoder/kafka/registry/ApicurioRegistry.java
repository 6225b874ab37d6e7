package com.qoder.kafka.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Apicurio Registry 3.0.9, a real third-party Schema Registry with a Confluent-compatible API
 * ({@code /apis/ccompat/v7}), started once per test JVM on 127.0.0.1 and a free port, and stopped by
 * a shutdown hook when the JVM ends.
 *
 * <p>The build unpacks the server into {@code target/apicurio} (maven-dependency-plugin, phase
 * {@code process-test-resources}), so a fresh clone needs nothing else. Its output goes to
 * {@code target/apicurio-registry-<pid>.log} (one per test JVM), kept for failures.
 *
 * <p>Storage is in memory and shared by every test of the run: tests use subjects of their own
 * (unique topic names) and set compatibility per subject ({@link #setCompatibility}), never
 * globally. Known differences from Confluent's server are listed in the README ("Schema Registry").
 * Thread-safe.
 */
public final class ApicurioRegistry {

  /** Where the Confluent-compatible API lives under the server's root. */
  public static final String CCOMPAT_PATH = "/apis/ccompat/v7";

  private static final String RUNNER = "apicurio-registry-app-3.0.9-runner.jar";
  private static final Pattern LISTENING = Pattern.compile("Listening on: http://127\\.0\\.0\\.1:(\\d+)");
  // Quarkus starts in ~4 s on a quiet machine; a loaded 2-core CI runner needs more.
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private static ApicurioRegistry instance;

  private final Process process;
  private final int port;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private ApicurioRegistry(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** The registry of this test run, started at the first call. */
  public static synchronized ApicurioRegistry get() {
    if (instance == null) {
      com.qoder.kafka.TestTier.requireIntegration("Apicurio Registry");
      instance = start();
      ApicurioRegistry started = instance;
      Runtime.getRuntime().addShutdownHook(new Thread(started::stop, "apicurio-stop"));
    }
    return instance;
  }

  /** The Confluent-compatible base URL, as a user sets it in {@code schema-registry.url}. */
  public String url() {
    return "http://127.0.0.1:" + port + CCOMPAT_PATH;
  }

  public int port() {
    return port;
  }

  /**
   * Sets {@code subject}'s compatibility level ({@code PUT /config/{subject}}). Apicurio's default is
   * NONE; tests set the level per subject so they never change what other tests see.
   */
  public void setCompatibility(String subject, String level) {
    String body = "{\"compatibility\":\"" + level + "\"}";
    HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(url() + "/config/" + subject))
        .header("Content-Type", "application/vnd.schemaregistry.v1+json")
        .PUT(HttpRequest.BodyPublishers.ofString(body)).build());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("PUT /config/" + subject + " answered " + r.statusCode() + ": " + r.body());
    }
  }

  /** The ids of {@code subject}'s versions, oldest first (what the registry holds, asked directly). */
  public String versions(String subject) {
    return send(HttpRequest.newBuilder(URI.create(url() + "/subjects/" + subject + "/versions")).GET().build())
        .body();
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  // ---- process ------------------------------------------------------------------------------

  private static ApicurioRegistry start() {
    Path dir = Path.of(System.getProperty("qoder.apicurio.directory", "target/apicurio"));
    Path jar = dir.resolve(RUNNER);
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar.toAbsolutePath() + " is missing: the build unpacks Apicurio Registry in"
          + " the process-test-resources phase; run the tests through ./mvnw (once online, so the artifact is"
          + " downloaded into ~/.m2)");
    }
    // One log per test JVM: parallel Failsafe forks each start a registry, and each must read its own port.
    Path log = dir.getParent().resolve("apicurio-registry-" + ProcessHandle.current().pid() + ".log");
    try {
      return launch(jar, log);
    } catch (PortInUse e) {
      // Port 0 makes this rare, but Quarkus has been seen to report a bind race: one retry.
      return launch(jar, log);
    }
  }

  private static final class PortInUse extends RuntimeException {
    PortInUse(String message) {
      super(message);
    }
  }

  private static ApicurioRegistry launch(Path jar, Path log) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=0",
        "-Dquarkus.log.category.\"io.quarkus\".level=INFO", "-jar", jar.getFileName().toString()))
        .directory(jar.getParent().toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Process p;
    try {
      Files.writeString(log, "---- starting " + jar + "\n", StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      p = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start Apicurio Registry " + jar, e);
    }
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      String out = read(log);
      String mine = out.substring(out.lastIndexOf("---- starting "));
      Matcher m = LISTENING.matcher(mine);
      if (m.find()) {
        return new ApicurioRegistry(p, Integer.parseInt(m.group(1)));
      }
      if (!p.isAlive()) {
        if (mine.contains("Port already bound") || mine.contains("Address already in use")) {
          throw new PortInUse(mine);
        }
        throw new IllegalStateException("Apicurio Registry exited with " + p.exitValue() + " before listening; see "
            + log.toAbsolutePath() + ":\n" + tail(mine));
      }
      try {
        p.waitFor(100, TimeUnit.MILLISECONDS); // wakes early if it dies
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while starting Apicurio Registry", e);
      }
    }
    p.destroyForcibly();
    throw new IllegalStateException("Apicurio Registry did not listen within " + START_TIMEOUT + "; see "
        + log.toAbsolutePath() + ":\n" + tail(read(log)));
  }

  private void stop() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static String read(Path log) {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  private static String tail(String text) {
    return text.length() <= 4000 ? text : "…" + text.substring(text.length() - 4000);
  }
}

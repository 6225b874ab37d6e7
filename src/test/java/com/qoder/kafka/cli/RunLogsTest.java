package com.qoder.kafka.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.IntegrationTest;
import com.qoder.kafka.ChildJvm;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.qoder.kafka.kafka.EmbeddedKafka;
import com.qoder.kafka.kafka.KafkaTestSupport;
import com.qoder.kafka.sim.QoderSimulator;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qoder-kafka run --log-format json} in a child JVM against a real broker and the simulator,
 * with a recognisable token: every line on stdout is a JSON object, lines about a session carry its
 * id as the MDC field {@code session_id}, the world-readable configuration file is warned about,
 * and the token appears nowhere — not in the logs, not on stderr, not on the ops endpoints.
 */
@IntegrationTest
class RunLogsTest {

  private static final Duration DEADLINE = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern OPS = Pattern.compile("ops server on http://127\\.0\\.0\\.1:(\\d+)/");

  @TempDir Path dir;

  @Test
  void jsonLinesWithSessionIdsAndNoTokenAnywhere() throws Exception {
    String token = "pat-LEAKCHECK-" + UUID.randomUUID().toString().replace("-", "");
    String name = "logs-" + UUID.randomUUID().toString().substring(0, 8);
    EmbeddedKafka kafka = KafkaTestSupport.sharedBroker();
    try (QoderSimulator sim = QoderSimulator.builder().seed(5).sessions(3).eventsPerSession(15).terminatedFraction(0)
        .releasedFraction(0).token(token).build().start()) {
      List<String> ids = sim.sessionIds();
      String terminated = ids.get(1);
      String deleted = ids.get(2);
      sim.terminateSession(terminated);
      sim.deleteSession(deleted);

      // The token in a file every user can read: run must warn (without printing the token).
      Path config = dir.resolve("qoder-kafka.yaml");
      Files.writeString(config, "qoder:\n  token: " + token + "\n");
      Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));

      Path out = dir.resolve("stdout.log");
      Path err = dir.resolve("stderr.log");
      List<String> command = ChildJvm.command(List.of("-Xmx512m"), Main.class.getName(),
          "run", "--config", config.toString(), "--log-format", "json", "--ops-port", "0",
          "--set", "connector.name=" + name,
          "--set", "qoder.base-url=" + sim.baseUrl(),
          "--set", "sessions.ids=" + String.join(",", ids),
          "--set", "sessions.poll-interval-min=100ms",
          "--set", "sessions.poll-interval-max=500ms",
          "--set", "kafka.bootstrap-servers=" + kafka.bootstrapServers(),
          "--set", "kafka.topics.events=" + name + ".events",
          "--set", "kafka.topics.errors=" + name + ".errors",
          "--set", "kafka.topics.dead-letter=" + name + ".dlq",
          "--set", "kafka.topic-partitions=1",
          "--set", "kafka.offsets-partitions=1",
          "--set", "schema-registry.url=mock://" + name, "--set", "schema-registry.allow-in-process=true",
          "--set", "connector.shutdown-timeout=10s");
      ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
      pb.environment().keySet().removeIf(k -> k.startsWith("QODER_") || k.startsWith("KAFKA_") || k.startsWith("OPS_"));
      Process child = ChildJvm.start(pb);
      try {
        KafkaTestSupport.await(DEADLINE, () -> "the child's logs to show both session ends:\n" + read(out) + read(err),
            () -> read(out).contains(terminated + ": ACTIVE -> TERMINATED") && read(out).contains(deleted + ": ACTIVE -> GONE"));

        // The ops endpoints of the running instance never show the token either.
        Matcher ops = OPS.matcher(messages(read(out)));
        assertThat(ops.find()).as(read(out)).isTrue();
        HttpClient http = HttpClient.newHttpClient();
        for (String path : List.of("/", "/api/status", "/metrics", "/health/ready", "/health/live")) {
          HttpResponse<String> r = http.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + ops.group(1) + path)).build(), HttpResponse.BodyHandlers.ofString());
          assertThat(r.body()).as(path).doesNotContain(token);
        }
      } finally {
        child.destroy(); // SIGTERM: the connector drains and logs its shutdown
        if (!child.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
          child.destroyForcibly();
        }
      }
      String stdout = read(out);
      String stderr = read(err);
      assertThat(stdout + stderr).as("the token must never be printed").doesNotContain(token);

      List<JsonNode> lines = new ArrayList<>();
      for (String line : stdout.split("\n")) {
        if (!line.isBlank()) {
          JsonNode n = JSON.readTree(line); // throws if a line is not JSON
          assertThat(n.isObject()).as(line).isTrue();
          assertThat(n.path("level").asText()).as(line).isNotEmpty();
          assertThat(n.path("loggerName").asText()).as(line).isNotEmpty();
          assertThat(n.path("formattedMessage").asText()).as(line).isNotEmpty();
          lines.add(n);
        }
      }
      // Messages carry their values, not the template.
      assertThat(lines).anySatisfy(n -> assertThat(n.path("formattedMessage").asText())
          .startsWith("connector '" + name + "' instance ").contains(" running: 3 session(s) polled"));
      assertThat(lines).anySatisfy(n -> assertThat(n.path("formattedMessage").asText()).startsWith("connector '" + name + "' stopped"));
      assertThat(lines).anySatisfy(n -> {
        assertThat(n.path("level").asText()).isEqualTo("WARN");
        assertThat(n.path("formattedMessage").asText()).contains("configuration file " + config + " holds secrets (qoder.token)");
      });
      // Every line about one session carries it in the MDC.
      Pattern aboutSession = Pattern.compile("^session (sess_[0-9a-f]{32})[: ]");
      List<JsonNode> sessionLines = lines.stream()
          .filter(n -> aboutSession.matcher(n.path("formattedMessage").asText()).find()).toList();
      assertThat(sessionLines).hasSizeGreaterThanOrEqualTo(2);
      for (JsonNode n : sessionLines) {
        Matcher m = aboutSession.matcher(n.path("formattedMessage").asText());
        assertThat(m.find()).isTrue();
        assertThat(n.path("mdc").path("session_id").asText()).as(n.toString()).isEqualTo(m.group(1));
      }
    }
  }

  /** The formatted messages of the JSON lines, one a line ('/' is escaped in the JSON text). */
  private static String messages(String jsonLines) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (String line : jsonLines.split("\n")) {
      if (!line.isBlank()) {
        sb.append(JSON.readTree(line).path("formattedMessage").asText()).append('\n');
      }
    }
    return sb.toString();
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}

package com.qoder.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The production image gets the production jar and nothing else built from this project; the
 * tooling (the simulator for docker compose) has an image of its own, deploy/tools.Dockerfile.
 */
class ProductDockerfileTest {

  @Test
  void productionImageCopiesOnlyTheProductionJarAndRunsIt() throws IOException {
    List<String> lines = instructions(Path.of("deploy/Dockerfile"));
    List<String> fromBuild = lines.stream().filter(l -> l.startsWith("COPY --from=")).toList();
    assertThat(fromBuild).containsExactly("COPY --from=build /src/target/qoder-kafka.jar /app/qoder-kafka.jar");
    assertThat(lines).filteredOn(l -> l.startsWith("COPY ") || l.startsWith("ADD "))
        .noneMatch(l -> l.contains("tools") || l.contains("*.jar"));
    assertThat(lines).filteredOn(l -> l.startsWith("ENTRYPOINT "))
        .containsExactly("ENTRYPOINT [\"java\", \"-jar\", \"/app/qoder-kafka.jar\"]");
  }

  @Test
  void toolsImageRunsTheToolsJar() throws IOException {
    List<String> lines = instructions(Path.of("deploy/tools.Dockerfile"));
    assertThat(lines).filteredOn(l -> l.startsWith("COPY --from="))
        .containsExactly("COPY --from=build /src/target/qoder-kafka-tools.jar /app/qoder-kafka-tools.jar");
    assertThat(lines).filteredOn(l -> l.startsWith("ENTRYPOINT "))
        .containsExactly("ENTRYPOINT [\"java\", \"-jar\", \"/app/qoder-kafka-tools.jar\"]");
  }

  /** Instructions with continuation lines joined, comments and blank lines dropped. */
  private static List<String> instructions(Path dockerfile) throws IOException {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String raw : Files.readAllLines(dockerfile)) {
      String line = raw.strip();
      if (current.isEmpty() && (line.isEmpty() || line.startsWith("#"))) {
        continue;
      }
      if (line.endsWith("\\")) {
        current.append(line, 0, line.length() - 1).append(' ');
      } else {
        current.append(line);
        out.add(current.toString().replaceAll("\\s+", " ").trim());
        current.setLength(0);
      }
    }
    return out;
  }
}

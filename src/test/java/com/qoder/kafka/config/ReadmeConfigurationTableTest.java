package com.qoder.kafka.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's configuration table is the one generated from {@link Settings}: no key undocumented. */
class ReadmeConfigurationTableTest {

  @Test
  void readmeHoldsTheGeneratedTable() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    assertThat(readme)
        .as("README.md's configuration table is stale: paste Settings.markdownTable() into it")
        .contains(Settings.markdownTable());
  }

  @Test
  void readmeTopShowsTheTwoSetUpCommands() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    String top = readme.substring(0, readme.indexOf("## What you get"));
    assertThat(top).contains("java -jar target/qoder-kafka-tools.jar demo").contains("./mvnw -B -ntp verify");
    assertThat(Files.readString(Path.of(".ci/run"))).contains("./mvnw -B -ntp verify");
  }
}

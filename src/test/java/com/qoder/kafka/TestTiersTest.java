package com.qoder.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every test class that reaches a broker, a child JVM or process, Apicurio Registry, a browser or a
 * container (directly or through a test helper that does) carries {@link IntegrationTest}, so that
 * {@code ./mvnw test} stays a fast loop with no such thing in it.
 */
class TestTiersTest {

  private static final Path TESTS = Path.of("src/test/java");

  /** What a unit test may not start, as it appears in source. */
  private static final Map<String, Pattern> HEAVY = Map.of(
      "a Kafka broker", Pattern.compile("\\bEmbeddedKafka\\b|sharedBroker\\(|\\bKafkaContainer\\b"),
      "a child JVM or process", Pattern.compile("\\bProcessBuilder\\b|\\bChildJvm\\b"),
      "Apicurio Registry", Pattern.compile("\\bApicurioRegistry\\b"),
      "a browser", Pattern.compile("(?i)\\bchromium\\b"),
      "the demo or the bench (an in-process broker)", Pattern.compile("Cli\\.run\\([^;]*\"(demo|bench)\""));

  @Test
  void everyTestThatReachesABrokerAChildJvmARegistryOrABrowserIsAnIntegrationTest() throws IOException {
    Map<String, String> sources = new TreeMap<>();
    try (Stream<Path> files = Files.walk(TESTS)) {
      files.filter(f -> f.toString().endsWith(".java")).forEach(f -> sources.put(name(f), read(f)));
    }
    sources.keySet().removeAll(List.of("TestTiersTest", "TestTier", "IntegrationTest"));

    // Why each class is heavy: its own source, or a heavy helper it names (to a fixed point).
    Map<String, String> why = new HashMap<>();
    sources.forEach((cls, src) -> HEAVY.forEach((what, p) -> {
      if (p.matcher(src).find()) {
        why.putIfAbsent(cls, "starts " + what);
      }
    }));
    boolean grew = true;
    while (grew) {
      grew = false;
      for (Map.Entry<String, String> e : sources.entrySet()) {
        if (why.containsKey(e.getKey())) {
          continue;
        }
        for (String helper : List.copyOf(why.keySet())) {
          if (!helper.endsWith("Test") && Pattern.compile("\\b" + helper + "\\b").matcher(e.getValue()).find()) {
            why.put(e.getKey(), "uses " + helper + ", which " + why.get(helper));
            grew = true;
            break;
          }
        }
      }
    }

    List<String> unmarked = new ArrayList<>();
    why.forEach((cls, reason) -> {
      if (cls.endsWith("Test") && !sources.get(cls).contains("@IntegrationTest")) {
        unmarked.add(cls + " " + reason);
      }
    });
    assertThat(unmarked).as("test classes to annotate with @IntegrationTest (they would slow down or break"
        + " the unit loop, ./mvnw test)").isEmpty();
    assertThat(why).as("the scan found the heavy helpers").containsKeys("KafkaTestSupport", "ApicurioRegistry");
  }

  @Test
  void theGuardFailsInTheUnitJvmOnly() {
    String before = System.getProperty(TestTier.PROPERTY);
    try {
      System.setProperty(TestTier.PROPERTY, "unit");
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestTier.requireIntegration("a broker"))
          .hasMessageContaining("@com.qoder.kafka.IntegrationTest");
      System.setProperty(TestTier.PROPERTY, "integration");
      TestTier.requireIntegration("a broker");
    } finally {
      if (before == null) {
        System.clearProperty(TestTier.PROPERTY);
      } else {
        System.setProperty(TestTier.PROPERTY, before);
      }
    }
  }

  private static String name(Path file) {
    String f = file.getFileName().toString();
    return f.substring(0, f.length() - ".java".length());
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

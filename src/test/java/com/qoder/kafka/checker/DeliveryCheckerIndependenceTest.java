package com.qoder.kafka.checker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The checker is an oracle: it must not judge the product with the product's own code. Its sources
 * may name the generated Avro classes (built from the {@code .avsc} contract) and the simulator (the
 * ground truth), but none of the product's codec, registry client, Kafka or mapping classes.
 */
class DeliveryCheckerIndependenceTest {

  private static final Path PACKAGE = Path.of("src/test/java/com/qoder/kafka/checker");
  private static final Pattern PRODUCT_NAME = Pattern.compile("com\\.qoder\\.kafka\\.[A-Za-z0-9_.]+");

  @Test
  void checkerSourcesNameNoProductCodecRegistryOrKafkaClass() throws IOException {
    List<String> offending = new ArrayList<>();
    int files = 0;
    try (Stream<Path> sources = Files.list(PACKAGE)) {
      for (Path file : sources.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
        if (file.getFileName().toString().endsWith("Test.java")) {
          continue; // tests may build records with the product, to feed the checker
        }
        files++;
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
          String line = lines.get(i).trim();
          if (line.startsWith("*") || line.startsWith("//") || line.startsWith("/*")) {
            continue; // Javadoc may mention what it avoids
          }
          Matcher m = PRODUCT_NAME.matcher(line);
          while (m.find()) {
            String name = m.group();
            if (!allowed(name)) {
              offending.add(file.getFileName() + ":" + (i + 1) + " " + name);
            }
          }
        }
      }
    }
    assertThat(files).as("checker sources found under %s", PACKAGE.toAbsolutePath()).isGreaterThanOrEqualTo(3);
    assertThat(offending).as("product classes named by the independent checker").isEmpty();
  }

  @Test
  void theScanRecognisesAProductCodecImport() {
    assertThat(allowed("com.qoder.kafka.avro.AvroCodec")).isFalse();
    assertThat(allowed("com.qoder.kafka.registry.ConfluentWireFormat")).isFalse();
    assertThat(allowed("com.qoder.kafka.registry.SchemaRegistry")).isFalse();
    assertThat(allowed("com.qoder.kafka.kafka.CloudEventsHeaders")).isFalse();
    assertThat(allowed("com.qoder.kafka.avro.v1.SessionEvent")).isTrue();
  }

  private static boolean allowed(String name) {
    return name.equals("com.qoder.kafka.checker") || name.startsWith("com.qoder.kafka.checker.")
        || name.startsWith("com.qoder.kafka.avro.v1.") // generated from schemas/*.avsc
        || name.startsWith("com.qoder.kafka.sim."); // the ground truth
  }
}

package com.qoder.kafka.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The simulator is the oracle the connector is judged against, so it must not share code with
 * it: no file of the simulator package (main or test) may name a {@code com.qoder.kafka} class
 * outside {@code com.qoder.kafka.sim}, by import or fully qualified. Reads the source files.
 */
class SimIndependenceTest {

  private static final Pattern PRODUCT_REFERENCE = Pattern.compile("com\\.qoder\\.kafka\\.(?!sim\\b)[A-Za-z_]\\w*");

  @Test
  void simulatorSourcesNameNoOtherProductPackage() throws IOException {
    List<String> offences = new ArrayList<>();
    int files = 0;
    for (Path dir : List.of(Path.of("src/main/java/com/qoder/kafka/sim"), Path.of("src/test/java/com/qoder/kafka/sim"))) {
      assertThat(dir).as("run from the project directory").isDirectory();
      try (Stream<Path> paths = Files.list(dir)) {
        for (Path p : paths.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
          files++;
          List<String> lines = Files.readAllLines(p);
          for (int i = 0; i < lines.size(); i++) {
            Matcher m = PRODUCT_REFERENCE.matcher(lines.get(i));
            if (m.find() && !lines.get(i).contains("PRODUCT_REFERENCE")) {
              offences.add(p.getFileName() + ":" + (i + 1) + " names " + m.group());
            }
          }
        }
      }
    }
    assertThat(files).as("simulator source files scanned").isGreaterThan(20);
    assertThat(offences).as("references from the simulator to the product").isEmpty();
  }

  @Test
  void theScanSeesAnImportOfTheClient() {
    assertThat(PRODUCT_REFERENCE.matcher("import com.qoder.kafka.api.SessionIds;").find()).isTrue();
    assertThat(PRODUCT_REFERENCE.matcher("x = com.qoder.kafka.config.Secret.of(t);").find()).isTrue();
    assertThat(PRODUCT_REFERENCE.matcher("import com.qoder.kafka.sim.Items.FileItem;").find()).isFalse();
    assertThat(PRODUCT_REFERENCE.matcher("import com.qoder.kafka.simulation.X;").find()).isTrue();
  }
}

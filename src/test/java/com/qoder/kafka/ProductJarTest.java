package com.qoder.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The production jar ({@code target/qoder-kafka.jar}, what deploy/Dockerfile ships) holds the
 * connector and nothing of its tooling: no broker, Scala, kafka-tools, simulator, demo or bench;
 * it stays small, every class it names is inside it, and it runs. Needs {@code package}: Failsafe.
 */
@IntegrationTest
class ProductJarTest {

  /** Bytes; the jar with the broker, Scala and kafka-tools was 85,227,349. */
  static final long MAX_BYTES = 28_000_000;

  private static final Path TARGET = Path.of(System.getProperty("qoder.build.directory", "target"));
  private static final Path PRODUCT = TARGET.resolve("qoder-kafka.jar");
  private static final Path TOOLS = TARGET.resolve("qoder-kafka-tools.jar");

  /** Entry prefixes of the tooling and what it drags in. */
  private static final List<String> FORBIDDEN = List.of(
      "kafka/server/",                  // the broker (kafka_2.13 core); any kafka/*.class, see isTooling
      "scala/",
      "org/apache/kafka/tools/",
      "org/apache/kafka/raft/", "org/apache/kafka/storage/internals/", "org/apache/kafka/metadata/",
      "org/apache/kafka/controller/", "org/apache/kafka/coordinator/", "org/apache/kafka/connect/",
      "com/qoder/kafka/sim/",
      "com/qoder/kafka/kafka/EmbeddedKafka",
      "com/qoder/kafka/cli/ToolsMain", "com/qoder/kafka/cli/Demo", "com/qoder/kafka/cli/Simulate",
      "com/qoder/kafka/cli/Bench", "com/qoder/kafka/cli/RawProducerBench",
      "com/qoder/kafka/cli/LatencyConsumer", "com/qoder/kafka/cli/JfrProfile");

  private static final Pattern DESCRIPTOR_TYPE = Pattern.compile("L([a-zA-Z0-9_/$]+);");

  @Test
  void holdsNoBrokerScalaToolsSimulatorDemoOrBenchAndIsSmall() throws IOException {
    assertThat(PRODUCT).as("built by `./mvnw package` (Failsafe runs after it)").isRegularFile();
    assertThat(Files.size(PRODUCT)).as("bytes of %s", PRODUCT).isLessThanOrEqualTo(MAX_BYTES);
    List<String> names = entries(PRODUCT);
    List<String> forbidden = names.stream().filter(ProductJarTest::isTooling).toList();
    assertThat(forbidden).as("tooling classes in the production jar").isEmpty();
    assertThat(names).contains("com/qoder/kafka/cli/Main.class", "com/qoder/kafka/cli/RunCommand.class",
        "org/apache/kafka/clients/producer/KafkaProducer.class", "schemas/SessionEvent.avsc");
    assertThat(entries(TOOLS)).contains("com/qoder/kafka/cli/ToolsMain.class", "com/qoder/kafka/sim/QoderSimulator.class",
        "kafka/server/KafkaRaftServer.class");
  }

  /** A product class naming a tooling class would compile, then fail in production: none does. */
  @Test
  void everyConnectorClassItReferencesIsInside() throws IOException {
    Set<String> missing = new TreeSet<>();
    try (ZipFile jar = new ZipFile(PRODUCT.toFile())) {
      Set<String> classes = new TreeSet<>();
      Collections.list(jar.entries()).forEach(e -> classes.add(e.getName()));
      for (ZipEntry e : Collections.list(jar.entries())) {
        if (!e.getName().startsWith("com/qoder/") || !e.getName().endsWith(".class")) {
          continue;
        }
        for (String ref : referencedClasses(jar.getInputStream(e).readAllBytes())) {
          boolean ours = ref.startsWith("com/qoder/");
          boolean tooling = isTooling(ref + ".class");
          if (tooling || ours && !classes.contains(ref + ".class")) {
            missing.add(e.getName() + " -> " + ref);
          }
        }
      }
    }
    assertThat(missing).as("references from product classes to classes not in the production jar").isEmpty();
  }

  @Test
  void runHelpWorksFromTheJarAndListsNoToolingCommand() throws Exception {
    String runHelp = run(PRODUCT, "run", "--help");
    assertThat(runHelp).contains("Usage: qoder-kafka run");
    String help = run(PRODUCT, "--help");
    assertThat(help).contains("run", "config", "offsets", "schemas", "status")
        .doesNotContainPattern("(?m)^\\s+(demo|bench|simulate)\\s");
    assertThat(run(TOOLS, "--help")).containsPattern("(?m)^\\s+demo\\s").containsPattern("(?m)^\\s+simulate\\s")
        .containsPattern("(?m)^\\s+bench\\s");
  }

  /** kafka-clients has kafka/kafka-version.properties; every class under kafka/ is the broker's (Scala core). */
  private static boolean isTooling(String entry) {
    return entry.startsWith("kafka/") && entry.endsWith(".class") || FORBIDDEN.stream().anyMatch(entry::startsWith);
  }

  private static String run(Path jar, String... args) throws Exception {
    Path out = Files.createTempFile("qoder-kafka-jar", ".out");
    try {
      Process p = ChildJvm.start(new ProcessBuilder(ChildJvm.jarCommand(List.of("-Xmx128m"), jar, args))
          .redirectErrorStream(true).redirectOutput(out.toFile()));
      boolean ended = p.waitFor(60, TimeUnit.SECONDS);
      if (!ended) {
        p.destroyForcibly();
      }
      String text = Files.readString(out, StandardCharsets.UTF_8);
      assertThat(ended).as("java -jar %s %s ended within 60 s:%n%s", jar, String.join(" ", args), text).isTrue();
      assertThat(p.exitValue()).as("exit of java -jar %s %s:%n%s", jar, String.join(" ", args), text).isZero();
      return text;
    } finally {
      Files.deleteIfExists(out);
    }
  }

  private static List<String> entries(Path jar) throws IOException {
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      List<String> names = new ArrayList<>();
      Collections.list(zip.entries()).forEach(e -> names.add(e.getName()));
      return names;
    }
  }

  /** Internal names of the classes a class file names: its Class constants and the types in its descriptors. */
  static Set<String> referencedClasses(byte[] classFile) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
    in.readInt(); // magic
    in.readUnsignedShort();
    in.readUnsignedShort();
    int count = in.readUnsignedShort();
    String[] utf8 = new String[count];
    List<Integer> classNames = new ArrayList<>();
    for (int i = 1; i < count; i++) {
      int tag = in.readUnsignedByte();
      switch (tag) {
        case 1 -> utf8[i] = in.readUTF();
        case 7 -> classNames.add(in.readUnsignedShort());
        case 8, 16, 19, 20 -> in.readUnsignedShort();
        case 15 -> in.skipBytes(3);
        case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipBytes(4);
        case 5, 6 -> {
          in.skipBytes(8);
          i++; // eight-byte constants take two slots
        }
        default -> throw new IOException("unknown constant pool tag " + tag);
      }
    }
    Set<String> refs = new TreeSet<>();
    for (int index : classNames) {
      String name = utf8[index];
      if (!name.startsWith("[")) {
        refs.add(name);
      }
    }
    for (String s : utf8) {
      if (s != null && s.indexOf('L') >= 0 && s.indexOf(';') > 0) {
        Matcher m = DESCRIPTOR_TYPE.matcher(s);
        while (m.find()) {
          refs.add(m.group(1));
        }
      }
    }
    return refs;
  }
}

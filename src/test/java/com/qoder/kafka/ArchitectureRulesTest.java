package com.qoder.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layering rules of docs/ARCHITECTURE.md, checked on the source files: which capability
 * package may name which. A rule broken by a new import fails here with the file and line, so
 * the layering cannot erode one convenient import at a time.
 */
class ArchitectureRulesTest {

  private static final Path MAIN = Path.of("src/main/java/com/qoder/kafka");
  private static final Pattern PRODUCT_NAME = Pattern.compile("\\bcom\\.qoder\\.kafka\\.([a-z_]\\w*)\\b");
  private static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?([\\w.]+)");

  @Test
  void theApiClientKnowsNothingOfKafkaOrAvro() {
    List<String> offences = new ArrayList<>();
    for (Reference r : references("api")) {
      if (r.target().startsWith("com.qoder.kafka.kafka") || r.target().startsWith("com.qoder.kafka.avro")
          || r.target().startsWith("org.apache.kafka") || r.target().startsWith("org.apache.avro")) {
        offences.add(r.toString());
      }
    }
    assertThat(offences).as("api must stay a plain HTTP client of the Qoder API").isEmpty();
  }

  @Test
  void theSimulatorNamesNoProductPackageAndOnlyToolingNamesTheSimulator() {
    List<String> offences = new ArrayList<>();
    for (Reference r : references("sim")) {
      if (r.targetPackage() != null && !r.targetPackage().equals("sim")) {
        offences.add(r.toString());
      }
    }
    for (String pkg : packages()) {
      if (pkg.equals("sim")) {
        continue;
      }
      for (Reference r : references(pkg)) {
        if ("sim".equals(r.targetPackage()) && !isTooling(r.file())) {
          offences.add(r.toString());
        }
      }
    }
    assertThat(offences).as("the simulator is an independent oracle, and only the tooling (demo, bench, simulate)"
        + " starts it").isEmpty();
  }

  @Test
  void productCodeNamesNoToolingClass() {
    List<String> offences = new ArrayList<>();
    for (String pkg : packages()) {
      for (Reference r : references(pkg)) {
        String simple = r.target().substring(r.target().lastIndexOf('.') + 1);
        if (!isTooling(r.file()) && TOOLING.matcher(simple + ".java").matches()) {
          offences.add(r.toString());
        }
      }
    }
    assertThat(offences).as("the production jar leaves the tooling out, so product code must not name it").isEmpty();
  }

  /** The tooling's files, which the production jar leaves out (pom.xml, the product shade execution). */
  private static final Pattern TOOLING = Pattern.compile("(ToolsMain|Demo\\w*|SimulateCommand|Bench\\w*"
      + "|RawProducerBench|LatencyConsumer|JfrProfile|Embedded\\w*)\\.java");

  private static boolean isTooling(String file) {
    String name = file.substring(file.lastIndexOf('/') + 1);
    return file.startsWith("sim/") || TOOLING.matcher(name).matches();
  }

  @Test
  void capabilityPackagesFormNoCycle() {
    Map<String, Set<String>> graph = new TreeMap<>();
    for (String pkg : packages()) {
      Set<String> targets = new TreeSet<>();
      for (Reference r : references(pkg)) {
        if (r.targetPackage() != null && !r.targetPackage().equals(pkg)) {
          targets.add(r.targetPackage());
        }
      }
      graph.put(pkg, targets);
    }
    List<String> cycles = new ArrayList<>();
    for (String start : graph.keySet()) {
      findCycle(graph, start, new ArrayList<>(List.of(start)), cycles);
    }
    assertThat(cycles).as("package cycles (each printed from its smallest member)").isEmpty();
  }

  /**
   * Issue 14: one package owns the offset record of every source. Outside {@code offsets} no code
   * calls the record's constructor (nor its counters') or names the codec; the other packages get
   * records from the translations there ({@code SessionOffsetRecords}, {@code CheckpointRecords},
   * {@code SignalRecords}) and bytes from {@code OffsetStore}.
   */
  @Test
  void onlyOffsetsEncodesOffsetRecords() {
    List<String> offences = new ArrayList<>();
    for (String pkg : packages()) {
      if (!pkg.equals("offsets")) {
        offences.addAll(codeMatching(pkg, MAKES_OFFSET_RECORD));
      }
    }
    assertThat(offences).as("offset records are made and encoded in com.qoder.kafka.offsets only").isEmpty();
    assertThat(codeMatching("offsets", MAKES_OFFSET_RECORD)).as("the scan sees the offsets package make records")
        .anyMatch(l -> l.contains("new OffsetRecord(")).anyMatch(l -> l.contains("OffsetCodec"));
  }

  /** A use of the codec, or a construction of an offset record or of its counters. */
  private static final Pattern MAKES_OFFSET_RECORD = Pattern.compile("\\bOffsetCodec\\b"
      + "|\\bnew\\s+(?:[\\w.]+\\.)?OffsetRecord\\b|\\bOffsetRecord(?:\\.Counters)?\\s*::\\s*new\\b");

  /** Issue 14: no hand-written class over 500 lines (generated Avro classes live under target/). */
  @Test
  void noClassIsOver500Lines() throws java.io.IOException {
    List<String> over = new ArrayList<>();
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(MAIN)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        long lines = java.nio.file.Files.readAllLines(f).size();
        if (lines > 500) {
          over.add(MAIN.relativize(f) + " (" + lines + " lines)");
        }
      }
    }
    assertThat(over).as("classes over 500 lines; split them by responsibility (docs/ARCHITECTURE.md)").isEmpty();
  }

  @Test
  void theOffsetRecordScanFindsConstructionsAndTheCodec() {
    assertThat(MAKES_OFFSET_RECORD.matcher("return new OffsetRecord(key, cursor,").find()).isTrue();
    assertThat(MAKES_OFFSET_RECORD.matcher("new com.qoder.kafka.offsets.OffsetRecord.Counters(1, 0, 0)").find())
        .isTrue();
    assertThat(MAKES_OFFSET_RECORD.matcher("byte[] b = OffsetCodec.encode(r);").find()).isTrue();
    assertThat(MAKES_OFFSET_RECORD.matcher(".map(OffsetRecord::new)").find()).isTrue();
    assertThat(MAKES_OFFSET_RECORD.matcher("OffsetRecord r = SessionOffsetRecords.toRecord(s);").find()).isFalse();
  }

  @Test
  void theScanFindsImportsAndFullyQualifiedNames() {
    assertThat(packages()).contains("api", "cli", "cluster", "kafka", "offsets", "sim", "source");
    assertThat(references("cli")).anyMatch(r -> "config".equals(r.targetPackage()));
    Matcher m = PRODUCT_NAME.matcher("x = com.qoder.kafka.cluster.X.y();");
    assertThat(m.find()).isTrue();
    assertThat(m.group(1)).isEqualTo("cluster");
  }

  private static void findCycle(Map<String, Set<String>> graph, String start, List<String> path, List<String> out) {
    String last = path.get(path.size() - 1);
    for (String next : graph.getOrDefault(last, Set.of())) {
      if (next.equals(start)) {
        List<String> cycle = new ArrayList<>(path);
        cycle.add(start);
        out.add(String.join(" -> ", cycle));
      } else if (next.compareTo(start) > 0 && !path.contains(next)) {
        path.add(next);
        findCycle(graph, start, path, out);
        path.remove(path.size() - 1);
      }
    }
  }

  private static List<String> packages() {
    assertThat(MAIN).as("run from the project directory").isDirectory();
    try (Stream<Path> dirs = Files.list(MAIN)) {
      return dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every import, and every fully qualified product name in code, of the files of one package (and below). */
  private static List<Reference> references(String pkg) {
    List<Reference> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(MAIN.resolve(pkg))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
        List<String> lines = Files.readAllLines(f);
        for (int i = 0; i < lines.size(); i++) {
          String line = lines.get(i).trim();
          if (line.startsWith("package ") || line.startsWith("//") || line.startsWith("*")) {
            continue;
          }
          Matcher imp = IMPORT.matcher(line);
          if (imp.find()) {
            out.add(new Reference(MAIN.relativize(f).toString(), i + 1, imp.group(1)));
            continue;
          }
          Matcher fq = PRODUCT_NAME.matcher(line);
          while (fq.find()) {
            out.add(new Reference(MAIN.relativize(f).toString(), i + 1, fq.group()));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** The code lines (comments left out) of one package's files that match {@code pattern}, with file and line. */
  private static List<String> codeMatching(String pkg, Pattern pattern) {
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(MAIN.resolve(pkg))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
        List<String> lines = Files.readAllLines(f);
        for (int i = 0; i < lines.size(); i++) {
          String line = lines.get(i).trim();
          if (!line.startsWith("//") && !line.startsWith("*") && !line.startsWith("/*")
              && pattern.matcher(line).find()) {
            out.add(MAIN.relativize(f) + ":" + (i + 1) + ": " + line);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private record Reference(String file, int line, String target) {

    /** The capability package named, or null for a name outside the product. */
    String targetPackage() {
      Matcher m = PRODUCT_NAME.matcher(target);
      return m.find() && m.start() == 0 ? m.group(1) : null;
    }

    @Override
    public String toString() {
      return file + ":" + line + " names " + target;
    }
  }
}

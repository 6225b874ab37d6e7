package com.qoder.kafka.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One line of the fault matrix, printed by every reliability test after its check:
 * {@code RELIABILITY | fault | what happened | checked=N lost=N dup=N}. The lines also go to
 * {@code target/reliability-matrix.txt}, from which docs/RELIABILITY.md is filled.
 */
final class MatrixRow {

  private MatrixRow() {}

  static void report(String fault, String happened, long checked, long lost, long duplicated) {
    String line = String.format("RELIABILITY | %s | %s | checked=%d lost=%d dup=%d", fault, happened, checked, lost,
        duplicated);
    System.out.println(line);
    Path file = Path.of(System.getProperty("qoder.build.directory", "target"), "reliability-matrix.txt");
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, line + System.lineSeparator(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to " + file, e);
    }
  }
}

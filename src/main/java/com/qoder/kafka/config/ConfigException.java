package com.qoder.kafka.config;

import java.util.List;

/** Invalid configuration; carries every problem found, so a user can fix them in one pass. */
public final class ConfigException extends RuntimeException {

  private final List<String> problems;

  public ConfigException(List<String> problems) {
    super(render(problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }

  private static String render(List<String> problems) {
    StringBuilder sb = new StringBuilder("invalid configuration (" + problems.size() + " problem"
        + (problems.size() == 1 ? "" : "s") + "):");
    for (String p : problems) {
      sb.append(System.lineSeparator()).append("  - ").append(p);
    }
    return sb.toString();
  }
}

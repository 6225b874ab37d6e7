package com.qoder.kafka.runtime;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One parsed Prometheus text exposition (format 0.0.4), as scraped from {@code /metrics}: every
 * sample line as a series (name and labels) with its value. Test support for reading counters the
 * way a Prometheus server would, not through the in-process registry.
 */
final class Prometheus {

  /** One series: metric name and its labels (in exposition order). */
  record Series(String name, Map<String, String> labels) {
    String label(String key) {
      return labels.get(key);
    }
  }

  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)(?:\\s+\\d+)?$");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

  private final Map<Series, Double> samples;
  final String text;

  private Prometheus(Map<Series, Double> samples, String text) {
    this.samples = samples;
    this.text = text;
  }

  static Prometheus parse(String text) {
    Map<Series, Double> samples = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line.strip());
      if (!m.matches()) {
        throw new AssertionError("not a Prometheus sample line: " + line);
      }
      Map<String, String> labels = new TreeMap<>();
      if (m.group(2) != null) {
        Matcher l = LABEL.matcher(m.group(2));
        while (l.find()) {
          labels.put(l.group(1), l.group(2).replace("\\\"", "\"").replace("\\\\", "\\"));
        }
      }
      samples.put(new Series(m.group(1), Map.copyOf(labels)), value(m.group(3)));
    }
    return new Prometheus(samples, text);
  }

  private static double value(String s) {
    return switch (s) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(s);
    };
  }

  Map<Series, Double> samples() {
    return samples;
  }

  /** Sum of every series of {@code name} whose labels match; 0 when there is none. */
  double sum(String name, Predicate<Series> filter) {
    return samples.entrySet().stream().filter(e -> e.getKey().name().equals(name) && filter.test(e.getKey()))
        .mapToDouble(Map.Entry::getValue).sum();
  }

  double sum(String name) {
    return sum(name, s -> true);
  }

  /** Sum of the series of {@code name} with {@code label=value}. */
  double sum(String name, String label, String value) {
    return sum(name, s -> value.equals(s.label(label)));
  }

  /** Sums of {@code name} grouped by the value of {@code label}. */
  Map<String, Double> by(String name, String label) {
    Map<String, Double> out = new TreeMap<>();
    samples.forEach((s, v) -> {
      if (s.name().equals(name) && s.label(label) != null) {
        out.merge(s.label(label), v, Double::sum);
      }
    });
    return out;
  }
}

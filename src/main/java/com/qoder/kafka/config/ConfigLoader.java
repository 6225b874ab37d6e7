package com.qoder.kafka.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds a {@link ConnectorConfig} from a YAML file, the environment and command-line overrides,
 * in that order of precedence (later wins), and validates everything at once.
 *
 * <p>All problems are collected and thrown together in one {@link ConfigException}, so a user
 * fixes a broken deployment in one pass instead of one restart per mistake. The steps live beside
 * it: {@link ConfigSources} merges the text, {@link SettingParser} types each value and
 * {@link ConfigChecks} checks them together.
 */
public final class ConfigLoader {

  private ConfigLoader() {}

  /** Loads from the process environment. */
  public static ConnectorConfig load(Path file, Map<String, String> overrides) {
    return load(file, System.getenv(), overrides);
  }

  /**
   * Loads and validates.
   *
   * @param file YAML file, or null for environment and overrides only
   * @param env environment variables
   * @param overrides values by setting key, e.g. from command-line flags (highest precedence)
   * @throws ConfigException listing every problem
   */
  public static ConnectorConfig load(Path file, Map<String, String> env, Map<String, String> overrides) {
    List<String> problems = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    ConfigSources sources = ConfigSources.merge(file, env, overrides, problems);
    Map<String, String> raw = sources.raw;
    Map<String, String> origin = sources.origin;

    Map<String, String> kafkaProps = new LinkedHashMap<>();
    Map<String, List<String>> routing = new LinkedHashMap<>();
    for (var e : raw.entrySet()) {
      String k = e.getKey();
      if (k.startsWith(Settings.KAFKA_PROPERTIES_PREFIX)) {
        kafkaProps.put(k.substring(Settings.KAFKA_PROPERTIES_PREFIX.length()), e.getValue());
      } else if (k.startsWith(Settings.ROUTING_PREFIX)) {
        routing.put(k.substring(Settings.ROUTING_PREFIX.length()), SettingParser.splitList(e.getValue()));
      } else if (Settings.byKey(k) == null) {
        problems.add("unknown key '" + k + "' (" + origin.get(k) + ")" + suggestion(k));
      }
    }

    Map<String, Object> values = new LinkedHashMap<>();
    for (Setting s : Settings.all()) {
      String text = raw.containsKey(s.key()) ? raw.get(s.key()) : s.defaultValue();
      if (text == null || (text.isBlank() && s.type() != Setting.Type.LIST)) {
        if (s.required()) {
          problems.add(s.key() + " is required (set it in the file or " + s.envVar() + ")");
        }
        continue;
      }
      String where = origin.getOrDefault(s.key(), "default");
      try {
        values.put(s.key(), SettingParser.parse(s, text.trim()));
      } catch (IllegalArgumentException ex) {
        problems.add(s.key() + " = '" + (s.isSecret() ? Secret.MASK : text) + "' (" + where + "): "
            + ex.getMessage());
      }
    }

    String errorsTopic = (String) values.get(Settings.TOPIC_ERRORS.key());
    routing.putIfAbsent("session.error", errorsTopic == null ? List.of() : List.of(errorsTopic));
    routing.values().removeIf(List::isEmpty);

    ConfigChecks.resolveToken(values, origin, problems, warnings);
    ConfigChecks.crossCheck(values, kafkaProps, problems, warnings);
    ConfigChecks.secretsInFile(file, sources, warnings);
    ConfigChecks.cleartextWarnings(values, kafkaProps, warnings);
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new ConnectorConfig(values, kafkaProps, routing, warnings);
  }

  /** Kafka property names whose values are secret and must be masked when printed. */
  public static boolean isSensitiveKafkaProperty(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    return k.contains("password") || k.contains("jaas") || k.contains("secret") || k.endsWith(".key")
        || k.contains("token");
  }

  /** Parses {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, {@code 1d} or ISO-8601 {@code PT30S}. */
  public static Duration parseDuration(String text) {
    return SettingParser.parseDuration(text);
  }

  private static String suggestion(String key) {
    String best = null;
    int bestD = Integer.MAX_VALUE;
    for (Setting s : Settings.all()) {
      int d = distance(key, s.key());
      if (d < bestD) {
        bestD = d;
        best = s.key();
      }
    }
    return best != null && bestD <= Math.max(3, key.length() / 4) ? "; did you mean '" + best + "'?" : "";
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int c = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + c);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}

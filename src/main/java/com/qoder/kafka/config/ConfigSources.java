package com.qoder.kafka.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The text of every key given to {@link ConfigLoader}, merged from the YAML file, the environment
 * and the command line in that order (later wins), with where each came from, so a message can
 * point at the place to fix. Nothing is parsed or checked here.
 */
final class ConfigSources {

  private static final String ENV_KAFKA_PROPERTIES = "KAFKA_PROPERTIES_";

  /** Key to text, in the order keys were first given (problems are reported in that order). */
  final Map<String, String> raw = new LinkedHashMap<>();
  /** Key to a description of its source, e.g. "file x.yaml", "environment variable QODER_PAT". */
  final Map<String, String> origin = new LinkedHashMap<>();

  private ConfigSources() {}

  /** Reads the three sources; a file that cannot be read or parsed adds to {@code problems}. */
  static ConfigSources merge(Path file, Map<String, String> env, Map<String, String> overrides,
      List<String> problems) {
    ConfigSources s = new ConfigSources();
    if (file != null) {
      s.readYaml(file, problems);
    }
    s.readEnvironment(env);
    s.readOverrides(overrides);
    return s;
  }

  /** Whether {@code key} came from the configuration file (where secrets should not sit). */
  boolean fromFile(String key) {
    String o = origin.get(key);
    return o != null && o.startsWith("file ");
  }

  private void readEnvironment(Map<String, String> env) {
    for (Setting s : Settings.all()) {
      for (String var : envNames(s)) {
        String v = env.get(var);
        if (v != null) {
          raw.put(s.key(), v);
          origin.put(s.key(), "environment variable " + var);
          break;
        }
      }
    }
    env.forEach((k, v) -> {
      if (k.startsWith(ENV_KAFKA_PROPERTIES) && k.length() > ENV_KAFKA_PROPERTIES.length()) {
        String prop = k.substring(ENV_KAFKA_PROPERTIES.length()).toLowerCase(Locale.ROOT).replace('_', '.');
        raw.put(Settings.KAFKA_PROPERTIES_PREFIX + prop, v);
        origin.put(Settings.KAFKA_PROPERTIES_PREFIX + prop, "environment variable " + k);
      }
    });
  }

  private void readOverrides(Map<String, String> overrides) {
    overrides.forEach((k, v) -> {
      if (v != null) {
        raw.put(k, v);
        origin.put(k, "command line");
      }
    });
  }

  private void readYaml(Path file, List<String> problems) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      problems.add("cannot read configuration file " + file + ": " + e.getMessage());
      return;
    }
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(text);
    } catch (IOException e) {
      problems.add("configuration file " + file + " is not valid YAML: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
      return;
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      return; // an empty file is a valid, empty configuration
    }
    if (!root.isObject()) {
      problems.add("configuration file " + file + " must hold a mapping of keys, not a " + root.getNodeType());
      return;
    }
    flatten("", root, "file " + file);
  }

  private void flatten(String prefix, JsonNode node, String where) {
    node.fields().forEachRemaining(e -> {
      String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      JsonNode v = e.getValue();
      if (v.isObject()) {
        flatten(key, v, where);
      } else {
        String text;
        if (v.isArray()) {
          List<String> items = new ArrayList<>();
          v.forEach(i -> items.add(i.asText()));
          text = String.join(",", items);
        } else {
          text = v.isNull() ? null : v.asText();
        }
        raw.put(key, text);
        origin.put(key, where);
      }
    });
  }

  private static List<String> envNames(Setting s) {
    // Aliases first: QODER_PAT is the documented way to pass the token.
    List<String> names = new ArrayList<>(s.aliases());
    names.add(s.envVar());
    return names;
  }
}

package com.qoder.kafka.config;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One configuration key: its name, type, default, documentation and environment variable.
 *
 * <p>Settings are declared once, in {@link Settings}; the README's configuration table, the
 * environment-variable mapping, validation and {@code config check} all read that declaration.
 *
 * @param key dotted key as written in the YAML file, e.g. {@code kafka.bootstrap-servers}
 * @param type how the text value is parsed and validated
 * @param defaultValue default as text (null: no default; the setting is optional or required)
 * @param required whether start-up fails when no value is given
 * @param doc one-sentence description for users
 * @param choices allowed values of {@link Type#ENUM} settings
 * @param aliases extra environment variables read for this key (e.g. {@code QODER_PAT})
 */
public record Setting(String key, Type type, String defaultValue, boolean required, String doc,
    List<String> choices, List<String> aliases) {

  /** How a setting's text is parsed. */
  public enum Type { STRING, INT, BOOLEAN, DURATION, SIZE, LIST, ENUM, SECRET, PATH, URL }

  public Setting {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(doc, "doc");
    choices = List.copyOf(choices);
    aliases = List.copyOf(aliases);
  }

  /** The environment variable derived from the key: upper case, {@code .} and {@code -} → {@code _}. */
  public String envVar() {
    return envVarFor(key);
  }

  public static String envVarFor(String key) {
    return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  public boolean isSecret() {
    return type == Type.SECRET;
  }
}

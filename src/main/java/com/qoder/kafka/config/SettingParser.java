package com.qoder.kafka.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the text of one setting into its typed value. A wrong value throws
 * {@link IllegalArgumentException} with what was expected; {@link ConfigLoader} adds the key and
 * where the value came from.
 */
final class SettingParser {

  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|kb|kib|mb|mib|gb|gib)?");

  private SettingParser() {}

  static Object parse(Setting s, String text) {
    switch (s.type()) {
      case STRING:
        return text;
      case INT:
        try {
          return Integer.parseInt(text);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("not an integer");
        }
      case BOOLEAN:
        if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
          return Boolean.parseBoolean(text);
        }
        throw new IllegalArgumentException("expected true or false");
      case DURATION:
        return parseDuration(text);
      case SIZE:
        return parseSize(text);
      case LIST:
        return splitList(text);
      case ENUM:
        String v = text.toLowerCase(Locale.ROOT);
        if (!s.choices().contains(v)) {
          throw new IllegalArgumentException("expected one of " + s.choices());
        }
        return v;
      case SECRET:
        return Secret.of(text);
      case PATH:
        return Path.of(text);
      case URL:
        try {
          URI u = new URI(text);
          if (u.getScheme() == null || u.getHost() == null
              || !(u.getScheme().equals("http") || u.getScheme().equals("https"))) {
            throw new IllegalArgumentException("expected an http(s) URL such as https://openapi.qoder.sh");
          }
          return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
        } catch (URISyntaxException e) {
          throw new IllegalArgumentException("not a URL: " + e.getReason());
        }
      default:
        throw new IllegalStateException(s.type().toString());
    }
  }

  /** Parses {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, {@code 1d} or ISO-8601 {@code PT30S}. */
  static Duration parseDuration(String text) {
    Matcher m = DURATION.matcher(text.toLowerCase(Locale.ROOT));
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
    try {
      return Duration.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("not a duration; use a unit, e.g. 500ms, 30s, 2m");
    }
  }

  static long parseSize(String text) {
    Matcher m = SIZE.matcher(text.toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("not a size; use e.g. 1048576, 512KiB, 64MiB, 1GiB");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "b" : m.group(2);
    long mult = switch (unit) {
      case "kb" -> 1000L;
      case "kib" -> 1024L;
      case "mb" -> 1000_000L;
      case "mib" -> 1024L * 1024;
      case "gb" -> 1000_000_000L;
      case "gib" -> 1024L * 1024 * 1024;
      default -> 1L;
    };
    return Math.multiplyExact(n, mult);
  }

  static List<String> splitList(String text) {
    return Arrays.stream(text.split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList();
  }

  /** Renders {@code d} as {@code 500ms}, {@code 30s} or {@code 2m}, a form {@link #parseDuration} reads back. */
  static String formatDuration(Duration d) {
    long ms = d.toMillis();
    if (ms % 1000 != 0) {
      return ms + "ms";
    }
    long s = ms / 1000;
    return s % 60 == 0 && s >= 60 ? (s / 60) + "m" : s + "s";
  }
}

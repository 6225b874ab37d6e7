package com.qoder.kafka.cli;

import com.qoder.kafka.config.ConfigLoader;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a command-line duration: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, an ISO-8601
 * {@code PT30S}, or a bare number of seconds ({@code --duration 60}: what people type). Negative
 * values are refused here, so a typo fails as a usage error (exit 2, one line) instead of a stack
 * trace from deep inside a command.
 */
final class DurationConverter implements ITypeConverter<Duration> {

  @Override
  public Duration convert(String value) {
    String text = value == null ? "" : value.trim();
    if (text.isEmpty()) {
      throw new TypeConversionException("empty; expected a duration such as 60s, 5m or 500ms");
    }
    if (text.startsWith("-")) {
      throw new TypeConversionException("'" + value + "' is negative; expected a duration such as 60s, 5m or 500ms");
    }
    if (text.chars().allMatch(Character::isDigit)) {
      try {
        return Duration.ofSeconds(Long.parseLong(text));
      } catch (NumberFormatException e) {
        throw new TypeConversionException("'" + value + "' is too large; expected a duration such as 60s or 5m");
      }
    }
    try {
      Duration d = ConfigLoader.parseDuration(text);
      if (d.isNegative()) {
        throw new TypeConversionException("'" + value + "' is negative; expected a duration such as 60s or 5m");
      }
      return d;
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new TypeConversionException("'" + value + "' is not a duration; expected e.g. 60s, 5m, 500ms or a"
          + " number of seconds");
    }
  }

  /** The way a user writes it: {@code 15s}, {@code 1m30s}, {@code 500ms}. */
  static String format(Duration d) {
    return d.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
  }
}

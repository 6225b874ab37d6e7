package com.qoder.kafka.signal;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * The {@code signal} command's logic: builds a signal from the command's arguments (every mistake an
 * {@link IllegalArgumentException} with the expected form) and writes it.
 */
public final class SignalRequests {

  private SignalRequests() {}

  /** What was written: the signal and where to follow it. */
  public record Written(Signal signal, String topic, int partition, long offset, String notificationsTopic) {
    public String describe() {
      return "signal " + signal.id() + " (" + signal.type().id() + (signal.session() == null ? ""
          : " " + signal.session()) + (signal.mode() == null ? "" : ", mode " + signal.mode().id())
          + (signal.from() == null ? "" : ", from " + signal.from()) + ") written to " + topic + "[" + partition
          + "]@" + offset + "; the owning instance answers on topic " + notificationsTopic
          + " (key " + signal.id() + ") and shows it on its status page";
    }
  }

  /**
   * Parses {@code --from}: an ISO-8601 instant ({@code 2025-06-01T12:00:00Z}) or a date ({@code
   * 2025-06-01}, midnight UTC).
   */
  public static Instant parseFrom(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("--from is empty; expected an ISO-8601 instant such as 2025-06-01T12:00:00Z"
          + " or a date such as 2025-06-01");
    }
    String t = text.trim();
    try {
      return Instant.parse(t);
    } catch (DateTimeParseException e) {
      try {
        return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant();
      } catch (DateTimeParseException e2) {
        throw new IllegalArgumentException("--from '" + text + "' is not a time; expected an ISO-8601 instant such as"
            + " 2025-06-01T12:00:00Z or a date such as 2025-06-01");
      }
    }
  }

  /** Builds a signal (a fresh id when {@code id} is null), validating every argument. */
  public static Signal build(Signal.Type type, String id, String session, Instant from, Signal.Mode mode) {
    if (type != Signal.Type.RESYNC_FILES && (session == null || session.isBlank())) {
      throw new IllegalArgumentException("--session is required: the session to " + type.id());
    }
    return new Signal(id == null ? Signal.newId() : id, type, session, from, mode, Instant.now());
  }

  /** Writes {@code signal} to {@code signalsTopic}. */
  public static Written write(String bootstrapServers, Map<String, Object> clientConfig, String signalsTopic,
      String notificationsTopic, Signal signal, Duration timeout) {
    var md = SignalSender.send(bootstrapServers, clientConfig, signalsTopic, signal, timeout);
    return new Written(signal, signalsTopic, md.partition(), md.offset(), notificationsTopic);
  }
}

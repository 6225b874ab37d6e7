package com.qoder.kafka.offsets;

import java.util.Objects;

/**
 * Key of an offset record: {@code <source>/<entity>}, for example {@code events/sess_0123…} or
 * {@code files/all}. Its string form is the Kafka record key (UTF-8).
 */
public record OffsetKey(OffsetSource source, String entity) {

  public OffsetKey {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(entity, "entity");
    if (entity.isEmpty()) {
      throw new IllegalArgumentException("the entity of an offset key must not be empty");
    }
  }

  public static OffsetKey events(String sessionId) {
    return new OffsetKey(OffsetSource.EVENTS, sessionId);
  }

  public static OffsetKey resources(String sessionId) {
    return new OffsetKey(OffsetSource.RESOURCES, sessionId);
  }

  public static OffsetKey files(String purposeOrAll) {
    return new OffsetKey(OffsetSource.FILES, purposeOrAll);
  }

  public static OffsetKey sessions(String organizationId) {
    return new OffsetKey(OffsetSource.SESSIONS, organizationId);
  }

  /**
   * The progress of signal {@code signalId} acting on {@code target} (a session id, or an offset key
   * such as {@code files/all}); the signal id must not contain '/'.
   */
  public static OffsetKey signal(String target, String signalId) {
    if (signalId.isEmpty() || signalId.indexOf('/') >= 0) {
      throw new IllegalArgumentException("a signal id must be non-empty and without '/', was '" + signalId + "'");
    }
    return new OffsetKey(OffsetSource.SIGNAL, target + "/" + signalId);
  }

  /**
   * What the record's offsets partition is hashed from: the session id for per-session sources,
   * the signal's target for signals, the whole key otherwise.
   */
  public String partitionKey() {
    if (source.perSession()) {
      return entity;
    }
    if (source == OffsetSource.SIGNAL) {
      int slash = entity.lastIndexOf('/');
      return slash > 0 ? entity.substring(0, slash) : entity;
    }
    return asString();
  }

  /** Parses {@code <source>/<entity>}; the entity may itself contain '/'. */
  public static OffsetKey parse(String key) {
    int slash = key.indexOf('/');
    if (slash <= 0 || slash == key.length() - 1) {
      throw new IllegalArgumentException("offset key '" + key + "' is not of the form <source>/<entity>");
    }
    return new OffsetKey(OffsetSource.fromId(key.substring(0, slash)), key.substring(slash + 1));
  }

  /** The session id for per-session sources, else null. */
  public String sessionId() {
    return source.perSession() ? entity : null;
  }

  /** The Kafka record key. */
  public String asString() {
    return source.id() + "/" + entity;
  }

  @Override
  public String toString() {
    return asString();
  }
}

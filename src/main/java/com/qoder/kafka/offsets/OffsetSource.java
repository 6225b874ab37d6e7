package com.qoder.kafka.offsets;

/**
 * What an offset record tracks: the first segment of its key ({@code events/sess_…}).
 * Per-session sources are partitioned by session id; the others by their whole key.
 */
public enum OffsetSource {
  /** Events of one session; entity = session id ({@code sess_…}). */
  EVENTS("events", true),
  /** Resources of one session; entity = session id. */
  RESOURCES("resources", true),
  /** Files; entity = purpose, or {@code all}. */
  FILES("files", false),
  /** The sessions list; entity = organization id (counters; marks of versions before per-session records). */
  SESSIONS("sessions", false),
  /** Lifecycle transitions reported for one session (CREATED, RELEASED); entity = session id. */
  LIFECYCLE("lifecycle", true),
  /**
   * Progress of one live signal; entity = {@code <target>/<signal id>}, the target a session id or
   * another offset key ({@code files/all}). Partitioned by the target, so the progress lives in the
   * partition of what the signal acts on and moves with its ownership.
   */
  SIGNAL("signal", false);

  private final String id;
  private final boolean perSession;

  OffsetSource(String id, boolean perSession) {
    this.id = id;
    this.perSession = perSession;
  }

  /** The key prefix, stable forever (it is in the compacted topic). */
  public String id() {
    return id;
  }

  /** True when the entity is a session id, so the record is partitioned by it. */
  public boolean perSession() {
    return perSession;
  }

  public static OffsetSource fromId(String id) {
    for (OffsetSource s : values()) {
      if (s.id.equals(id)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown offset source '" + id + "' (known: events, resources, files, sessions, lifecycle, signal)");
  }
}

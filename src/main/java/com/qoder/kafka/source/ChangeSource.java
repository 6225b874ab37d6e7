package com.qoder.kafka.source;

/**
 * The change-data-capture sources besides events. Their ids are the prefixes of their offset keys
 * ({@code resources/<session id>}, {@code files/<purpose|all>}, {@code sessions/<organization>})
 * and the {@code source} tag of their metrics; stable forever.
 */
public enum ChangeSource {
  /** Resources of the followed sessions (document 000); one position per session. */
  RESOURCES("resources"),
  /** The account's files (document 001); one position per purpose filter. */
  FILES("files"),
  /** Session lifecycle transitions (document 004 and the events); one position per organization. */
  SESSIONS("sessions"),
  /**
   * Which lifecycle transitions of one session were reported; one position per session, in the
   * session's offsets partition, so it moves with the session's ownership.
   */
  LIFECYCLE("lifecycle");

  private final String id;

  ChangeSource(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }
}

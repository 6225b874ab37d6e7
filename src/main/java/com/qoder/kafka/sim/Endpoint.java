package com.qoder.kafka.sim;

/** The public endpoints of the simulator, as counted in the request log and scoped by faults. */
public enum Endpoint {
  /** {@code GET /v1/sessions/{id}/events}, {@code GET /api/v1/cloud/sessions/{id}/events} (document 002). */
  EVENTS("events"),
  /** {@code GET /api/v1/cloud/sessions/{id}/resources}, {@code /v1/sessions/{id}/resources} (document 000). */
  RESOURCES("resources"),
  /** {@code GET /v1/files}, {@code GET /api/v1/cloud/files} (document 001). */
  FILES("files"),
  /** {@code GET /api/v1/cloud/agents}, {@code /v1/agents}: the generic list of document 003. */
  AGENTS("agents"),
  /** {@code GET /api/v1/sessions}, {@code /v1/sessions} (document 004). */
  SESSIONS("sessions"),
  /** {@code GET /api/v1/sessions/{sessionId}}, {@code /v1/sessions/{sessionId}} (document 004). */
  SESSION("session"),
  /** Any other path: answered 404. */
  UNKNOWN("unknown");

  private final String label;

  Endpoint(String label) {
    this.label = label;
  }

  /** Short lower-case name used in the control API's JSON. */
  public String label() {
    return label;
  }

  /** The endpoint for a label (case-insensitive); IllegalArgumentException names the valid ones. */
  public static Endpoint ofLabel(String label) {
    for (Endpoint e : values()) {
      if (e.label.equalsIgnoreCase(label) || e.name().equalsIgnoreCase(label)) {
        return e;
      }
    }
    throw new IllegalArgumentException("unknown endpoint '" + label
        + "'; expected one of events, resources, files, agents, sessions, session, unknown");
  }
}

package com.qoder.kafka.sim;

/**
 * The event types of document 002, plus {@code CUSTOM} for any other type string (unknown types
 * injected by tests or by the unknown-event-type fault; the actual type then lives in the event's
 * extra data).
 */
enum EventKind {
  USER_MESSAGE("user.message"),
  AGENT_MESSAGE("agent.message"),
  AGENT_THINKING("agent.thinking"),
  STATUS_RESCHEDULED("session.status_rescheduled"),
  STATUS_IDLE("session.status_idle"),
  SESSION_ERROR("session.error"),
  MODEL_REQUEST_START("span.model_request_start"),
  MODEL_REQUEST_END("span.model_request_end"),
  TERMINATED("terminated"),
  CUSTOM(null);

  private static final EventKind[] VALUES = values();

  final String wireType;

  EventKind(String wireType) {
    this.wireType = wireType;
  }

  static EventKind of(int ordinal) {
    return VALUES[ordinal];
  }

  /** The documented kind for a wire type, or {@code CUSTOM} for anything else. */
  static EventKind forType(String type) {
    for (EventKind k : VALUES) {
      if (k.wireType != null && k.wireType.equals(type)) {
        return k;
      }
    }
    return CUSTOM;
  }
}

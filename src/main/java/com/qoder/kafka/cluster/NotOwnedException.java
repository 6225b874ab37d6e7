package com.qoder.kafka.cluster;

/**
 * A page or offset of a session this instance does not own (any more): it was not written. The
 * session's partition moved to another instance, which continues from the committed offsets.
 */
public final class NotOwnedException extends RuntimeException {

  NotOwnedException(String sessionId) {
    super("session " + sessionId + " is not owned by this instance (its offsets partition moved to another"
        + " instance); nothing was written for it", null, false, false);
  }
}

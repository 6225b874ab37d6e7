package com.qoder.kafka.cluster;

/**
 * A page or offset of a session this instance does not own (any more): it was not written. The
 * session's partition moved to another instance, which continues from the committed offsets.
 */
public final class NotOwnedException extends RuntimeException {

  /** @param sessionId the session, or the offset key of a change source's position ({@code files/all}) */
  NotOwnedException(String sessionId) {
    super((sessionId.indexOf('/') >= 0 ? "" : "session ") + sessionId + " is not owned by this instance (its"
        + " offsets partition moved to another instance); nothing was written for it", null, false, false);
  }
}

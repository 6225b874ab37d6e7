package com.qoder.kafka.sim;

import java.util.List;

/**
 * Everything the simulator ever created for one session, for checkers that compare a topic with
 * the source.
 *
 * @param sessionId canonical {@code sess_} id
 * @param eventIds every event id in creation (= API) order, deleted ones included
 * @param deletedEventIds ids deleted through the control API (no longer served)
 * @param terminated the session ended with a {@code terminated} event
 * @param released the session has a {@code releasedAt}
 * @param deleted the session itself was deleted (its endpoints answer 404)
 */
public record GroundTruth(String sessionId, List<String> eventIds, List<String> deletedEventIds,
    boolean terminated, boolean released, boolean deleted) {

  public GroundTruth {
    eventIds = List.copyOf(eventIds);
    deletedEventIds = List.copyOf(deletedEventIds);
  }
}

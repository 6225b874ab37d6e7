package com.qoder.kafka.checker;

import com.qoder.kafka.sim.GroundTruth;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What must reach Kafka for one session: its event ids in API order, plus ids that may but need
 * not arrive (events deleted upstream: the connector may have delivered them before the deletion).
 * Anything else found for the session counts as unexpected.
 *
 * @param sessionId canonical {@code sess_} id — also the record key
 * @param eventIds required ids, in the API's chronological order
 * @param optionalIds ids allowed but not required (never counted as missing or unexpected)
 */
public record Expected(String sessionId, List<String> eventIds, Set<String> optionalIds) {

  public Expected {
    eventIds = List.copyOf(eventIds);
    optionalIds = Set.copyOf(optionalIds);
  }

  /** Every event the simulator created for the session; deleted ones optional. */
  public static Expected of(GroundTruth truth) {
    return of(truth, id -> true);
  }

  /**
   * The events of {@code truth} accepted by {@code required} (in order); events it rejects must
   * not arrive (e.g. history skipped by start-position latest). Deleted events stay optional.
   */
  public static Expected of(GroundTruth truth, Predicate<String> required) {
    Set<String> deleted = new HashSet<>(truth.deletedEventIds());
    List<String> ids = new ArrayList<>();
    for (String id : truth.eventIds()) {
      if (!deleted.contains(id) && required.test(id)) {
        ids.add(id);
      }
    }
    return new Expected(truth.sessionId(), ids, deleted);
  }

  /** {@link #of(GroundTruth)} for every session of {@code truth} (e.g. {@code sim.groundTruth()}). */
  public static List<Expected> all(Map<String, GroundTruth> truth) {
    return all(truth.values());
  }

  public static List<Expected> all(Collection<GroundTruth> truth) {
    return truth.stream().map(Expected::of).toList();
  }
}

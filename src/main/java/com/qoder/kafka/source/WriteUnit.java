package com.qoder.kafka.source;

import java.util.Collection;
import reactor.core.publisher.Mono;

/**
 * Groups a change source's step — its records and the position records that say they were
 * reported — into one unit of writing. Exactly-once: one transaction, so both become visible
 * together or not at all (an aborted unit's sessions get their stored positions back before they
 * are worked again). At-least-once: {@link #NONE}, the step as it is.
 */
@FunctionalInterface
public interface WriteUnit {

  WriteUnit NONE = (sessionIds, work) -> work;

  /**
   * Runs {@code work} as one unit; {@code sessionIds} are the sessions it writes about (each must
   * still belong to this instance).
   */
  Mono<Void> around(Collection<String> sessionIds, Mono<Void> work);
}

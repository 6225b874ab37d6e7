package com.qoder.kafka.source;

import java.util.Map;
import java.util.Objects;

/**
 * The stored position of one entity of a change source (a session's resources, the files list, an
 * organization's sessions), written to the offsets topic after the changes it reflects were
 * acknowledged.
 *
 * @param source which source
 * @param entity the session id, purpose filter ({@code all} without one) or organization
 *     ({@code default} for the token's default organization)
 * @param cursor the source's main cursor (the files high-water mark id), or null
 * @param delivered records delivered so far (running total)
 * @param deadLettered records dead-lettered so far (running total)
 * @param attributes the source's state in compact text form (small, string-valued)
 */
public record Checkpoint(ChangeSource source, String entity, String cursor, long delivered, long deadLettered,
    Map<String, String> attributes) {

  public Checkpoint {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(entity, "entity");
    attributes = Map.copyOf(attributes);
  }

  public String attribute(String name, String fallback) {
    return attributes.getOrDefault(name, fallback);
  }
}

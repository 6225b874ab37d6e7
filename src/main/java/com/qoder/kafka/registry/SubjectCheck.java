package com.qoder.kafka.registry;

import java.util.List;
import java.util.Objects;
import org.apache.avro.Schema;

/**
 * Where one of the connector's schemas stands in the registry, for {@code schemas check}: not
 * registered at all, or compatible / incompatible with the subject's latest version under the
 * subject's compatibility level — the check a producer's registration would face.
 *
 * @param subject the subject checked
 * @param state the verdict
 * @param latestVersion version number of the subject's latest version (0 when not registered)
 * @param registeredId the global id of exactly this schema under the subject, or 0 when this
 *     schema is not (yet) one of its versions
 * @param level the compatibility level applied (null when not registered)
 * @param messages the registry's reasons for an incompatibility
 */
public record SubjectCheck(String subject, State state, int latestVersion, int registeredId, String level,
    List<String> messages) {

  /** The verdict for one subject. */
  public enum State { COMPATIBLE, INCOMPATIBLE, NOT_REGISTERED }

  public SubjectCheck {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(state, "state");
    messages = List.copyOf(messages);
  }

  /**
   * Checks {@code schema} under {@code subject}. Blocking (see {@link SchemaRegistry}).
   *
   * @throws SchemaRegistryException when the registry cannot be asked (unreachable, unauthorized)
   */
  public static SubjectCheck of(SchemaRegistry registry, String subject, Schema schema) {
    SubjectVersion latest;
    try {
      latest = registry.latest(subject);
    } catch (SchemaRegistryException e) {
      if (e.reason() == SchemaRegistryException.Reason.NOT_FOUND
          || e.reason() == SchemaRegistryException.Reason.NOT_REGISTERED) {
        return new SubjectCheck(subject, State.NOT_REGISTERED, 0, 0, null, List.of());
      }
      throw e;
    }
    int id = 0;
    try {
      id = registry.lookup(subject, schema);
    } catch (SchemaRegistryException e) {
      if (e.reason() != SchemaRegistryException.Reason.NOT_REGISTERED) {
        throw e;
      }
    }
    String level = registry.compatibilityLevel(subject);
    if (id == 0) {
      // The connector's own verdict first, worded as the start-up error is (registries differ in
      // theirs, and some check only the latest version whatever the level).
      java.util.Optional<SchemaEvolution.Refusal> own =
          SchemaEvolution.check(subject, level, schema, registry.versions(subject));
      if (own.isPresent()) {
        return new SubjectCheck(subject, State.INCOMPATIBLE, latest.version(), 0, level,
            List.of(own.get().message()));
      }
    }
    CompatibilityCheck check = registry.checkCompatibility(subject, schema);
    return new SubjectCheck(subject, check.compatible() ? State.COMPATIBLE : State.INCOMPATIBLE,
        latest.version(), id, level, check.messages());
  }
}

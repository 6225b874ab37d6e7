package com.qoder.kafka.registry;

import java.util.Objects;
import org.apache.avro.Schema;

/**
 * A schema resolved at start-up to its registry id under a subject. Serializers hold one of these,
 * so producing a record never waits on the registry.
 */
public record RegisteredSchema(String subject, int id, Schema schema) {

  public RegisteredSchema {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(schema, "schema");
  }

  @Override
  public String toString() {
    // The schema JSON can be tens of kilobytes; logs want the name.
    return "RegisteredSchema[subject=" + subject + ", id=" + id + ", schema="
        + schema.getFullName() + "]";
  }
}

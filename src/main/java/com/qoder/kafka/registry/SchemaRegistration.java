package com.qoder.kafka.registry;

import java.util.Objects;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start-up step that turns a topic's Avro schema into a {@link RegisteredSchema}: with
 * {@code auto-register} on it registers the schema (idempotent: an identical schema keeps its id);
 * off, it only looks the schema up and fails with
 * {@link SchemaRegistryException.Reason#NOT_REGISTERED} if nobody registered it. Either way the
 * producer then frames records with the returned id and never calls the registry again.
 *
 * <p>Blocking (see {@link SchemaRegistry}); run it before the pipeline starts.
 */
public final class SchemaRegistration {

  private static final Logger log = LoggerFactory.getLogger(SchemaRegistration.class);

  private final SchemaRegistry registry;
  private final boolean autoRegister;
  private final SubjectNameStrategy strategy;

  public SchemaRegistration(SchemaRegistry registry, RegistryOptions options) {
    this(registry, options.autoRegister(), options.subjectNameStrategy());
  }

  public SchemaRegistration(
      SchemaRegistry registry, boolean autoRegister, SubjectNameStrategy strategy) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.autoRegister = autoRegister;
    this.strategy = Objects.requireNonNull(strategy, "strategy");
  }

  /** Resolves the value schema of {@code topic}. */
  public RegisteredSchema forValue(String topic, Schema schema) {
    return resolve(strategy.subjectName(topic, false, schema), schema);
  }

  /** Resolves the key schema of {@code topic}. */
  public RegisteredSchema forKey(String topic, Schema schema) {
    return resolve(strategy.subjectName(topic, true, schema), schema);
  }

  /** Registers or looks up {@code schema} under an explicit subject. */
  public RegisteredSchema resolve(String subject, Schema schema) {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(schema, "schema");
    int id;
    try {
      id = autoRegister ? registry.register(subject, schema) : registry.lookup(subject, schema);
    } catch (SchemaRegistryException e) {
      if (e.reason() == SchemaRegistryException.Reason.INCOMPATIBLE) {
        throw explain(subject, schema, e);
      }
      throw e;
    }
    log.info("Schema {} is id {} under subject '{}' in {} ({})", schema.getFullName(), id, subject,
        registry.describe(), autoRegister ? "registered" : "looked up, auto-register off");
    return new RegisteredSchema(subject, id, schema);
  }

  /**
   * The registry refused the schema: find the offending field ourselves, with Avro's
   * SchemaCompatibility against the subject's versions under its level, because each registry
   * words its 409 differently (Apicurio names only a JSON pointer). Falls back to the registry's
   * words when our check finds nothing (a level this client does not know, say).
   */
  private SchemaRegistryException explain(String subject, Schema schema, SchemaRegistryException refused) {
    try {
      String level = registry.compatibilityLevel(subject);
      return SchemaEvolution.check(subject, level, schema, registry.versions(subject))
          .map(r -> new SchemaRegistryException(SchemaRegistryException.Reason.INCOMPATIBLE, refused.httpStatus(),
              refused.errorCode(), refused.serverMessage(), r.message(), refused))
          .orElse(refused);
    } catch (SchemaRegistryException e) {
      refused.addSuppressed(e);
      return refused;
    }
  }
}

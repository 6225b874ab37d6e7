package com.qoder.kafka.registry;

import org.apache.avro.Schema;

/**
 * The Confluent Schema Registry operations the connector needs, for Avro schemas.
 *
 * <p>Obtain one from {@link SchemaRegistries#create(RegistryOptions)}: over HTTP (Confluent
 * Schema Registry, Redpanda, Karapace, Apicurio's {@code /apis/ccompat/v7}) or in-process for
 * {@code mock://scope}. Both answer with the same ids, versions and errors.
 *
 * <p><b>Blocking.</b> Every method may block on network I/O (registration happens at start-up and
 * in admin commands, where that is fine). The HTTP implementation refuses to run on a non-blocking
 * thread (a Reactor Netty event loop, {@code Schedulers.parallel()}) and throws
 * {@link IllegalStateException} there; call it at start-up, from a CLI thread, or on
 * {@code Schedulers.boundedElastic()}. Answers already cached are served on any thread.
 *
 * <p>Failures are {@link SchemaRegistryException}s. Implementations are thread-safe.
 */
public interface SchemaRegistry extends AutoCloseable {

  /**
   * Registers {@code schema} under {@code subject} ({@code POST /subjects/{subject}/versions}) and
   * returns its global id. Idempotent: an identical schema gets its existing id back.
   *
   * @throws SchemaRegistryException {@code INCOMPATIBLE}, {@code INVALID_SCHEMA},
   *     {@code UNAUTHORIZED}, {@code UNREACHABLE}, {@code SERVER_ERROR}
   */
  int register(String subject, Schema schema);

  /**
   * Returns the id of {@code schema} if it is already registered under {@code subject}
   * ({@code POST /subjects/{subject}}), without registering anything.
   *
   * @throws SchemaRegistryException {@code NOT_REGISTERED} when the subject or the schema is
   *     absent
   */
  int lookup(String subject, Schema schema);

  /**
   * The schema with global id {@code id} ({@code GET /schemas/ids/{id}}).
   *
   * @throws SchemaRegistryException {@code NOT_FOUND} for an unknown id
   */
  Schema schemaById(int id);

  /**
   * The latest version of {@code subject} ({@code GET /subjects/{subject}/versions/latest}).
   *
   * @throws SchemaRegistryException {@code NOT_FOUND} when the subject has no version
   */
  SubjectVersion latest(String subject);

  /**
   * Every version of {@code subject}, oldest first ({@code GET /subjects/{subject}/versions}, then
   * each version); empty when the subject does not exist. For explaining a refusal and for
   * {@code schemas check} under a transitive level.
   */
  java.util.List<SubjectVersion> versions(String subject);

  /**
   * Checks {@code schema} against the latest version of {@code subject} under the subject's
   * compatibility level ({@code POST /compatibility/subjects/{subject}/versions/latest?verbose=true}).
   * A subject with no version yet accepts any schema.
   */
  CompatibilityCheck checkCompatibility(String subject, Schema schema);

  /** Shorthand for {@code checkCompatibility(subject, schema).compatible()}. */
  default boolean isCompatible(String subject, Schema schema) {
    return checkCompatibility(subject, schema).compatible();
  }

  /**
   * The compatibility level that applies to {@code subject} (e.g. {@code BACKWARD}): the subject's
   * own, else the global one ({@code GET /config/{subject}?defaultToGlobal=true}, falling back to
   * {@code GET /config} on registries that do not know {@code defaultToGlobal}).
   */
  String compatibilityLevel(String subject);

  /** Where this registry is, for logs: URLs without credentials, or {@code mock://scope}. */
  String describe();

  /** Releases connections. Does not clear a {@code mock://} scope. */
  @Override
  void close();
}

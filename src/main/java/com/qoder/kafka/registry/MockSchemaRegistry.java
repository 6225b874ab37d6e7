package com.qoder.kafka.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

/**
 * An in-process Schema Registry for {@code mock://scope} URLs, shared by every user of the same
 * scope in this JVM (as Confluent's {@code MockSchemaRegistry}): the demo's producer and its
 * printing consumer see the same ids without a server.
 *
 * <p>It behaves like Confluent's server where the connector can tell: global ids from 1, the same
 * schema text gets the same id in every subject, versions from 1 per subject, registering an
 * identical schema returns the existing id, and a new version must pass the subject's
 * compatibility level (default {@code BACKWARD}, checked with Avro's {@link SchemaCompatibility})
 * or fails like a 409. Errors carry Confluent's status and error codes. Thread-safe (one lock per
 * scope; it serves start-up and tests, not the hot path).
 */
final class MockSchemaRegistry implements SchemaRegistry {

  static final String DEFAULT_COMPATIBILITY = "BACKWARD";

  private static final Map<String, MockSchemaRegistry> SCOPES = new ConcurrentHashMap<>();

  private record Version(int version, int id, Schema schema) {}

  private final String scope;
  private final Map<String, List<Version>> subjects = new HashMap<>();
  private final Map<Integer, Schema> schemasById = new HashMap<>();
  private final Map<String, Integer> idsBySchemaText = new HashMap<>();
  private final Map<String, String> subjectLevels = new HashMap<>();
  private String globalLevel = DEFAULT_COMPATIBILITY;
  private int nextId = 1;

  private MockSchemaRegistry(String scope) {
    this.scope = scope;
  }

  /** The registry of {@code scope}, created on first use. */
  static MockSchemaRegistry forScope(String scope) {
    return SCOPES.computeIfAbsent(scope, MockSchemaRegistry::new);
  }

  /** Forgets a scope: its next user starts from an empty registry (ids from 1 again). */
  static void dropScope(String scope) {
    SCOPES.remove(scope);
  }

  @Override
  public synchronized int register(String subject, Schema schema) {
    String text = schema.toString();
    List<Version> versions = subjects.computeIfAbsent(subject, s -> new ArrayList<>());
    for (Version v : versions) {
      if (v.schema.toString().equals(text)) {
        return v.id;
      }
    }
    String level = levelOf(subject);
    List<String> problems = incompatibilities(level, versions, schema);
    if (!problems.isEmpty()) {
      if (versions.isEmpty()) {
        subjects.remove(subject);
      }
      String serverMessage = "Schema being registered is incompatible with an earlier schema for"
          + " subject \"" + subject + "\", details: " + problems;
      throw RegistryErrors.incompatible(
          subject, level, 409, RegistryErrors.INCOMPATIBLE_SCHEMA, serverMessage);
    }
    Integer id = idsBySchemaText.get(text);
    if (id == null) {
      id = nextId++;
      idsBySchemaText.put(text, id);
      schemasById.put(id, schema);
    }
    versions.add(new Version(versions.size() + 1, id, schema));
    return id;
  }

  @Override
  public synchronized int lookup(String subject, Schema schema) {
    List<Version> versions = subjects.get(subject);
    if (versions == null || versions.isEmpty()) {
      throw RegistryErrors.notRegistered(subject, 404, RegistryErrors.SUBJECT_NOT_FOUND,
          "Subject '" + subject + "' not found.");
    }
    String text = schema.toString();
    for (Version v : versions) {
      if (v.schema.toString().equals(text)) {
        return v.id;
      }
    }
    throw RegistryErrors.notRegistered(subject, 404, RegistryErrors.SCHEMA_NOT_FOUND,
        "Schema not found");
  }

  @Override
  public synchronized Schema schemaById(int id) {
    Schema schema = schemasById.get(id);
    if (schema == null) {
      throw RegistryErrors.schemaIdNotFound(describe(), id, 404, RegistryErrors.SCHEMA_NOT_FOUND,
          "Schema " + id + " not found");
    }
    return schema;
  }

  @Override
  public synchronized SubjectVersion latest(String subject) {
    List<Version> versions = subjects.get(subject);
    if (versions == null || versions.isEmpty()) {
      throw RegistryErrors.subjectNotFound(describe(), subject, 404,
          RegistryErrors.SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
    }
    Version last = versions.get(versions.size() - 1);
    return new SubjectVersion(subject, last.version, last.id, last.schema);
  }

  @Override
  public synchronized List<SubjectVersion> versions(String subject) {
    return subjects.getOrDefault(subject, List.of()).stream()
        .map(v -> new SubjectVersion(subject, v.version, v.id, v.schema)).toList();
  }

  @Override
  public synchronized CompatibilityCheck checkCompatibility(String subject, Schema schema) {
    List<Version> versions = subjects.getOrDefault(subject, List.of());
    List<String> problems = incompatibilities(levelOf(subject), versions, schema);
    return new CompatibilityCheck(problems.isEmpty(), problems);
  }

  @Override
  public synchronized String compatibilityLevel(String subject) {
    return levelOf(subject);
  }

  /** Sets the level of one subject, or the global level when {@code subject} is null. */
  synchronized void setCompatibilityLevel(String subject, String level) {
    String normalized = level.toUpperCase(Locale.ROOT);
    Level.valueOf(normalized); // rejects unknown levels
    if (subject == null) {
      globalLevel = normalized;
    } else {
      subjectLevels.put(subject, normalized);
    }
  }

  @Override
  public String describe() {
    return RegistryOptions.MOCK_PREFIX + scope;
  }

  @Override
  public void close() {
    // The scope outlives any one user, as with Confluent's MockSchemaRegistry.
  }

  @Override
  public String toString() {
    return "MockSchemaRegistry[" + describe() + "]";
  }

  private String levelOf(String subject) {
    return subjectLevels.getOrDefault(subject, globalLevel);
  }

  /** Confluent's compatibility levels: direction, and whether all versions or only the last. */
  private enum Level {
    NONE(false, false, false),
    BACKWARD(true, false, false),
    BACKWARD_TRANSITIVE(true, false, true),
    FORWARD(false, true, false),
    FORWARD_TRANSITIVE(false, true, true),
    FULL(true, true, false),
    FULL_TRANSITIVE(true, true, true);

    final boolean backward;
    final boolean forward;
    final boolean transitive;

    Level(boolean backward, boolean forward, boolean transitive) {
      this.backward = backward;
      this.forward = forward;
      this.transitive = transitive;
    }
  }

  private static List<String> incompatibilities(
      String levelName, List<Version> versions, Schema candidate) {
    Level level = Level.valueOf(levelName);
    List<String> problems = new ArrayList<>();
    if (versions.isEmpty() || level == Level.NONE) {
      return problems;
    }
    List<Version> against = level.transitive
        ? versions : List.of(versions.get(versions.size() - 1));
    for (Version old : against) {
      // BACKWARD: the new schema reads what the old one wrote; FORWARD: the other way round.
      if (level.backward) {
        describe(SchemaCompatibility.checkReaderWriterCompatibility(candidate, old.schema),
            old.version, "BACKWARD", problems);
      }
      if (level.forward) {
        describe(SchemaCompatibility.checkReaderWriterCompatibility(old.schema, candidate),
            old.version, "FORWARD", problems);
      }
    }
    if (!problems.isEmpty()) {
      problems.add("{compatibility: '" + level + "'}");
    }
    return problems;
  }

  private static void describe(SchemaCompatibility.SchemaPairCompatibility result, int oldVersion,
      String direction, List<String> problems) {
    if (result.getType() == SchemaCompatibilityType.COMPATIBLE) {
      return;
    }
    for (Incompatibility i : result.getResult().getIncompatibilities()) {
      problems.add("{errorType:'" + i.getType() + "', location:'" + i.getLocation()
          + "', description:'" + i.getMessage() + "', direction:'" + direction
          + "', oldSchemaVersion: " + oldVersion + "}");
    }
  }
}

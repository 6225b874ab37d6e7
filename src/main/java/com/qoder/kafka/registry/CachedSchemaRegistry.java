package com.qoder.kafka.registry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * Remembers what never changes in a registry: the id of a schema under a subject, and the schema
 * of an id. Each is fetched once; later calls are map lookups, safe on any thread.
 *
 * <p>Keys use {@code Schema.toString()}, the exact text sent to the registry, so two schemas that
 * Avro's {@code equals} treats alike but that the registry stores apart (a changed {@code doc},
 * say) are not confused. Compatibility answers, levels and "latest" can change, so they are not
 * cached. Two threads missing the same key at once may both ask the registry; the answers are
 * identical (registration is idempotent), so that costs a request, not correctness.
 */
final class CachedSchemaRegistry implements SchemaRegistry {

  private record SubjectSchema(String subject, String schema) {}

  private final SchemaRegistry delegate;
  private final Map<SubjectSchema, Integer> idBySubjectSchema = new ConcurrentHashMap<>();
  private final Map<Integer, Schema> schemaById = new ConcurrentHashMap<>();

  CachedSchemaRegistry(SchemaRegistry delegate) {
    this.delegate = delegate;
  }

  @Override
  public int register(String subject, Schema schema) {
    SubjectSchema key = new SubjectSchema(subject, schema.toString());
    Integer cached = idBySubjectSchema.get(key);
    if (cached != null) {
      return cached;
    }
    int id = delegate.register(subject, schema);
    remember(key, id, schema);
    return id;
  }

  @Override
  public int lookup(String subject, Schema schema) {
    SubjectSchema key = new SubjectSchema(subject, schema.toString());
    Integer cached = idBySubjectSchema.get(key);
    if (cached != null) {
      return cached;
    }
    int id = delegate.lookup(subject, schema);
    remember(key, id, schema);
    return id;
  }

  @Override
  public Schema schemaById(int id) {
    Schema cached = schemaById.get(id);
    if (cached != null) {
      return cached;
    }
    Schema schema = delegate.schemaById(id);
    Schema raced = schemaById.putIfAbsent(id, schema);
    return raced == null ? schema : raced;
  }

  @Override
  public SubjectVersion latest(String subject) {
    SubjectVersion latest = delegate.latest(subject);
    schemaById.putIfAbsent(latest.id(), latest.schema());
    return latest;
  }

  @Override
  public java.util.List<SubjectVersion> versions(String subject) {
    return delegate.versions(subject);
  }

  @Override
  public CompatibilityCheck checkCompatibility(String subject, Schema schema) {
    return delegate.checkCompatibility(subject, schema);
  }

  @Override
  public String compatibilityLevel(String subject) {
    return delegate.compatibilityLevel(subject);
  }

  @Override
  public String describe() {
    return delegate.describe();
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public String toString() {
    return "Cached" + delegate;
  }

  SchemaRegistry delegate() {
    return delegate;
  }

  private void remember(SubjectSchema key, int id, Schema schema) {
    idBySubjectSchema.putIfAbsent(key, id);
    schemaById.putIfAbsent(id, schema);
  }
}

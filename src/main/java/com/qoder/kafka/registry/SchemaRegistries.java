package com.qoder.kafka.registry;

import java.util.function.UnaryOperator;

/** Creates {@link SchemaRegistry} clients from {@link RegistryOptions}. */
public final class SchemaRegistries {

  private SchemaRegistries() {}

  /**
   * A caching client: over HTTP for {@code http(s)://} URLs, or the in-process registry shared by
   * every client of the same {@code mock://scope}. Close it to release its connections.
   */
  public static SchemaRegistry create(RegistryOptions options) {
    return create(options, UnaryOperator.identity());
  }

  /**
   * As {@link #create(RegistryOptions)}, with {@code aroundBackend} wrapped around the backend under
   * the cache: it sees only the calls that reach the registry (for timing them, say).
   */
  public static SchemaRegistry create(RegistryOptions options, UnaryOperator<SchemaRegistry> aroundBackend) {
    SchemaRegistry backend = options.isMock()
        ? MockSchemaRegistry.forScope(options.mockScope())
        : new HttpSchemaRegistry(options);
    return new CachedSchemaRegistry(aroundBackend.apply(backend));
  }

  /**
   * Empties a {@code mock://} scope (tests start from id 1 again). Clients created before keep
   * their caches, so create new ones after dropping.
   */
  public static void dropMockScope(String scope) {
    MockSchemaRegistry.dropScope(scope);
  }
}

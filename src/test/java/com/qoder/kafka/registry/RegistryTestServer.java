package com.qoder.kafka.registry;

/**
 * A Confluent-protocol Schema Registry over HTTP on 127.0.0.1:0 for tests outside this package
 * (the reliability matrix stops it while a connector runs, and child JVMs register against it).
 * Backed by {@link FakeConfluentRegistry}.
 */
public final class RegistryTestServer implements AutoCloseable {

  private final FakeConfluentRegistry fake = FakeConfluentRegistry.start();

  private RegistryTestServer() {}

  public static RegistryTestServer start() {
    return new RegistryTestServer();
  }

  public String url() {
    return fake.url();
  }

  /** Requests received so far (registration, look-ups, health checks). */
  public int requestCount() {
    return fake.requests().size();
  }

  /** Stops answering: the port is closed, clients get "connection refused". */
  @Override
  public void close() {
    fake.close();
  }
}

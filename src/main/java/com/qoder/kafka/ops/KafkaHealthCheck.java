package com.qoder.kafka.ops;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import reactor.core.publisher.Mono;

/**
 * Readiness of the Kafka cluster: {@code Admin#describeCluster} must answer with at least one
 * broker within the timeout.
 *
 * <p>Either wraps an {@link Admin} the caller owns ({@link #using}) or creates and owns one from
 * client properties ({@link #fromProperties}); {@link #close()} closes only an owned Admin. The
 * Admin client is asynchronous, so {@link #check()} never blocks a thread.
 */
public final class KafkaHealthCheck implements HealthCheck, AutoCloseable {

  /** Default budget for one describeCluster call. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  private final Admin admin;
  private final boolean owned;
  private final Duration timeout;

  private KafkaHealthCheck(Admin admin, boolean owned, Duration timeout) {
    this.admin = Objects.requireNonNull(admin, "admin");
    this.owned = owned;
    this.timeout = validTimeout(timeout);
  }

  private static Duration validTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("Kafka health check timeout must be positive: " + timeout);
    }
    return timeout;
  }

  /** A check over an Admin the caller keeps ownership of. */
  public static KafkaHealthCheck using(Admin admin, Duration timeout) {
    return new KafkaHealthCheck(admin, false, timeout);
  }

  /**
   * A check with its own Admin client built from {@code clientProperties} (bootstrap servers and
   * any security settings; the same map the producer gets). Close the check to close the Admin.
   */
  public static KafkaHealthCheck fromProperties(Map<String, ?> clientProperties, Duration timeout) {
    validTimeout(timeout); // before creating the Admin, so a bad argument leaks no client
    Map<String, Object> props = new HashMap<>(clientProperties);
    int ms = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    // A health probe must fail fast instead of waiting out the defaults (60 s api timeout).
    props.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
    props.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms);
    props.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "qoder-kafka-health");
    return new KafkaHealthCheck(Admin.create(props), true, timeout);
  }

  @Override
  public String name() {
    return "kafka";
  }

  @Override
  public Duration timeout() {
    // Leave the Admin call its own budget; the server-side timeout is a backstop.
    return timeout.plusSeconds(1);
  }

  @Override
  public Mono<HealthStatus> check() {
    return Mono.defer(
        () -> {
          DescribeClusterResult result =
              admin.describeCluster(
                  new DescribeClusterOptions()
                      .timeoutMs((int) Math.min(Integer.MAX_VALUE, timeout.toMillis())));
          KafkaFuture<Collection<Node>> nodes = result.nodes();
          KafkaFuture<String> clusterId = result.clusterId();
          return Mono.fromCompletionStage(nodes.toCompletionStage())
              .zipWith(Mono.fromCompletionStage(clusterId.toCompletionStage()))
              .map(
                  t ->
                      t.getT1().isEmpty()
                          ? HealthStatus.down("cluster " + t.getT2() + " reports no brokers")
                          : HealthStatus.up(
                              "cluster " + t.getT2() + ", " + t.getT1().size() + " broker(s)"))
              .onErrorResume(e -> Mono.just(HealthStatus.down(describe(e))));
        });
  }

  private static String describe(Throwable e) {
    Throwable cause = e;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    String message = cause.getMessage();
    return "describeCluster failed: "
        + cause.getClass().getSimpleName()
        + (message == null ? "" : ": " + message);
  }

  @Override
  public void close() {
    if (owned) {
      admin.close(Duration.ofSeconds(5));
    }
  }
}

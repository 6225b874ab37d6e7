package com.qoder.kafka.ops;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.LoopResources;

/**
 * The operations HTTP server: metrics, health probes, a JSON status snapshot and a status page.
 *
 * <table>
 *   <caption>Endpoints (GET only; other methods get 405 with {@code Allow: GET})</caption>
 *   <tr><td>{@code /metrics}</td><td>Prometheus text format 0.0.4</td></tr>
 *   <tr><td>{@code /health/live}</td><td>200 {@code {"status":"UP"}} while the process runs</td></tr>
 *   <tr><td>{@code /health/ready}</td><td>200 when every readiness check is UP, else 503; the
 *       body names each check with its status and detail</td></tr>
 *   <tr><td>{@code /api/status}</td><td>the {@link StatusProvider}'s snapshot as JSON</td></tr>
 *   <tr><td>{@code /}</td><td>a self-contained HTML page polling {@code /api/status}</td></tr>
 * </table>
 *
 * <p>Nothing served contains configuration or secrets. The server runs on its own single event
 * loop thread, so a busy data path cannot delay a liveness probe, and it runs the scrape, the
 * status provider and blocking checks on {@link Schedulers#boundedElastic()}, never on that loop.
 *
 * <p>Thread-safe; readiness checks may be added while it runs.
 */
public final class OpsServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(OpsServer.class);

  /** Content type of the Prometheus text exposition format. */
  public static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  static final String JSON = "application/json; charset=utf-8";
  static final String HTML = "text/html; charset=utf-8";

  /** Status page policy: everything inline, nothing fetched but this server's own JSON. */
  static final String PAGE_CSP =
      "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline';"
          + " connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none';"
          + " frame-ancestors 'none'";

  private static final int COMPRESS_MIN_BYTES = 2048;
  private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration SCRAPE_TIMEOUT = Duration.ofSeconds(10);

  private final PrometheusMeterRegistry registry;
  private final StatusProvider statusProvider;
  private final List<HealthCheck> readinessChecks = new CopyOnWriteArrayList<>();
  private final byte[] indexHtml;
  private final Clock clock;
  private final LoopResources loops;
  private final DisposableServer server;

  private OpsServer(
      OpsOptions options,
      PrometheusMeterRegistry registry,
      StatusProvider statusProvider,
      List<HealthCheck> checks,
      Clock clock) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.statusProvider = statusProvider;
    this.clock = clock;
    this.indexHtml = loadIndexHtml();
    checks.forEach(this::addReadinessCheck);
    this.loops = LoopResources.create("qoder-ops", 1, true);
    try {
      this.server =
          HttpServer.create()
              .host(options.bindAddress())
              .port(options.port())
              .runOn(loops)
              .idleTimeout(Duration.ofSeconds(60))
              // Prometheus asks for gzip; a scrape with JVM metrics is tens of kilobytes.
              .compress(COMPRESS_MIN_BYTES)
              .handle(this::handle)
              .bindNow(Duration.ofSeconds(10));
    } catch (RuntimeException e) {
      loops.dispose();
      throw new IllegalStateException(
          "Cannot start the ops server on "
              + options.bindAddress()
              + ":"
              + options.port()
              + " ("
              + e.getMessage()
              + "). Free the port, choose another with ops.port / OPS_PORT (0 = any free port),"
              + " or disable the ops server.",
          e);
    }
    log.info("Ops server listening on http://{}:{}/", options.bindAddress(), port());
  }

  /**
   * Starts the server and returns once it is bound.
   *
   * @param options where to listen; must be {@linkplain OpsOptions#enabled() enabled}
   * @param registry the registry {@code /metrics} scrapes
   * @param statusProvider source of {@code /api/status}; null answers 503 until the pipeline is up
   * @param readinessChecks checks of {@code /health/ready}; none means ready
   * @throws IllegalArgumentException if the options are disabled or two checks share a name
   * @throws IllegalStateException if the address cannot be bound
   */
  public static OpsServer start(
      OpsOptions options,
      PrometheusMeterRegistry registry,
      StatusProvider statusProvider,
      List<HealthCheck> readinessChecks) {
    Objects.requireNonNull(options, "options");
    if (!options.enabled()) {
      throw new IllegalArgumentException("the ops server is disabled (ops.enabled=false)");
    }
    return new OpsServer(
        options, registry, statusProvider, List.copyOf(readinessChecks), Clock.systemUTC());
  }

  /** {@link #start} when the options are enabled, else empty. */
  public static Optional<OpsServer> startIfEnabled(
      OpsOptions options,
      PrometheusMeterRegistry registry,
      StatusProvider statusProvider,
      List<HealthCheck> readinessChecks) {
    return options.enabled()
        ? Optional.of(start(options, registry, statusProvider, readinessChecks))
        : Optional.empty();
  }

  /** Adds a readiness check; names must be unique. */
  public void addReadinessCheck(HealthCheck check) {
    Objects.requireNonNull(check, "check");
    Objects.requireNonNull(check.name(), "check.name()");
    synchronized (readinessChecks) {
      for (HealthCheck c : readinessChecks) {
        if (c.name().equals(check.name())) {
          throw new IllegalArgumentException(
              "a readiness check named '" + check.name() + "' is already registered");
        }
      }
      readinessChecks.add(check);
    }
  }

  /** The bound port (the real one when the options asked for port 0). */
  public int port() {
    return server.port();
  }

  /** The bound host, as given in the options. */
  public String host() {
    return server.host();
  }

  @Override
  public void close() {
    server.disposeNow(Duration.ofSeconds(5));
    // The server's channels are closed by now, so the loop needs no quiet period (default 2 s).
    loops.disposeLater(Duration.ZERO, Duration.ofSeconds(5)).block(Duration.ofSeconds(10));
  }

  // ------------------------------------------------------------------ routing

  private Publisher<Void> handle(HttpServerRequest request, HttpServerResponse response) {
    response.header("X-Content-Type-Options", "nosniff");
    if (!HttpMethod.GET.equals(request.method())) {
      return response
          .status(HttpResponseStatus.METHOD_NOT_ALLOWED)
          .header(HttpHeaderNames.ALLOW, "GET")
          .header(HttpHeaderNames.CONTENT_TYPE, JSON)
          .sendString(
              Mono.just(
                  OpsJson.error(
                      "method not allowed", request.method().name() + " is not supported; use GET")));
    }
    String path = normalize(new QueryStringDecoder(request.uri()).path());
    switch (path) {
      case "/":
      case "/index.html":
        return response
            .header(HttpHeaderNames.CONTENT_TYPE, HTML)
            .header(HttpHeaderNames.CACHE_CONTROL, "no-cache")
            .header("Content-Security-Policy", PAGE_CSP)
            .header("X-Frame-Options", "DENY")
            .sendByteArray(Mono.just(indexHtml));
      case "/metrics":
        return metrics(response);
      case "/health/live":
        return json(response, HttpResponseStatus.OK, Mono.just("{\"status\":\"UP\"}"));
      case "/health/ready":
        return readiness(response);
      case "/api/status":
        return status(response);
      default:
        return json(
            response,
            HttpResponseStatus.NOT_FOUND,
            Mono.just(
                OpsJson.error(
                    "not found",
                    "no such path; try /, /metrics, /health/live, /health/ready, /api/status")));
    }
  }

  private static String normalize(String path) {
    if (path.length() > 1 && path.endsWith("/")) {
      return path.substring(0, path.length() - 1);
    }
    return path.isEmpty() ? "/" : path;
  }

  private Publisher<Void> metrics(HttpServerResponse response) {
    // The scrape reads every gauge supplier, some of which may take a lock: not on the event loop.
    Mono<String> body =
        Mono.fromCallable(registry::scrape)
            .subscribeOn(Schedulers.boundedElastic())
            .timeout(SCRAPE_TIMEOUT);
    return body.flatMap(
            text ->
                Mono.from(
                    response
                        .header(HttpHeaderNames.CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE)
                        .header(HttpHeaderNames.CACHE_CONTROL, "no-store")
                        .sendString(Mono.just(text)))
                    .then())
        .onErrorResume(e -> internalError(response, "metrics scrape failed", e));
  }

  private Publisher<Void> readiness(HttpServerResponse response) {
    Mono<String> body =
        Flux.fromIterable(readinessChecks)
            .flatMapSequential(this::run)
            .collectList()
            .map(
                results -> {
                  boolean up = results.stream().allMatch(e -> e.getValue().isUp());
                  response.status(up ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE);
                  return OpsJson.write(OpsJson.readiness(results));
                });
    return body.flatMap(
            text ->
                Mono.from(
                        response
                            .header(HttpHeaderNames.CONTENT_TYPE, JSON)
                            .header(HttpHeaderNames.CACHE_CONTROL, "no-store")
                            .sendString(Mono.just(text)))
                    .then())
        .onErrorResume(e -> internalError(response, "readiness evaluation failed", e));
  }

  /** One check, bounded in time, never failing: every outcome becomes a status. */
  private Mono<Map.Entry<String, HealthStatus>> run(HealthCheck check) {
    Duration timeout = check.timeout();
    return Mono.defer(check::check)
        .timeout(timeout)
        .defaultIfEmpty(HealthStatus.down("check completed without a status"))
        .onErrorResume(
            e ->
                Mono.just(
                    e instanceof TimeoutException
                        ? HealthStatus.down("timed out after " + human(timeout))
                        : HealthStatus.down(RecentErrors.describe(e))))
        .map(s -> new AbstractMap.SimpleImmutableEntry<>(check.name(), s));
  }

  private Publisher<Void> status(HttpServerResponse response) {
    if (statusProvider == null) {
      return json(
          response,
          HttpResponseStatus.SERVICE_UNAVAILABLE,
          Mono.just(OpsJson.error("status not available", "the connector is still starting")));
    }
    Mono<String> body =
        Mono.fromCallable(() -> OpsJson.write(OpsJson.status(statusProvider.snapshot(), clock.instant())))
            .subscribeOn(Schedulers.boundedElastic())
            .timeout(STATUS_TIMEOUT);
    return body.flatMap(
            text ->
                Mono.from(
                        response
                            .header(HttpHeaderNames.CONTENT_TYPE, JSON)
                            .header(HttpHeaderNames.CACHE_CONTROL, "no-store")
                            .sendString(Mono.just(text)))
                    .then())
        .onErrorResume(e -> internalError(response, "status snapshot failed", e));
  }

  private static Publisher<Void> json(
      HttpServerResponse response, HttpResponseStatus status, Mono<String> body) {
    return response
        .status(status)
        .header(HttpHeaderNames.CONTENT_TYPE, JSON)
        .header(HttpHeaderNames.CACHE_CONTROL, "no-store")
        .sendString(body);
  }

  private static Mono<Void> internalError(HttpServerResponse response, String what, Throwable e) {
    // Details go to the log, not to the client: an exception message may carry internals.
    log.warn("Ops endpoint error: {}", what, e);
    if (response.hasSentHeaders()) {
      return Mono.empty();
    }
    return Mono.from(
        json(response, HttpResponseStatus.INTERNAL_SERVER_ERROR, Mono.just(OpsJson.error(what, null))));
  }

  static String human(Duration d) {
    long ms = d.toMillis();
    return ms < 1000 || ms % 1000 != 0 ? ms + " ms" : (ms / 1000) + " s";
  }

  private static byte[] loadIndexHtml() {
    try (InputStream in = OpsServer.class.getResourceAsStream("/ops/index.html")) {
      if (in == null) {
        throw new IllegalStateException("ops/index.html is missing from the classpath (broken build)");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read ops/index.html", e);
    }
  }
}

package com.qoder.kafka.registry;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.timeout.ReadTimeoutException;
import java.io.IOException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.util.retry.Retry;

/**
 * The HTTP side of {@link HttpSchemaRegistry}: one Reactor Netty client (pool, timeouts, TLS), the
 * headers of every request, fail-over between URLs and the retry of transient failures. It answers
 * with the final {@link RegistryResponse} whatever its status; what a status means is the caller's.
 * The {@code Authorization} header is set on the request only, never logged. Thread-safe.
 */
final class RegistryTransport implements AutoCloseable {

  // Logged under the registry client's name, which operators already filter on.
  private static final Logger log = LoggerFactory.getLogger(HttpSchemaRegistry.class);

  /** Confluent's {@code Versions.SCHEMA_REGISTRY_V1_JSON_WEIGHTED}, sent by RestService. */
  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  /** Confluent's {@code Versions.PREFERRED_RESPONSE_TYPES}, most specific first. */
  private static final String ACCEPT =
      "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, "
          + "application/json";

  /** Lets a registry operator tell this client's requests apart in access logs. */
  private static final String USER_AGENT = "qoder-kafka-connector";

  private static final Pattern NATIVE_ERROR_PREFIX =
      Pattern.compile("^\\w+\\(\\.\\.\\) failed(?: with error\\(-?\\d+\\))?: ");

  private final RegistryOptions options;
  private final List<String> urls;
  private final String registryName;
  private final AtomicInteger currentUrl = new AtomicInteger();
  private final ConnectionProvider connections;
  private final HttpClient client;

  RegistryTransport(RegistryOptions options) {
    this.options = options;
    this.urls = options.urls();
    this.registryName = options.displayUrls();
    // A handful of connections: registry calls happen at start-up and in admin commands.
    this.connections = ConnectionProvider.builder("schema-registry")
        .maxConnections(4)
        .pendingAcquireMaxCount(256)
        .maxIdleTime(Duration.ofSeconds(20))
        .build();
    HttpClient http = HttpClient.create(connections)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, clampMillis(options.connectTimeout()))
        .responseTimeout(options.requestTimeout());
    if (options.tls().isCustom()) {
      // Built once, now: a bad PEM file fails the start-up with its name, not the first request.
      SslContext ssl = sslContext(options.tls());
      http = http.secure(spec -> spec.sslContext(ssl));
    }
    this.client = http;
  }

  /**
   * A client TLS context trusting {@code caFile} (else the JDK's trust store) and presenting
   * {@code certFile}/{@code keyFile} when the server asks for a client certificate (mutual TLS).
   * Host names are verified (reactor-netty's default for {@code https://}).
   */
  private static SslContext sslContext(RegistryTls tls) {
    SslContextBuilder builder = SslContextBuilder.forClient();
    if (tls.caFile() != null) {
      try {
        builder.trustManager(tls.caFile().toFile());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(RegistryTls.KEY_CA_FILE + " " + tls.caFile()
            + " cannot be read as PEM CA certificates: " + e.getMessage(), e);
      }
    }
    if (tls.certFile() != null) {
      try {
        builder.keyManager(tls.certFile().toFile(), tls.keyFile().toFile());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(RegistryTls.KEY_CERT_FILE + " " + tls.certFile() + " / "
            + RegistryTls.KEY_KEY_FILE + " " + tls.keyFile() + " cannot be read as a PEM certificate chain and an"
            + " unencrypted PKCS#8 PEM private key: " + e.getMessage(), e);
      }
    }
    try {
      return builder.build();
    } catch (SSLException e) {
      throw new IllegalArgumentException("cannot build the registry's TLS context from " + tls + ": "
          + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    connections.dispose();
  }

  /** A 5xx or 429, raised as an error only so that the retry operator sees it. */
  private static final class RetryableStatus extends RuntimeException {
    final RegistryResponse response;

    RetryableStatus(RegistryResponse response) {
      super("HTTP " + response.status(), null, false, false);
      this.response = response;
    }
  }

  /**
   * Sends the request, failing over between URLs and retrying transient failures; emits the final
   * response whatever its status, or a {@link SchemaRegistryException} {@code UNREACHABLE}.
   */
  Mono<RegistryResponse> execute(HttpMethod method, String path, byte[] body, String op) {
    AtomicInteger attempts = new AtomicInteger();
    return Mono.defer(() -> {
          attempts.incrementAndGet();
          return sendToAnyUrl(method, path, body, currentUrl.get(), 0);
        })
        .flatMap(r -> r.status() >= 500 || r.status() == 429
            ? Mono.<RegistryResponse>error(new RetryableStatus(r)) : Mono.just(r))
        .retryWhen(Retry.backoff(options.maxRetries(), options.retryBackoff())
            .maxBackoff(options.retryBackoff().multipliedBy(16))
            .filter(e -> e instanceof RetryableStatus || isTransportFailure(e))
            .doBeforeRetry(s -> log.warn("Schema Registry at {}: {} failed ({}); retry {} of {}",
                registryName, op, describeTransport(s.failure()), s.totalRetries() + 1,
                options.maxRetries()))
            .onRetryExhaustedThrow((spec, signal) -> signal.failure()))
        .map(r -> r.withAttempts(attempts.get()))
        .onErrorResume(RetryableStatus.class, e -> Mono.just(e.response.withAttempts(attempts.get())))
        .onErrorMap(RegistryTransport::isTransportFailure,
            e -> RegistryErrors.unreachable(registryName, describeTransport(e), attempts.get(), e));
  }

  /** Tries {@code urls[start]}, then on a connection failure each following URL once. */
  private Mono<RegistryResponse> sendToAnyUrl(
      HttpMethod method, String path, byte[] body, int start, int tried) {
    int index = (start + tried) % urls.size();
    String baseUrl = urls.get(index);
    return send(method, baseUrl, path, body)
        .onErrorResume(RegistryTransport::isTransportFailure, e -> {
          if (tried + 1 >= urls.size()) {
            return Mono.error(e);
          }
          int next = (index + 1) % urls.size();
          currentUrl.compareAndSet(index, next);
          log.warn("Schema Registry at {} unreachable ({}); trying {}", baseUrl,
              describeTransport(e), urls.get(next));
          return sendToAnyUrl(method, path, body, start, tried + 1);
        });
  }

  private Mono<RegistryResponse> send(HttpMethod method, String baseUrl, String path, byte[] body) {
    String url = RegistryPaths.join(baseUrl, path);
    String authorization = options.auth().authorizationHeader();
    HttpClient withHeaders = client.headers(h -> {
      h.set(HttpHeaderNames.CONTENT_TYPE, CONTENT_TYPE);
      h.set(HttpHeaderNames.ACCEPT, ACCEPT);
      h.set(HttpHeaderNames.USER_AGENT, USER_AGENT);
      if (authorization != null) {
        h.set(HttpHeaderNames.AUTHORIZATION, authorization);
      }
      if (body != null) {
        h.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
      }
    });
    HttpClient.RequestSender request = withHeaders.request(method).uri(url);
    HttpClient.ResponseReceiver<?> receiver = body == null
        ? request : request.send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(body)));
    log.debug("Schema Registry request {} {}", method, url);
    return receiver
        .responseSingle((res, content) -> content.asString(StandardCharsets.UTF_8)
            .defaultIfEmpty("")
            .map(text -> new RegistryResponse(res.status().code(), text, 1)))
        // responseTimeout covers waiting for the answer; this also bounds a stalled body.
        .timeout(options.connectTimeout().plus(options.requestTimeout()));
  }

  private static boolean isTransportFailure(Throwable e) {
    return e instanceof IOException
        || e instanceof ReadTimeoutException
        || e instanceof TimeoutException
        // A handshake the server ends (mutual TLS without a client certificate) surfaces wrapped.
        || tlsFailure(e) != null;
  }

  private static SSLException tlsFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SSLException ssl) {
        return ssl;
      }
    }
    return null;
  }

  private String describeTransport(Throwable e) {
    if (e instanceof RetryableStatus r) {
      return "HTTP " + r.response.status();
    }
    if (e instanceof ReadTimeoutException || e instanceof TimeoutException) {
      return "no response within " + options.requestTimeout();
    }
    if (e instanceof UnknownHostException) {
      return "unknown host " + e.getMessage();
    }
    SSLException ssl = tlsFailure(e);
    if (ssl != null) {
      return "TLS handshake failed (" + ssl.getMessage() + "); check " + RegistryTls.KEY_CA_FILE + ", "
          + RegistryTls.KEY_CERT_FILE + " and " + RegistryTls.KEY_KEY_FILE;
    }
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      return e.getClass().getSimpleName();
    }
    // Netty's native transport prefixes the OS error: "finishConnect(..) failed with error(-111): ".
    return NATIVE_ERROR_PREFIX.matcher(message).replaceFirst("");
  }

  private static int clampMillis(Duration d) {
    return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
  }
}

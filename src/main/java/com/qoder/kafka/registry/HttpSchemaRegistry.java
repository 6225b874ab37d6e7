package com.qoder.kafka.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.util.retry.Retry;

/**
 * Confluent Schema Registry over HTTP, on Reactor Netty.
 *
 * <p>Requests are those of Confluent's Java client ({@code RestService}): the same paths and query
 * parameters ({@link RegistryPaths}), {@code Content-Type: application/vnd.schemaregistry.v1+json}
 * on every request, a body of {@code {"schema": "<Schema.toString()>"}} ({@code schemaType} left
 * out, as Confluent leaves it out for Avro), basic or bearer {@code Authorization}. It adds an
 * {@code Accept} header listing the registry's media types in preference order (what Confluent's
 * other clients send), so content negotiation never falls back to HTML on a proxy.
 *
 * <p>Several URLs: on a connection failure the next URL is tried at once and becomes the current
 * one, like Confluent's {@code UrlList}. A failed round (all URLs down), a 5xx or a 429 is retried
 * up to {@link RegistryOptions#maxRetries()} times with jittered exponential backoff. Each request
 * is bounded by the connect and request timeouts, so the blocking methods always return.
 *
 * <p>The reactive methods ({@code *Async}) never block; the public interface methods block on them
 * after checking that the caller is not on a non-blocking thread. Thread-safe.
 */
final class HttpSchemaRegistry implements SchemaRegistry {

  private static final Logger log = LoggerFactory.getLogger(HttpSchemaRegistry.class);

  /** Confluent's {@code Versions.SCHEMA_REGISTRY_V1_JSON_WEIGHTED}, sent by RestService. */
  static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  /** Confluent's {@code Versions.PREFERRED_RESPONSE_TYPES}, most specific first. */
  static final String ACCEPT =
      "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, "
          + "application/json";

  /** Lets a registry operator tell this client's requests apart in access logs. */
  static final String USER_AGENT = "qoder-kafka-connector";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern NATIVE_ERROR_PREFIX =
      Pattern.compile("^\\w+\\(\\.\\.\\) failed(?: with error\\(-?\\d+\\))?: ");

  private final RegistryOptions options;
  private final List<String> urls;
  private final String registryName;
  private final AtomicInteger currentUrl = new AtomicInteger();
  private final ConnectionProvider connections;
  private final HttpClient client;

  HttpSchemaRegistry(RegistryOptions options) {
    if (options.isMock()) {
      throw new IllegalArgumentException("mock:// URLs are served by MockSchemaRegistry");
    }
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
  static SslContext sslContext(RegistryTls tls) {
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

  // ---------------------------------------------------------------- blocking interface

  @Override
  public int register(String subject, Schema schema) {
    return block("register", registerAsync(subject, schema));
  }

  @Override
  public int lookup(String subject, Schema schema) {
    return block("lookup", lookupAsync(subject, schema));
  }

  @Override
  public Schema schemaById(int id) {
    return block("schemaById", schemaByIdAsync(id));
  }

  @Override
  public SubjectVersion latest(String subject) {
    return block("latest", latestAsync(subject));
  }

  @Override
  public List<SubjectVersion> versions(String subject) {
    return block("versions", versionsAsync(subject));
  }

  @Override
  public CompatibilityCheck checkCompatibility(String subject, Schema schema) {
    return block("checkCompatibility", checkCompatibilityAsync(subject, schema));
  }

  @Override
  public String compatibilityLevel(String subject) {
    return block("compatibilityLevel", compatibilityLevelAsync(subject));
  }

  @Override
  public String describe() {
    return registryName;
  }

  @Override
  public void close() {
    connections.dispose();
  }

  @Override
  public String toString() {
    return "HttpSchemaRegistry[" + registryName + ", auth=" + options.auth() + "]";
  }

  /**
   * Blocks for {@code mono}; refuses on event-loop and parallel threads, where blocking would stall
   * every connection sharing that thread (and Reactor would reject {@code block()} anyway).
   */
  static <T> T block(String operation, Mono<T> mono) {
    if (Schedulers.isInNonBlockingThread()) {
      throw new IllegalStateException("SchemaRegistry." + operation + "() blocks on network I/O "
          + "and must not run on the non-blocking thread '" + Thread.currentThread().getName()
          + "'; call it at start-up or on Schedulers.boundedElastic()");
    }
    return mono.block();
  }

  // ---------------------------------------------------------------- reactive operations

  Mono<Integer> registerAsync(String subject, Schema schema) {
    String op = "register a schema under subject '" + subject + "'";
    return execute(HttpMethod.POST, RegistryPaths.register(subject), schemaBody(schema), op)
        .flatMap(r -> {
          if (r.status == 200) {
            return Mono.fromCallable(() -> requiredInt(r, op, "id"));
          }
          if (r.status == 409) {
            // The registry's message names neither the level nor what to do: fetch the level.
            ErrorBody e = r.error();
            return compatibilityLevelAsync(subject)
                .onErrorResume(SchemaRegistryException.class, ignored -> Mono.just("UNKNOWN"))
                .flatMap(level -> Mono.error(RegistryErrors.incompatible(
                    subject, level, r.status, e.code, e.message)));
          }
          return Mono.error(failure(r, op, subject));
        });
  }

  Mono<Integer> lookupAsync(String subject, Schema schema) {
    String op = "look up a schema under subject '" + subject + "'";
    return execute(HttpMethod.POST, RegistryPaths.lookup(subject), schemaBody(schema), op)
        .flatMap(r -> {
          if (r.status == 200) {
            return Mono.fromCallable(() -> requiredInt(r, op, "id"));
          }
          if (r.status == 404) {
            ErrorBody e = r.error();
            return Mono.error(RegistryErrors.notRegistered(subject, r.status, e.code, e.message));
          }
          return Mono.error(failure(r, op, subject));
        });
  }

  Mono<Schema> schemaByIdAsync(int id) {
    String op = "fetch schema id " + id;
    return execute(HttpMethod.GET, RegistryPaths.schemaById(id), null, op)
        .flatMap(r -> {
          if (r.status == 200) {
            return Mono.fromCallable(() -> parseAvro(r, op, r.json()));
          }
          if (r.status == 404) {
            ErrorBody e = r.error();
            return Mono.error(RegistryErrors.schemaIdNotFound(
                registryName, id, r.status, e.code, e.message));
          }
          return Mono.error(failure(r, op, null));
        });
  }

  Mono<SubjectVersion> latestAsync(String subject) {
    String op = "fetch the latest version of subject '" + subject + "'";
    return execute(HttpMethod.GET, RegistryPaths.latest(subject), null, op)
        .flatMap(r -> {
          if (r.status == 200) {
            return Mono.fromCallable(() -> {
              JsonNode body = r.json();
              return new SubjectVersion(subject, requiredInt(r, op, "version"),
                  requiredInt(r, op, "id"), parseAvro(r, op, body));
            });
          }
          if (r.status == 404) {
            ErrorBody e = r.error();
            return Mono.error(RegistryErrors.subjectNotFound(
                registryName, subject, r.status, e.code, e.message));
          }
          return Mono.error(failure(r, op, subject));
        });
  }

  Mono<List<SubjectVersion>> versionsAsync(String subject) {
    String op = "list the versions of subject '" + subject + "'";
    return execute(HttpMethod.GET, RegistryPaths.versions(subject), null, op)
        .flatMap(r -> {
          if (r.status == 404) {
            return Mono.just(List.<Integer>of());
          }
          if (r.status != 200) {
            return Mono.error(failure(r, op, subject));
          }
          return Mono.fromCallable(() -> {
            List<Integer> numbers = new ArrayList<>();
            r.json().forEach(n -> numbers.add(n.asInt()));
            return numbers;
          });
        })
        .flatMapMany(reactor.core.publisher.Flux::fromIterable)
        .concatMap(v -> versionAsync(subject, v))
        .collectList();
  }

  private Mono<SubjectVersion> versionAsync(String subject, int version) {
    String op = "fetch version " + version + " of subject '" + subject + "'";
    return execute(HttpMethod.GET, RegistryPaths.version(subject, version), null, op)
        .flatMap(r -> r.status == 200
            ? Mono.fromCallable(() -> new SubjectVersion(subject, requiredInt(r, op, "version"),
                requiredInt(r, op, "id"), parseAvro(r, op, r.json())))
            : Mono.error(failure(r, op, subject)));
  }

  Mono<CompatibilityCheck> checkCompatibilityAsync(String subject, Schema schema) {
    String op = "check compatibility for subject '" + subject + "'";
    return execute(HttpMethod.POST, RegistryPaths.compatibilityWithLatest(subject),
        schemaBody(schema), op)
        .flatMap(r -> {
          if (r.status == 200) {
            return Mono.fromCallable(() -> parseCompatibility(r, op));
          }
          ErrorBody e = r.error();
          // Nothing registered yet: any schema is compatible with nothing (Confluent answers 200
          // here; some registries answer 40401/40402 instead).
          if (r.status == 404 && (e.code == RegistryErrors.SUBJECT_NOT_FOUND
              || e.code == RegistryErrors.VERSION_NOT_FOUND)) {
            return Mono.just(CompatibilityCheck.ok());
          }
          return Mono.error(failure(r, op, subject));
        });
  }

  Mono<String> compatibilityLevelAsync(String subject) {
    String op = "read the compatibility level of subject '" + subject + "'";
    return execute(HttpMethod.GET, RegistryPaths.subjectConfig(subject), null, op)
        .flatMap(r -> {
          if (r.status == 200) {
            return Mono.fromCallable(() -> compatibilityLevel(r, op));
          }
          if (r.status != 404) {
            return Mono.error(failure(r, op, subject));
          }
          // No subject-level setting, on a registry without defaultToGlobal: use the global one.
          String globalOp = "read the global compatibility level";
          return execute(HttpMethod.GET, RegistryPaths.globalConfig(), null, globalOp)
              .flatMap(g -> g.status == 200
                  ? Mono.fromCallable(() -> compatibilityLevel(g, globalOp))
                  : Mono.error(failure(g, globalOp, null)));
        });
  }

  // ---------------------------------------------------------------- transport

  /** One answered HTTP exchange. */
  private record Response(int status, String body, String baseUrl, int attempts) {

    JsonNode json() throws JsonProcessingException {
      return JSON.readTree(body);
    }

    ErrorBody error() {
      return ErrorBody.parse(body);
    }
  }

  /** Confluent's {@code ErrorMessage}: {@code {"error_code": 40401, "message": "..."}}. */
  private record ErrorBody(int code, String message) {

    static ErrorBody parse(String body) {
      if (body == null || body.isBlank()) {
        return new ErrorBody(0, null);
      }
      try {
        JsonNode node = JSON.readTree(body);
        if (node != null && node.isObject()) {
          return new ErrorBody(node.path("error_code").asInt(0),
              node.hasNonNull("message") ? node.get("message").asText() : null);
        }
      } catch (JsonProcessingException e) {
        // Not JSON (a proxy's HTML page, say): keep the text, as Confluent's client does.
      }
      return new ErrorBody(RegistryErrors.UNPARSEABLE_ERROR_BODY, abbreviate(body, 300));
    }
  }

  /** A 5xx or 429, raised as an error only so that the retry operator sees it. */
  private static final class RetryableStatus extends RuntimeException {
    final Response response;

    RetryableStatus(Response response) {
      super("HTTP " + response.status, null, false, false);
      this.response = response;
    }
  }

  /**
   * Sends the request, failing over between URLs and retrying transient failures; emits the final
   * response whatever its status, or a {@link SchemaRegistryException} {@code UNREACHABLE}.
   */
  private Mono<Response> execute(HttpMethod method, String path, byte[] body, String op) {
    AtomicInteger attempts = new AtomicInteger();
    return Mono.defer(() -> {
          attempts.incrementAndGet();
          return sendToAnyUrl(method, path, body, currentUrl.get(), 0);
        })
        .flatMap(r -> r.status >= 500 || r.status == 429
            ? Mono.<Response>error(new RetryableStatus(r)) : Mono.just(r))
        .retryWhen(Retry.backoff(options.maxRetries(), options.retryBackoff())
            .maxBackoff(options.retryBackoff().multipliedBy(16))
            .filter(e -> e instanceof RetryableStatus || isTransportFailure(e))
            .doBeforeRetry(s -> log.warn("Schema Registry at {}: {} failed ({}); retry {} of {}",
                registryName, op, describeTransport(s.failure()), s.totalRetries() + 1,
                options.maxRetries()))
            .onRetryExhaustedThrow((spec, signal) -> signal.failure()))
        .map(r -> new Response(r.status, r.body, r.baseUrl, attempts.get()))
        .onErrorResume(RetryableStatus.class, e -> Mono.just(
            new Response(e.response.status, e.response.body, e.response.baseUrl, attempts.get())))
        .onErrorMap(HttpSchemaRegistry::isTransportFailure,
            e -> RegistryErrors.unreachable(registryName, describeTransport(e), attempts.get(), e));
  }

  /** Tries {@code urls[start]}, then on a connection failure each following URL once. */
  private Mono<Response> sendToAnyUrl(
      HttpMethod method, String path, byte[] body, int start, int tried) {
    int index = (start + tried) % urls.size();
    String baseUrl = urls.get(index);
    return send(method, baseUrl, path, body)
        .onErrorResume(HttpSchemaRegistry::isTransportFailure, e -> {
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

  private Mono<Response> send(HttpMethod method, String baseUrl, String path, byte[] body) {
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
            .map(text -> new Response(res.status().code(), text, baseUrl, 1)))
        // responseTimeout covers waiting for the answer; this also bounds a stalled body.
        .timeout(options.connectTimeout().plus(options.requestTimeout()));
  }

  static boolean isTransportFailure(Throwable e) {
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
      return "HTTP " + r.response.status;
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

  // ---------------------------------------------------------------- bodies

  /** {@code {"schema": "<Schema.toString()>"}}: the compact JSON Confluent's AvroSchema sends. */
  static byte[] schemaBody(Schema schema) {
    ObjectNode node = JSON.createObjectNode();
    node.put("schema", schema.toString());
    try {
      return JSON.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON string", e);
    }
  }

  private int requiredInt(Response r, String op, String field) {
    try {
      JsonNode node = r.json().get(field);
      if (node == null || !node.canConvertToInt()) {
        throw RegistryErrors.unreadable(registryName, op,
            "no integer '" + field + "' in " + abbreviate(r.body, 200), null);
      }
      return node.intValue();
    } catch (JsonProcessingException e) {
      throw RegistryErrors.unreadable(registryName, op, e.getOriginalMessage(), e);
    }
  }

  private Schema parseAvro(Response r, String op, JsonNode body) {
    String type = body.path("schemaType").asText("AVRO");
    if (!"AVRO".equalsIgnoreCase(type)) {
      throw RegistryErrors.unreadable(registryName, op,
          "the schema is of type " + type + "; this connector reads Avro only", null);
    }
    JsonNode schema = body.get("schema");
    if (schema == null || !schema.isTextual()) {
      throw RegistryErrors.unreadable(registryName, op,
          "no 'schema' string in " + abbreviate(r.body, 200), null);
    }
    try {
      // Defaults of already-registered schemas are not re-validated (as Confluent's AvroSchema
      // for schemas it did not create): a reader must accept what the registry holds.
      return new Schema.Parser().setValidateDefaults(false).parse(schema.asText());
    } catch (SchemaParseException e) {
      throw RegistryErrors.unreadable(registryName, op,
          "the schema is not valid Avro: " + e.getMessage(), e);
    }
  }

  private CompatibilityCheck parseCompatibility(Response r, String op)
      throws JsonProcessingException {
    JsonNode body = r.json();
    JsonNode flag = body.get("is_compatible");
    if (flag == null || !flag.isBoolean()) {
      throw RegistryErrors.unreadable(registryName, op,
          "no boolean 'is_compatible' in " + abbreviate(r.body, 200), null);
    }
    List<String> messages = new ArrayList<>();
    body.path("messages").forEach(m -> messages.add(m.asText()));
    if (!flag.booleanValue() && messages.isEmpty()) {
      messages.add("Schemas are incompatible"); // what Confluent's RestService reports then
    }
    return new CompatibilityCheck(flag.booleanValue(), flag.booleanValue() ? List.of() : messages);
  }

  private String compatibilityLevel(Response r, String op) throws JsonProcessingException {
    JsonNode body = r.json();
    // GET /config answers "compatibilityLevel"; some older servers echo "compatibility".
    JsonNode level = body.hasNonNull("compatibilityLevel")
        ? body.get("compatibilityLevel") : body.get("compatibility");
    if (level == null || !level.isTextual()) {
      throw RegistryErrors.unreadable(registryName, op,
          "no 'compatibilityLevel' in " + abbreviate(r.body, 200), null);
    }
    return level.asText();
  }

  /** Maps an answer no operation-specific rule claimed. */
  private SchemaRegistryException failure(Response r, String op, String subject) {
    ErrorBody e = r.error();
    if (r.status == 401 || r.status == 403) {
      return RegistryErrors.unauthorized(registryName, options.auth(), op, r.status, e.code,
          e.message);
    }
    if (r.status >= 500 || r.status == 429) {
      return RegistryErrors.serverError(registryName, op, r.status, e.code, e.message,
          r.attempts);
    }
    if (r.status == 422 && e.code == RegistryErrors.INVALID_SCHEMA && subject != null) {
      return RegistryErrors.invalidSchema(subject, r.status, e.code, e.message);
    }
    if (r.status == 404 && (e.code < 40400 || e.code > 40499)) {
      // A plain 404, not one of the registry's own 404xx codes: the path itself is unknown.
      return RegistryErrors.noSuchEndpoint(registryName, op, r.status, e.code, e.message);
    }
    return RegistryErrors.unexpected(registryName, op, r.status, e.code, e.message);
  }

  private static String abbreviate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "…";
  }

  private static int clampMillis(Duration d) {
    return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
  }
}

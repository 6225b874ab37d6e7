package com.qoder.kafka.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import java.time.Clock;
import java.util.Objects;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The non-blocking {@link QoderApi} over Reactor Netty.
 *
 * <p>Every attempt (first try and retries alike) takes a permit of the concurrency bound
 * ({@link QoderApiOptions#maxConcurrentRequests()}) and a token of the global request budget
 * ({@link QoderApiOptions#maxRequestsPerSecond()}); retryable failures are retried with jittered
 * exponential backoff, a 429 after its {@code Retry-After} up to {@link
 * QoderApiOptions#retryAfterMax()}, which pauses the whole instance; 400, 401 and 404 are never
 * retried.
 *
 * <p>Inside, one class per concern: an endpoint family per API document holds its URL, cursor and
 * limit rules ({@code EventsEndpoint} 002, {@code ResourcesEndpoint} 000, {@code FilesEndpoint} 001,
 * {@code GenericListEndpoint} 003, {@code SessionsEndpoint} 004); {@code RequestPipeline} sends,
 * retries and classifies every request; {@code ApiConnections} sets up the pool, headers and TLS.
 *
 * <p>Thread-safe; one instance serves every poller. {@link #close()} releases the connection
 * pool. The token goes into the {@code Authorization} header and nowhere else: not into logs,
 * exception messages or {@code toString()}.
 */
public final class QoderApiClient implements QoderApi, AutoCloseable {

  private final QoderApiOptions options;
  private final RequestPipeline requests;
  private final EventsEndpoint events;
  private final ResourcesEndpoint resources;
  private final FilesEndpoint files;
  private final GenericListEndpoint lists;
  private final SessionsEndpoint sessions;

  private QoderApiClient(QoderApiOptions options, ApiMetrics metrics, Clock clock) {
    this.options = options;
    ObjectMapper mapper = objectMapper();
    this.requests = new RequestPipeline(options, metrics == null ? ApiMetrics.NOOP : metrics, clock,
        new ApiConnections(options), new ResponseClassifier(mapper, options.token().reveal()));
    PageParser parser = new PageParser(mapper);
    String prefix = options.cloudPathPrefix();
    this.events = new EventsEndpoint(requests, parser, prefix);
    this.resources = new ResourcesEndpoint(requests, parser, prefix);
    this.files = new FilesEndpoint(requests, parser, prefix);
    this.lists = new GenericListEndpoint(requests, parser, prefix);
    this.sessions = new SessionsEndpoint(requests, parser, options.organizationId());
  }

  /** A client with no metrics hook. */
  public static QoderApiClient create(QoderApiOptions options) {
    return create(options, ApiMetrics.NOOP);
  }

  /**
   * A client reporting to {@code metrics}.
   *
   * @throws IllegalArgumentException when the TLS material (caFile) cannot be loaded
   */
  public static QoderApiClient create(QoderApiOptions options, ApiMetrics metrics) {
    return new QoderApiClient(Objects.requireNonNull(options, "options"), metrics,
        Clock.systemUTC());
  }

  public QoderApiOptions options() {
    return options;
  }

  /** Requests holding a concurrency permit right now (for gauges). */
  public int requestsInFlight() {
    return requests.inFlight();
  }

  /** Requests waiting for a concurrency permit right now (for gauges). */
  public int requestsWaiting() {
    return requests.waiting();
  }

  @Override
  public void close() {
    requests.close();
  }

  @Override
  public String toString() {
    return "QoderApiClient[" + options.baseUrl() + "]";
  }

  @Override
  public Mono<Page<SessionEvent>> eventsAfter(String sessionId, String afterId, int limit) {
    return events.after(sessionId, afterId, limit);
  }

  @Override
  public Mono<Page<SessionEvent>> eventsBefore(String sessionId, String beforeId, int limit) {
    return events.before(sessionId, beforeId, limit);
  }

  @Override
  public Flux<Page<SessionEvent>> events(String sessionId, String afterId, int limit) {
    return events.walk(sessionId, afterId, limit);
  }

  @Override
  public Mono<Page<SessionResource>> resourcesPage(String sessionId, String pageToken, int limit) {
    return resources.byPageToken(sessionId, pageToken, limit);
  }

  @Override
  public Mono<Page<SessionResource>> resourcesById(String sessionId, String afterId, String beforeId, int limit) {
    return resources.byId(sessionId, afterId, beforeId, limit);
  }

  @Override
  public Flux<Page<SessionResource>> resources(String sessionId, int limit) {
    return resources.walk(sessionId, limit);
  }

  @Override
  public Mono<Page<QoderFile>> filesPage(String purpose, String after, String before, int limit) {
    return files.page(purpose, after, before, limit);
  }

  @Override
  public Flux<Page<QoderFile>> files(String purpose, int limit) {
    return files.walk(purpose, limit);
  }

  @Override
  public Mono<Page<GenericItem>> listPage(String collection, String afterId, String beforeId, int limit) {
    return lists.page(collection, afterId, beforeId, limit);
  }

  @Override
  public Flux<Page<GenericItem>> list(String collection, int limit) {
    return lists.walk(collection, limit);
  }

  @Override
  public Mono<Page<SessionInfo>> sessionsPage(String organizationId, String before, int limit) {
    return sessions.page(organizationId, before, limit);
  }

  @Override
  public Flux<Page<SessionInfo>> sessions(String organizationId, int limit) {
    return sessions.walk(organizationId, limit);
  }

  @Override
  public Mono<SessionInfo> session(String organizationId, String sessionId) {
    return sessions.one(organizationId, sessionId);
  }

  /** The mapper every body is parsed with (pages, items and error bodies alike). */
  static ObjectMapper objectMapper() {
    // Jackson refuses strings over 20,000,000 chars by default: one 20 MiB agent.message would make
    // the whole page unreadable and stall its session. The body is already in memory when parsed, so
    // the limit protects nothing here; an event too large for Kafka is dead-lettered downstream.
    JsonFactory factory = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build())
        .build();
    return new ObjectMapper(factory)
        .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
        // Lossless: decimals keep their digits (no double rounding, no stripped zeros).
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);
  }
}

package com.qoder.kafka.api;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.regex.Pattern;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientSecurityUtils;
import reactor.netty.resources.ConnectionProvider;
import reactor.util.retry.Retry;

/**
 * The non-blocking {@link QoderApi} over Reactor Netty.
 *
 * <p>Every attempt (first try and retries alike) first takes a permit of the concurrency bound
 * ({@link QoderApiOptions#maxConcurrentRequests()}), then a token of the global request budget
 * ({@link QoderApiOptions#maxRequestsPerSecond()}, at most that many in any one-second window),
 * waiting on timers rather than threads, and releases the permit when it completes, fails or is
 * cancelled. Failures are classified once ({@link ResponseClassifier}); retryable ones are retried
 * with jittered exponential backoff, never sooner than {@link QoderApiOptions#sessionRetryMin()}
 * for a request about one session (a retry counts against the session's request rate), and a 429
 * after its {@code Retry-After} up to {@link QoderApiOptions#retryAfterMax()}. 400, 401 and 404
 * are never retried.
 *
 * <p>A 429's wait pauses the whole instance, not only the request's session: the API's documents
 * say nothing of per-session limits, and the usual meaning of 429 (RFC 6585: "the user has sent too
 * many requests") is a limit on the token, which every session of this instance shares; the other
 * sessions' requests would only earn more 429s. The cap bounds what a wrong or hostile
 * {@code Retry-After} can cost: at most {@code retryAfterMax} of silence per 429, and a wait of more
 * than {@value #LONG_WAIT_SECONDS} s is logged at WARN once, with its cause and length.
 *
 * <p>Bodies are aggregated once and parsed once, on the event loop that received them: a page of
 * 100 events is a few hundred microseconds of parsing, cheaper than a thread hop.
 *
 * <p>Thread-safe; one instance serves every poller. {@link #close()} releases the connection
 * pool. The token goes into the {@code Authorization} header and nowhere else: not into logs,
 * exception messages or {@code toString()}.
 */
public final class QoderApiClient implements QoderApi, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(QoderApiClient.class);

  /** Generic-list collection names: path segments of letters, digits, '_', '-', '.'. */
  private static final Pattern COLLECTION = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9_.-]*(/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*");

  /** Document 004: selects the organization of the sessions endpoints. */
  static final String HEADER_ORGANIZATION = "X-Organization-Id";

  // Idle pooled connections are closed before typical load balancer idle timeouts (60 s) would
  // reset them under a request.
  private static final Duration POOL_MAX_IDLE = Duration.ofSeconds(20);
  /** Waits longer than this are worth a WARN: requests (or the whole instance) stand still that long. */
  static final long LONG_WAIT_SECONDS = 30;

  private final QoderApiOptions options;
  private final ApiMetrics metrics;
  private final ConnectionProvider pool;
  private final HttpClient http;
  private final RateBudget budget;
  private final ConcurrencyLimit concurrency;
  private final RetryPolicy retryPolicy;
  private final ResponseClassifier classifier;
  private final PageParser parser;
  private final Scheduler timer;
  private final Clock clock;
  private volatile boolean closed;
  /** Until when (nanoTime) the long wait last logged at WARN lasts: a wait inside it is not logged again. */
  private volatile long warnedWaitUntilNanos = System.nanoTime();

  // Endpoint templates: low-cardinality names for metrics, logs and exception messages.
  private final String eventsEndpoint;
  private final String resourcesEndpoint;
  private final String filesEndpoint;
  private final String sessionsEndpoint;
  private final String sessionEndpoint;

  private QoderApiClient(QoderApiOptions options, ApiMetrics metrics, Clock clock) {
    this.options = options;
    this.metrics = metrics == null ? ApiMetrics.NOOP : metrics;
    this.clock = clock;
    this.timer = Schedulers.parallel();
    ObjectMapper mapper = objectMapper();
    this.classifier = new ResponseClassifier(mapper, options.token().reveal());
    this.parser = new PageParser(mapper);
    this.budget = new RateBudget(options.maxRequestsPerSecond(), System::nanoTime);
    this.concurrency = new ConcurrencyLimit(options.maxConcurrentRequests());
    this.retryPolicy = new RetryPolicy(options.maxRetries(), options.backoffMin(), options.backoffMax(),
        options.retryAfterMax(),
        () -> ThreadLocalRandom.current().nextDouble());
    String prefix = options.cloudPathPrefix();
    this.eventsEndpoint = "GET " + prefix + "/sessions/{session_id}/events";
    this.resourcesEndpoint = "GET " + prefix + "/sessions/{session_id}/resources";
    this.filesEndpoint = "GET " + prefix + "/files";
    this.sessionsEndpoint = "GET " + QoderApiOptions.SESSIONS_PATH;
    this.sessionEndpoint = "GET " + QoderApiOptions.SESSIONS_PATH + "/{sessionId}";
    this.pool = ConnectionProvider.builder("qoder-api")
        .maxConnections(options.maxConcurrentRequests())
        // ConcurrencyLimit already bounds the callers; a connection still closing after a
        // cancelled request may keep its pool slot briefly, so waiting here must not be refused.
        .pendingAcquireMaxCount(-1)
        .maxIdleTime(POOL_MAX_IDLE)
        .evictInBackground(POOL_MAX_IDLE)
        .build();
    this.http = buildHttpClient(options, pool);
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
    return concurrency.inUse();
  }

  /** Requests waiting for a concurrency permit right now (for gauges). */
  public int requestsWaiting() {
    return concurrency.waiting();
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      pool.dispose();
    }
  }

  @Override
  public String toString() {
    return "QoderApiClient[" + options.baseUrl() + "]";
  }

  // --- document 002: events ---------------------------------------------------------------------

  @Override
  public Mono<Page<SessionEvent>> eventsAfter(String sessionId, String afterId, int limit) {
    return Mono.defer(() -> eventsPage(sessionId, "after_id", emptyToNull(afterId), limit));
  }

  @Override
  public Mono<Page<SessionEvent>> eventsBefore(String sessionId, String beforeId, int limit) {
    return Mono.defer(() -> {
      requireCursor("beforeId", beforeId, eventsEndpoint);
      return eventsPage(sessionId, "before_id", beforeId, limit);
    });
  }

  @Override
  public Flux<Page<SessionEvent>> events(String sessionId, String afterId, int limit) {
    return Flux.defer(() -> {
      String sid = requireSessionId(sessionId, eventsEndpoint);
      checkLimit(limit, EVENTS_MAX_LIMIT, eventsEndpoint);
      return PageWalker.walk(emptyToNull(afterId),
          after -> eventsPage(sid, "after_id", after, limit),
          (after, page) -> nextById(eventsEndpoint, after, page));
    });
  }

  private Mono<Page<SessionEvent>> eventsPage(String sessionId, String cursorName, String cursor, int limit) {
    String sid = requireSessionId(sessionId, eventsEndpoint);
    checkLimit(limit, EVENTS_MAX_LIMIT, eventsEndpoint);
    String uri = options.cloudPathPrefix() + "/sessions/" + encode(sid) + "/events"
        + new Query().add("limit", limit).add(cursorName, cursor);
    return execute(new Call(eventsEndpoint, uri, null, sid),
        in -> parser.listPage(eventsEndpoint, in, SessionEvent::of, false));
  }

  // --- document 000: resources ------------------------------------------------------------------

  @Override
  public Mono<Page<SessionResource>> resourcesPage(String sessionId, String pageToken, int limit) {
    return Mono.defer(() -> resourcesRequest(sessionId, emptyToNull(pageToken), null, null, limit));
  }

  @Override
  public Mono<Page<SessionResource>> resourcesById(String sessionId, String afterId, String beforeId, int limit) {
    return Mono.defer(() -> {
      String after = emptyToNull(afterId);
      String before = emptyToNull(beforeId);
      if ((after == null) == (before == null)) {
        throw new IllegalArgumentException(resourcesEndpoint + ": give exactly one of afterId and"
            + " beforeId (document 000: they are mutually exclusive), got afterId=" + afterId
            + ", beforeId=" + beforeId);
      }
      return resourcesRequest(sessionId, null, after, before, limit);
    });
  }

  /** Where a resources walk stands: an opaque page token, or an id to continue after. */
  private record ResourceCursor(String pageToken, String afterId) {}

  @Override
  public Flux<Page<SessionResource>> resources(String sessionId, int limit) {
    return Flux.defer(() -> {
      String sid = requireSessionId(sessionId, resourcesEndpoint);
      checkLimit(limit, RESOURCES_MAX_LIMIT, resourcesEndpoint);
      return PageWalker.walk(new ResourceCursor(null, null),
          c -> resourcesRequest(sid, c.pageToken(), c.afterId(), null, limit),
          this::nextResourceCursor);
    });
  }

  private ResourceCursor nextResourceCursor(ResourceCursor current, Page<SessionResource> page) {
    if (!page.hasMore()) {
      return null;
    }
    if (page.nextCursor() != null) {
      if (page.nextCursor().equals(current.pageToken())) {
        throw new QoderApiException.MalformedResponse(resourcesEndpoint,
            "has_more is true but next_page repeats the page token just used", null);
      }
      return new ResourceCursor(page.nextCursor(), null);
    }
    // has_more without next_page: continue by id, which document 000 also offers.
    String next = nextById(resourcesEndpoint, current.afterId(), page);
    return next == null ? null : new ResourceCursor(null, next);
  }

  private Mono<Page<SessionResource>> resourcesRequest(String sessionId, String pageToken,
      String afterId, String beforeId, int limit) {
    String sid = requireSessionId(sessionId, resourcesEndpoint);
    checkLimit(limit, RESOURCES_MAX_LIMIT, resourcesEndpoint);
    int cursors = (pageToken == null ? 0 : 1) + (afterId == null ? 0 : 1) + (beforeId == null ? 0 : 1);
    if (cursors > 1) {
      throw new IllegalArgumentException(resourcesEndpoint + ": page, after_id and before_id are"
          + " mutually exclusive (document 000)");
    }
    String uri = options.cloudPathPrefix() + "/sessions/" + encode(sid) + "/resources"
        + new Query().add("limit", limit).add("page", pageToken).add("after_id", afterId)
            .add("before_id", beforeId);
    return execute(new Call(resourcesEndpoint, uri, null, sid),
        in -> parser.listPage(resourcesEndpoint, in, SessionResource::of, true));
  }

  // --- document 001: files ----------------------------------------------------------------------

  @Override
  public Mono<Page<QoderFile>> filesPage(String purpose, String after, String before, int limit) {
    return Mono.defer(() -> {
      String a = emptyToNull(after);
      String b = emptyToNull(before);
      if (a != null && b != null) {
        throw new IllegalArgumentException(filesEndpoint + ": after and before are two directions"
            + " of one cursor, give at most one (got after=" + after + ", before=" + before + ")");
      }
      return filesRequest(purpose, a, b, limit);
    });
  }

  @Override
  public Flux<Page<QoderFile>> files(String purpose, int limit) {
    return Flux.defer(() -> {
      checkLimit(limit, LIST_MAX_LIMIT, filesEndpoint);
      return PageWalker.walk((String) null, after -> filesRequest(purpose, after, null, limit),
          (after, page) -> nextById(filesEndpoint, after, page));
    });
  }

  private Mono<Page<QoderFile>> filesRequest(String purpose, String after, String before, int limit) {
    checkLimit(limit, LIST_MAX_LIMIT, filesEndpoint);
    String p = emptyToNull(purpose);
    String uri = options.cloudPathPrefix() + "/files"
        + new Query().add("purpose", p).add("limit", limit).add("after", after).add("before", before);
    return execute(new Call(filesEndpoint, uri, null, null),
        in -> parser.listPage(filesEndpoint, in, QoderFile::of, false));
  }

  // --- document 003: generic lists --------------------------------------------------------------

  @Override
  public Mono<Page<GenericItem>> listPage(String collection, String afterId, String beforeId, int limit) {
    return Mono.defer(() -> {
      String a = emptyToNull(afterId);
      String b = emptyToNull(beforeId);
      String endpoint = listEndpoint(collection);
      if (a != null && b != null) {
        throw new IllegalArgumentException(endpoint + ": before_id and after_id are mutually"
            + " exclusive (document 003: sending both returns 400)");
      }
      return listRequest(collection, a, b, limit);
    });
  }

  @Override
  public Flux<Page<GenericItem>> list(String collection, int limit) {
    return Flux.defer(() -> {
      String endpoint = listEndpoint(collection);
      checkLimit(limit, LIST_MAX_LIMIT, endpoint);
      return PageWalker.walk((String) null, after -> listRequest(collection, after, null, limit),
          (after, page) -> nextById(endpoint, after, page));
    });
  }

  private String listEndpoint(String collection) {
    if (collection == null || !COLLECTION.matcher(collection).matches()) {
      throw new IllegalArgumentException("collection must be a path below " + options.cloudPathPrefix()
          + " such as 'agents', was '" + collection + "'");
    }
    return "GET " + options.cloudPathPrefix() + "/" + collection;
  }

  private Mono<Page<GenericItem>> listRequest(String collection, String afterId, String beforeId, int limit) {
    String endpoint = listEndpoint(collection);
    checkLimit(limit, LIST_MAX_LIMIT, endpoint);
    StringBuilder path = new StringBuilder(options.cloudPathPrefix());
    for (String segment : collection.split("/")) {
      path.append('/').append(encode(segment));
    }
    String uri = path + new Query().add("limit", limit).add("after_id", afterId).add("before_id", beforeId)
        .toString();
    return execute(new Call(endpoint, uri, null, null),
        in -> parser.listPage(endpoint, in, GenericItem::of, false));
  }

  // --- document 004: sessions -------------------------------------------------------------------

  @Override
  public Mono<Page<SessionInfo>> sessionsPage(String organizationId, String before, int limit) {
    return Mono.defer(() -> sessionsRequest(organizationId, emptyToNull(before), limit));
  }

  @Override
  public Flux<Page<SessionInfo>> sessions(String organizationId, int limit) {
    return Flux.defer(() -> {
      checkLimit(limit, SESSIONS_MAX_LIMIT, sessionsEndpoint);
      return PageWalker.walk((String) null, before -> sessionsRequest(organizationId, before, limit),
          (before, page) -> {
            String next = page.nextCursor();
            if (next != null && next.equals(before)) {
              throw new QoderApiException.MalformedResponse(sessionsEndpoint,
                  "nextCursor repeats the cursor just used (" + before + ")", null);
            }
            return next;
          });
    });
  }

  @Override
  public Mono<SessionInfo> session(String organizationId, String sessionId) {
    return Mono.defer(() -> {
      if (sessionId == null || sessionId.isBlank()) {
        throw new IllegalArgumentException(sessionEndpoint + ": sessionId is missing");
      }
      // Document 004 names sessions by UUID; accept the sess_ spelling the other endpoints use.
      String uuid = SessionIds.toUuid(sessionId);
      String pathId = uuid != null ? uuid : sessionId;
      String uri = QoderApiOptions.SESSIONS_PATH + "/" + encode(pathId);
      return execute(new Call(sessionEndpoint, uri, organization(organizationId), SessionIds.canonical(sessionId)),
          in -> parser.session(sessionEndpoint, in));
    });
  }

  private Mono<Page<SessionInfo>> sessionsRequest(String organizationId, String before, int limit) {
    checkLimit(limit, SESSIONS_MAX_LIMIT, sessionsEndpoint);
    String uri = QoderApiOptions.SESSIONS_PATH + new Query().add("limit", limit).add("before", before);
    return execute(new Call(sessionsEndpoint, uri, organization(organizationId), null),
        in -> parser.sessionsPage(sessionsEndpoint, in));
  }

  private String organization(String perCall) {
    String org = emptyToNull(perCall);
    if (org != null && org.chars().anyMatch(c -> c <= 0x20 || c == 0x7f)) {
      throw new IllegalArgumentException("organizationId must not contain spaces or control characters");
    }
    return org != null ? org : options.organizationId();
  }

  // --- paging helpers ---------------------------------------------------------------------------

  /**
   * The next {@code after} cursor of an id-paged walk: the page's {@code last_id} while {@code
   * has_more}. Ends the walk (null) when there is nothing more, or when a page says {@code
   * has_more} but is empty (no id to continue from; a poller asks again later from its cursor).
   */
  private static String nextById(String endpoint, String current, Page<?> page) {
    if (!page.hasMore()) {
      return null;
    }
    String last = page.lastId();
    if (last == null) {
      log.warn("{}: has_more is true on a page without last_id; ending this walk at cursor {}",
          endpoint, current);
      return null;
    }
    if (last.equals(current)) {
      throw new QoderApiException.MalformedResponse(endpoint,
          "has_more is true but last_id did not move past the cursor " + current, null);
    }
    return last;
  }

  // --- the request path -------------------------------------------------------------------------

  /** One logical request: endpoint template, relative URI, organization header, session named. */
  private record Call(String endpoint, String uri, String organizationId, String sessionId) {}

  private <R> Mono<R> execute(Call call, Function<InputStream, R> parse) {
    return Mono.defer(() -> closed
            ? Mono.<R>error(new IllegalStateException("the Qoder API client is closed"))
            : attempt(call, parse))
        .retryWhen(Retry.from(signals -> signals.concatMap(
            signal -> retryOrGiveUp(call, signal.failure(), signal.totalRetries()))));
  }

  private Mono<Long> retryOrGiveUp(Call call, Throwable failure, long retriesSoFar) {
    if (!(failure instanceof QoderApiException e)) {
      return Mono.error(failure);
    }
    if (!retryPolicy.shouldRetry(e, retriesSoFar)) {
      e.recordAttempts((int) Math.min(Integer.MAX_VALUE, retriesSoFar + 1));
      return Mono.error(e);
    }
    Duration backoff = retryPolicy.delay(e, retriesSoFar);
    // A retry is a request of the session like any other: no sooner than its poll interval allows.
    Duration wait = call.sessionId() != null && backoff.compareTo(options.sessionRetryMin()) < 0
        ? options.sessionRetryMin() : backoff;
    if (e instanceof QoderApiException.RateLimited rl) {
      if (rl.retryAfterMillis() > 0) {
        budget.pauseFor(wait.toNanos()); // the token is limited, not this request (see the class comment)
      }
      safely(() -> metrics.rateLimited(call.endpoint(), wait.toMillis()));
    }
    if (wait.compareTo(Duration.ofSeconds(LONG_WAIT_SECONDS)) > 0) {
      warnLongWait(call, e, wait);
    }
    safely(() -> metrics.retry(call.endpoint(), retryReason(e)));
    log.debug("{} failed ({}), retry {} of {} in {} ms", call.endpoint(), e.getMessage(),
        retriesSoFar + 1, retryPolicy.maxRetries(), wait.toMillis());
    return Mono.delay(wait, timer);
  }

  /** One WARN per long wait: the waits of other requests that fall within it are not logged again. */
  private void warnLongWait(Call call, QoderApiException e, Duration wait) {
    long now = System.nanoTime();
    if (now - warnedWaitUntilNanos < 0) {
      log.debug("{}: waiting {} s before retrying ({})", call.endpoint(), wait.toSeconds(), e.getMessage());
      return;
    }
    warnedWaitUntilNanos = now + wait.toNanos();
    String cause;
    if (e instanceof QoderApiException.RateLimited rl && rl.retryAfterMillis() >= 0) {
      long askedSeconds = (rl.retryAfterMillis() + 999) / 1000;
      cause = "the API answered 429 with Retry-After: " + askedSeconds + " s"
          + (retryPolicy.capped(e) ? ", cut to qoder.retry-after-max (" + wait.toSeconds() + " s)" : "")
          + "; every request of this instance waits (the rate limit is the token's)";
    } else {
      cause = "the request failed (" + e.getMessage() + ") and the backoff (qoder.retry-backoff-max) has reached "
          + wait.toSeconds() + " s";
    }
    log.warn("{}: waiting {} s before the next attempt: {}", call.endpoint(), wait.toSeconds(), cause);
  }

  private static String retryReason(QoderApiException e) {
    if (e instanceof QoderApiException.Transport) {
      return "transport";
    }
    if (e instanceof QoderApiException.MalformedResponse) {
      return "malformed";
    }
    return Integer.toString(e.status());
  }

  /** One attempt: a concurrency permit, a budget token, one HTTP exchange; the permit always goes back. */
  private <R> Mono<R> attempt(Call call, Function<InputStream, R> parse) {
    return Mono.usingWhen(concurrency.acquire(),
        permit -> awaitBudget().flatMap(ticket -> exchange(call, parse, ticket)),
        permit -> Mono.fromRunnable(permit::release),
        (permit, error) -> Mono.fromRunnable(permit::release),
        permit -> Mono.fromRunnable(permit::release));
  }

  /**
   * Completes when the budget let this attempt go, on a timer while it waits. A place is taken only
   * when the request goes at once (the budget records when it really went), so a waiter asks again
   * after its wait: it may find the place taken by another and wait again.
   */
  private Mono<Long> awaitBudget() {
    return Mono.defer(() -> {
          long ticket = budget.tryAcquire();
          return ticket >= 0 ? Mono.just(ticket)
              : Mono.delay(Duration.ofNanos(-ticket), timer).then(Mono.<Long>empty());
        })
        .repeatWhenEmpty(Integer.MAX_VALUE, attempts -> attempts);
  }

  private <R> Mono<R> exchange(Call call, Function<InputStream, R> parse, long budgetTicket) {
    long start = System.nanoTime();
    int[] status = {0}; // written by the event loop before any signal that reads it
    HttpClient client = call.organizationId() == null
        ? http
        : http.headers(h -> h.set(HEADER_ORGANIZATION, call.organizationId()));
    return client.get()
        .uri(call.uri())
        .responseSingle((response, body) -> {
          int code = response.status().code();
          status[0] = code;
          if (code >= 200 && code < 300) {
            return body.asInputStream()
                .switchIfEmpty(Mono.error(() ->
                    new QoderApiException.MalformedResponse(call.endpoint(), "empty body", null)))
                .map(in -> parseAndClose(in, parse));
          }
          String retryAfter = response.responseHeaders().get(HttpHeaderNames.RETRY_AFTER);
          return body.asString(StandardCharsets.UTF_8)
              .defaultIfEmpty("")
              .flatMap(text -> {
                QoderApiException e = classifier.classifyStatus(call.endpoint(), urlOf(call), code, text,
                    retryAfter, call.sessionId(), clock.instant());
                if (e instanceof QoderApiException.NotFound nf && !nf.isSessionGone()) {
                  safely(() -> metrics.misrouted(call.endpoint(), options.baseUrl(), e.getMessage()));
                }
                return Mono.error(e);
              });
        })
        .onErrorMap(t -> ResponseClassifier.classifyFailure(call.endpoint(), t, options.responseTimeout()))
        // Observed before the result travels downstream, so a caller that saw the result also
        // finds it counted; a cancelled attempt is not counted.
        .doOnSuccess(result -> observe(call, status[0], System.nanoTime() - start))
        .doOnError(error -> observe(call, status[0], System.nanoTime() - start))
        // The budget counts a request from its end (see RateBudget): answered, failed or cancelled.
        .doFinally(signal -> budget.finished(budgetTicket));
  }

  /** The URL of a call without its query (cursors), for messages. */
  private String urlOf(Call call) {
    String uri = call.uri();
    int q = uri.indexOf('?');
    return options.baseUrl() + (q < 0 ? uri : uri.substring(0, q));
  }

  private static <R> R parseAndClose(InputStream in, Function<InputStream, R> parse) {
    try (in) {
      return parse.apply(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void observe(Call call, int status, long nanos) {
    if (log.isDebugEnabled()) {
      log.debug("GET {} -> {} in {} ms", call.uri(), status == 0 ? "no response" : status,
          nanos / 1_000_000);
    }
    safely(() -> metrics.request(call.endpoint(), status, nanos));
  }

  /** Metrics must never break the data path. */
  private static void safely(Runnable hook) {
    try {
      hook.run();
    } catch (RuntimeException | LinkageError e) {
      log.warn("the API metrics hook failed; the request goes on", e);
    }
  }

  // --- validation and encoding ------------------------------------------------------------------

  private static String requireSessionId(String sessionId, String endpoint) {
    if (sessionId == null || sessionId.isBlank()) {
      throw new IllegalArgumentException(endpoint + ": sessionId is missing");
    }
    // The events and resources endpoints name sessions sess_...; accept the UUID spelling too.
    return SessionIds.canonical(sessionId.strip());
  }

  private static void requireCursor(String name, String value, String endpoint) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(endpoint + ": " + name + " is required");
    }
  }

  private static void checkLimit(int limit, int max, String endpoint) {
    if (limit < 1 || limit > max) {
      throw new IllegalArgumentException(endpoint + ": limit must be within 1.." + max
          + " (the documented range), was " + limit);
    }
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  /** RFC 3986 percent-encoding for a path segment or query value ('+' and ':' included). */
  static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** A query string built from the non-null parameters, in order. */
  private static final class Query {
    private final StringBuilder sb = new StringBuilder();

    Query add(String name, Object value) {
      if (value != null) {
        sb.append(sb.length() == 0 ? '?' : '&').append(name).append('=').append(encode(value.toString()));
      }
      return this;
    }

    @Override
    public String toString() {
      return sb.toString();
    }
  }

  // --- construction -----------------------------------------------------------------------------

  static ObjectMapper objectMapper() {
    return new ObjectMapper()
        .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
        // Lossless: decimals keep their digits (no double rounding, no stripped zeros).
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);
  }

  private static HttpClient buildHttpClient(QoderApiOptions options, ConnectionProvider pool) {
    String authorization = "Bearer " + options.token().reveal();
    HttpClient client = HttpClient.create(pool)
        .baseUrl(options.baseUrl())
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) options.connectTimeout().toMillis())
        .responseTimeout(options.responseTimeout())
        // A redirect could carry the bearer token to another host: never follow one.
        .followRedirect(false)
        .compress(true)
        .headers(h -> h.set(HttpHeaderNames.AUTHORIZATION, authorization)
            .set(HttpHeaderNames.ACCEPT, "application/json")
            .set(HttpHeaderNames.USER_AGENT, options.userAgent()));
    if (!options.isHttps()) {
      return client;
    }
    SslContext ssl = sslContext(options);
    boolean verifyHost = options.verifyHostname() && !options.insecureSkipTlsVerify();
    if (options.insecureSkipTlsVerify()) {
      log.warn("TLS VERIFICATION IS OFF (insecureSkipTlsVerify): any server can pose as {} and"
          + " read the Qoder token. Use this only against a local test server.", options.baseUrl());
    } else if (!verifyHost) {
      log.warn("TLS hostname verification is off (verifyHostname=false) for {}: a certificate"
          + " for any host signed by a trusted CA is accepted.", options.baseUrl());
    }
    return client.secure(spec -> spec.sslContext(ssl)
        .handlerConfigurator(verifyHost
            ? HttpClientSecurityUtils.HOSTNAME_VERIFICATION_CONFIGURER
            : QoderApiClient::disableHostnameVerification));
  }

  /**
   * Empty, not null: Netty 4.2 turned hostname verification on by default and only an empty
   * algorithm name reliably turns it off (netty/netty#14142).
   */
  private static final String NO_ENDPOINT_IDENTIFICATION = "";

  private static void disableHostnameVerification(SslHandler handler) {
    SSLEngine engine = handler.engine();
    SSLParameters params = engine.getSSLParameters();
    params.setEndpointIdentificationAlgorithm(NO_ENDPOINT_IDENTIFICATION);
    engine.setSSLParameters(params);
  }

  private static SslContext sslContext(QoderApiOptions options) {
    try {
      SslContextBuilder builder = SslContextBuilder.forClient();
      if (options.insecureSkipTlsVerify()) {
        builder.trustManager(InsecureTrustManagerFactory.INSTANCE);
      } else if (options.caFile() != null) {
        builder.trustManager(options.caFile().toFile());
      }
      builder.endpointIdentificationAlgorithm(options.verifyHostname() && !options.insecureSkipTlsVerify()
          ? "HTTPS" : NO_ENDPOINT_IDENTIFICATION);
      return builder.build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalArgumentException("cannot set up TLS for " + options.baseUrl()
          + (options.caFile() == null ? "" : ": is caFile " + options.caFile() + " a PEM file of CA certificates?")
          + " (" + e.getMessage() + ")", e);
    }
  }
}

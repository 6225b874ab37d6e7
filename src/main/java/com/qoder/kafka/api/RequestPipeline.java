package com.qoder.kafka.api;

import io.netty.handler.codec.http.HttpHeaderNames;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.util.retry.Retry;

/**
 * The way every request of the client goes: attempts, retries and what an answer means.
 *
 * <p>Every attempt (first try and retries alike) first takes a permit of the concurrency bound
 * ({@link QoderApiOptions#maxConcurrentRequests()}), then a token of the global request budget
 * ({@link QoderApiOptions#maxRequestsPerSecond()}, at most that many in any one-second window),
 * waiting on timers rather than threads, and releases the permit when it completes, fails or is
 * cancelled. Failures are classified once ({@link ResponseClassifier}); retryable ones are retried
 * with jittered exponential backoff ({@link RetryPolicy}), never sooner than {@link
 * QoderApiOptions#sessionRetryMin()} for a request about one session (a retry counts against the
 * session's request rate), and a 429 after its {@code Retry-After} up to {@link
 * QoderApiOptions#retryAfterMax()}. 400, 401 and 404 are never retried.
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
 * <p>Thread-safe; one instance serves every endpoint of a client. After {@link #close()} every
 * attempt, a pending retry's included, fails with an {@link IllegalStateException}.
 */
final class RequestPipeline {

  // The client's log lines keep one logger name (QoderApiClient), which operators and tests filter by.
  private static final Logger log = LoggerFactory.getLogger(QoderApiClient.class);

  /** Document 004: selects the organization of the sessions endpoints. */
  static final String HEADER_ORGANIZATION = "X-Organization-Id";

  /** Waits longer than this are worth a WARN: requests (or the whole instance) stand still that long. */
  static final long LONG_WAIT_SECONDS = 30;

  private final QoderApiOptions options;
  private final ApiMetrics metrics;
  private final ApiConnections connections;
  private final HttpClient http;
  private final ResponseClassifier classifier;
  private final RateBudget budget;
  private final ConcurrencyLimit concurrency;
  private final RetryPolicy retryPolicy;
  private final Scheduler timer = Schedulers.parallel();
  private final Clock clock;
  private volatile boolean closed;
  /** Until when (nanoTime) the long wait last logged at WARN lasts: a wait inside it is not logged again. */
  private volatile long warnedWaitUntilNanos = System.nanoTime();

  RequestPipeline(QoderApiOptions options, ApiMetrics metrics, Clock clock, ApiConnections connections,
      ResponseClassifier classifier) {
    this.options = options;
    this.metrics = metrics;
    this.clock = clock;
    this.connections = connections;
    this.http = connections.http();
    this.classifier = classifier;
    this.budget = new RateBudget(options.maxRequestsPerSecond(), System::nanoTime);
    this.concurrency = new ConcurrencyLimit(options.maxConcurrentRequests());
    this.retryPolicy = new RetryPolicy(options.maxRetries(), options.backoffMin(), options.backoffMax(),
        options.retryAfterMax(),
        () -> ThreadLocalRandom.current().nextDouble());
  }

  /** Requests holding a concurrency permit right now. */
  int inFlight() {
    return concurrency.inUse();
  }

  /** Requests waiting for a concurrency permit right now. */
  int waiting() {
    return concurrency.waiting();
  }

  /** Refuses further attempts and releases the connection pool; idempotent. */
  void close() {
    if (!closed) {
      closed = true;
      connections.dispose();
    }
  }

  /** The parsed answer to {@code request}, after as many attempts as the retry policy allows. */
  <R> Mono<R> execute(ApiRequest request, Function<InputStream, R> parse) {
    return Mono.defer(() -> closed
            ? Mono.<R>error(new IllegalStateException("the Qoder API client is closed"))
            : attempt(request, parse))
        .retryWhen(Retry.from(signals -> signals.concatMap(
            signal -> retryOrGiveUp(request, signal.failure(), signal.totalRetries()))));
  }

  private Mono<Long> retryOrGiveUp(ApiRequest request, Throwable failure, long retriesSoFar) {
    if (!(failure instanceof QoderApiException e)) {
      return Mono.error(failure);
    }
    if (!retryPolicy.shouldRetry(e, retriesSoFar)) {
      e.recordAttempts((int) Math.min(Integer.MAX_VALUE, retriesSoFar + 1));
      return Mono.error(e);
    }
    Duration backoff = retryPolicy.delay(e, retriesSoFar);
    // A retry is a request of the session like any other: no sooner than its poll interval allows.
    Duration wait = request.sessionId() != null && backoff.compareTo(options.sessionRetryMin()) < 0
        ? options.sessionRetryMin() : backoff;
    if (e instanceof QoderApiException.RateLimited rl) {
      if (rl.retryAfterMillis() > 0) {
        budget.pauseFor(wait.toNanos()); // the token is limited, not this request (see the class comment)
      }
      safely(() -> metrics.rateLimited(request.endpoint(), wait.toMillis()));
    }
    if (wait.compareTo(Duration.ofSeconds(LONG_WAIT_SECONDS)) > 0) {
      warnLongWait(request, e, wait);
    }
    safely(() -> metrics.retry(request.endpoint(), retryReason(e)));
    log.debug("{} failed ({}), retry {} of {} in {} ms", request.endpoint(), e.getMessage(),
        retriesSoFar + 1, retryPolicy.maxRetries(), wait.toMillis());
    return Mono.delay(wait, timer);
  }

  /** One WARN per long wait: the waits of other requests that fall within it are not logged again. */
  private void warnLongWait(ApiRequest request, QoderApiException e, Duration wait) {
    long now = System.nanoTime();
    if (now - warnedWaitUntilNanos < 0) {
      log.debug("{}: waiting {} s before retrying ({})", request.endpoint(), wait.toSeconds(), e.getMessage());
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
    log.warn("{}: waiting {} s before the next attempt: {}", request.endpoint(), wait.toSeconds(), cause);
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
  private <R> Mono<R> attempt(ApiRequest request, Function<InputStream, R> parse) {
    return Mono.usingWhen(concurrency.acquire(),
        permit -> awaitBudget().flatMap(ticket -> exchange(request, parse, ticket)),
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

  private <R> Mono<R> exchange(ApiRequest request, Function<InputStream, R> parse, long budgetTicket) {
    long start = System.nanoTime();
    int[] status = {0}; // written by the event loop before any signal that reads it
    HttpClient client = request.organizationId() == null
        ? http
        : http.headers(h -> h.set(HEADER_ORGANIZATION, request.organizationId()));
    return client.get()
        .uri(request.uri())
        .responseSingle((response, body) -> {
          int code = response.status().code();
          status[0] = code;
          if (code >= 200 && code < 300) {
            return body.asInputStream()
                .switchIfEmpty(Mono.error(() ->
                    new QoderApiException.MalformedResponse(request.endpoint(), "empty body", null)))
                .map(in -> parseAndClose(in, parse));
          }
          String retryAfter = response.responseHeaders().get(HttpHeaderNames.RETRY_AFTER);
          return body.asString(StandardCharsets.UTF_8)
              .defaultIfEmpty("")
              .flatMap(text -> {
                QoderApiException e = classifier.classifyStatus(request.endpoint(), urlOf(request), code, text,
                    retryAfter, request.sessionId(), clock.instant());
                if (e instanceof QoderApiException.NotFound nf && !nf.isSessionGone()) {
                  safely(() -> metrics.misrouted(request.endpoint(), options.baseUrl(), e.getMessage()));
                }
                return Mono.error(e);
              });
        })
        .onErrorMap(t -> ResponseClassifier.classifyFailure(request.endpoint(), t, options.responseTimeout()))
        // Observed before the result travels downstream, so a caller that saw the result also
        // finds it counted; a cancelled attempt is not counted.
        .doOnSuccess(result -> observe(request, status[0], System.nanoTime() - start))
        .doOnError(error -> observe(request, status[0], System.nanoTime() - start))
        // The budget counts a request from its end (see RateBudget): answered, failed or cancelled.
        .doFinally(signal -> budget.finished(budgetTicket));
  }

  /** The URL of a request without its query (cursors), for messages. */
  private String urlOf(ApiRequest request) {
    String uri = request.uri();
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

  private void observe(ApiRequest request, int status, long nanos) {
    if (log.isDebugEnabled()) {
      log.debug("GET {} -> {} in {} ms", request.uri(), status == 0 ? "no response" : status,
          nanos / 1_000_000);
    }
    safely(() -> metrics.request(request.endpoint(), status, nanos));
  }

  /** Metrics must never break the data path. */
  private static void safely(Runnable hook) {
    try {
      hook.run();
    } catch (RuntimeException | LinkageError e) {
      log.warn("the API metrics hook failed; the request goes on", e);
    }
  }
}

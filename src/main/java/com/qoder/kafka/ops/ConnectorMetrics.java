package com.qoder.kafka.ops;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The connector's metrics: the methods the pipeline calls on its hot path, and the gauges it
 * feeds through suppliers. Every metric is named with a {@code qoder_} prefix; {@code
 * docs/METRICS.md} lists them all.
 *
 * <p><b>Contract.</b> No method of this class ever throws, whatever its arguments (null, negative,
 * NaN, absurdly long strings): metrics must never break the data path. Failures are swallowed and
 * logged at most once. A gauge whose supplier throws reports {@code NaN}.
 *
 * <p><b>Cardinality.</b> Tags whose values come from an open set (event type, endpoint, reason,
 * topic, change type) are bounded: the first N distinct values get their own series and the rest
 * are counted under {@value #OTHER}. Per-session values are never tags: session lag is one
 * histogram across all sessions, not one series per session.
 *
 * <p><b>Cost.</b> Meters are created once and cached; a call is a map lookup on a tag value (or an
 * array index for HTTP status codes) plus the meter's own lock-free update.
 *
 * <p>The meters themselves live in package-private groups that this class delegates to: {@link
 * EventMeters}, {@link ApiMeters}, {@link DeliveryMeters} and {@link SessionGauges}; their names,
 * tags and buckets are declared here, in one list.
 *
 * <p>Thread-safe.
 */
public final class ConnectorMetrics {

  /** Tag value for values beyond a tag's bound. */
  public static final String OTHER = "other";

  /** Tag value for a null or blank value. */
  public static final String UNKNOWN = "unknown";

  /** Default bound on the distinct values of the {@code type} tag. */
  public static final int DEFAULT_MAX_EVENT_TYPES = 50;

  /** Bound on endpoints, reasons, operations, topics, sources and change types. */
  static final int MAX_SMALL_TAG_VALUES = 32;

  /** The session states of the offsets design, exported as {@code qoder_sessions{state}}. */
  public static final List<String> SESSION_STATES =
      List.of("ACTIVE", "IDLE", "TERMINATED", "GONE", "RELEASED");

  // Meter names, Micrometer style; the Prometheus names (with unit and _total suffixes) are in the
  // comments and in docs/METRICS.md.
  static final String EVENTS_FETCHED = "qoder.events.fetched"; // qoder_events_fetched_total
  static final String EVENTS_PRODUCED = "qoder.events.produced"; // qoder_events_produced_total
  static final String EVENTS_DEDUPLICATED = "qoder.events.deduplicated"; // ..._total
  static final String EVENTS_DEAD_LETTERED = "qoder.events.dead.lettered"; // ..._total
  static final String EVENT_LAG = "qoder.event.lag"; // qoder_event_lag_seconds
  static final String SESSIONS = "qoder.sessions"; // qoder_sessions
  static final String HTTP_REQUESTS = "qoder.http.requests"; // qoder_http_requests_total
  static final String HTTP_REQUEST_DURATION = "qoder.http.request.duration"; // ..._seconds
  static final String HTTP_RETRIES = "qoder.http.retries"; // qoder_http_retries_total
  static final String HTTP_RATE_LIMIT_WAIT = "qoder.http.rate.limit.wait"; // ..._seconds
  static final String POLL_INTERVAL = "qoder.poll.interval"; // qoder_poll_interval_seconds
  static final String KAFKA_SEND_LATENCY = "qoder.kafka.send.latency"; // ..._seconds
  static final String KAFKA_IN_FLIGHT_RECORDS = "qoder.kafka.in.flight.records";
  static final String KAFKA_IN_FLIGHT_BYTES = "qoder.kafka.in.flight.bytes";
  static final String OFFSET_COMMIT_LATENCY = "qoder.offset.commit.latency"; // ..._seconds
  static final String REGISTRY_REQUEST_DURATION = "qoder.schema.registry.request.duration";
  static final String SOURCE_RECORDS = "qoder.source.records"; // qoder_source_records_total
  // Freshness: gauges over all sessions, bounded (buckets, max, top N by rank).
  static final String CURSOR_AGE_SESSIONS = "qoder.session.cursor.age.sessions"; // {le}
  static final String CURSOR_AGE_MAX = "qoder.session.cursor.age.max"; // ..._seconds
  static final String CURSOR_AGE_TOP = "qoder.session.cursor.age.top"; // ..._seconds {rank}
  static final String UNDELIVERED_SESSIONS = "qoder.session.undelivered.age.sessions"; // {le}
  static final String UNDELIVERED_MAX = "qoder.session.undelivered.age.max"; // ..._seconds
  static final String UNDELIVERED_TOP = "qoder.session.undelivered.age.top"; // ..._seconds {rank}

  // Histogram buckets. Explicit buckets (rather than Micrometer's ~70-bucket percentile
  // histogram) keep each series small; the ranges cover what each measurement can be.
  static final Duration[] LAG_BUCKETS =
      seconds(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 21600, 86400);
  static final Duration[] HTTP_BUCKETS =
      seconds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30);
  static final Duration[] KAFKA_BUCKETS =
      seconds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120);
  static final Duration[] WAIT_BUCKETS =
      seconds(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900);

  private final MeterRegistry registry;
  private final EventMeters events;
  private final ApiMeters api;
  private final DeliveryMeters delivery;
  private final SessionGauges sessions;

  /** Metrics on {@code registry} with the default bound of {@value #DEFAULT_MAX_EVENT_TYPES} types. */
  public ConnectorMetrics(MeterRegistry registry) {
    this(registry, DEFAULT_MAX_EVENT_TYPES);
  }

  /**
   * Metrics on {@code registry}; at most {@code maxEventTypes} distinct event types get their own
   * {@code type} tag value, the rest are counted as {@value #OTHER}.
   */
  public ConnectorMetrics(MeterRegistry registry, int maxEventTypes) {
    this.registry = Objects.requireNonNull(registry, "registry");
    if (maxEventTypes < 1) {
      throw new IllegalArgumentException(
          "maxEventTypes must be at least 1 (it bounds the type tag), was " + maxEventTypes);
    }
    MeterGuard guard = new MeterGuard();
    // In this order: the eagerly registered meters (event lag, poll interval, offset commits) keep
    // the registration order they had in one class.
    events = new EventMeters(registry, maxEventTypes, guard);
    api = new ApiMeters(registry, guard);
    delivery = new DeliveryMeters(registry, guard);
    sessions = new SessionGauges(registry, guard);
  }

  /** A Prometheus registry with {@code connector=<connectorName>} on every series. */
  public static PrometheusMeterRegistry newPrometheusRegistry(String connectorName) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags("connector", BoundedTagValues.normalize(connectorName));
    return registry;
  }

  /** The registry these metrics are registered on. */
  public MeterRegistry registry() {
    return registry;
  }

  // ---------------------------------------------------------------- events

  /** {@code count} events of {@code type} were received from the API. */
  public void eventsFetched(String type, long count) {
    events.fetched(type, count);
  }

  /** {@code count} events of {@code type} were acknowledged by Kafka. */
  public void eventsProduced(String type, long count) {
    events.produced(type, count);
  }

  /** {@code count} events of {@code type} were recognised as already delivered and dropped. */
  public void eventsDeduplicated(String type, long count) {
    events.deduplicated(type, count);
  }

  /**
   * One event of {@code type} went to the dead-letter topic; {@code reason} is a short, bounded
   * code such as {@code too_large} or {@code mapping_error}, never a free-text message.
   */
  public void eventDeadLettered(String type, String reason) {
    events.deadLettered(type, reason);
  }

  /** An event was acknowledged {@code lag} after it was created upstream. */
  public void eventLag(Duration lag) {
    events.lag(lag);
  }

  /** As {@link #eventLag(Duration)}, in nanoseconds; negative values (clock skew) are ignored. */
  public void eventLagNanos(long lagNanos) {
    events.lagNanos(lagNanos);
  }

  /**
   * The recent {@code quantile} (0..1) of event lag in seconds, over Micrometer's sliding window
   * (about two minutes); {@code NaN} before any lag was recorded or for a quantile other than
   * 0.5 or 0.99. Meant for the status page.
   */
  public double eventLagPercentileSeconds(double quantile) {
    return events.lagPercentileSeconds(quantile);
  }

  // ---------------------------------------------------------------- sessions and in-flight

  /**
   * Registers {@code qoder_sessions{state}} for each of {@code states}; each gauge reads {@code
   * countOf.applyAsDouble(state)} at scrape time. Call once, at start-up.
   */
  public void bindSessionsByState(Collection<String> states, ToDoubleFunction<String> countOf) {
    sessions.bindSessionsByState(states, countOf);
  }

  /** {@link #bindSessionsByState(Collection, ToDoubleFunction)} over {@link #SESSION_STATES}. */
  public void bindSessionsByState(ToDoubleFunction<String> countOf) {
    bindSessionsByState(SESSION_STATES, countOf);
  }

  /** Registers the in-flight gauges (records and bytes handed to Kafka and not yet acked). */
  public void bindInFlight(DoubleSupplier records, DoubleSupplier bytes) {
    delivery.bindInFlight(records, bytes);
  }

  /**
   * Registers the freshness gauges, read from {@code summary} at scrape time (computed at most once a
   * second): per age, the sessions per bucket ({@code _sessions{le}}, cumulative, a gauge histogram
   * that {@code histogram_quantile} reads directly), the maximum ({@code _max_seconds}) and the
   * {@value Freshness#TOP} largest by rank ({@code _top_seconds{rank}}). Session ids are never labels.
   * Call once, at start-up.
   */
  public void bindFreshness(Supplier<Freshness> summary) {
    sessions.bindFreshness(summary);
  }

  // ---------------------------------------------------------------- Qoder API

  /**
   * One HTTP exchange with the Qoder API finished. {@code endpoint} is a route template such as
   * {@code events} or {@code resources} (never a URL with ids in it); {@code status} is the HTTP
   * status, or 0 when no response arrived (network error, timeout).
   */
  public void httpRequest(String endpoint, int status, Duration duration) {
    api.request(endpoint, status, duration);
  }

  /**
   * As {@link #httpRequest(String, int, Duration)} with the duration in nanoseconds: the shape of
   * the API client's {@code ApiMetrics#request} hook, so an adapter is one line per method.
   */
  public void httpRequestNanos(String endpoint, int status, long nanos) {
    api.requestNanos(endpoint, status, nanos);
  }

  /** A request to {@code endpoint} is retried; {@code reason} e.g. {@code 429}, {@code 5xx}. */
  public void retry(String endpoint, String reason) {
    api.retry(endpoint, reason);
  }

  /** The client waits {@code wait} because {@code endpoint} answered 429 with Retry-After. */
  public void rateLimitWait(String endpoint, Duration wait) {
    api.rateLimitWait(endpoint, wait);
  }

  /** As {@link #rateLimitWait(String, Duration)} in milliseconds ({@code ApiMetrics#rateLimited}). */
  public void rateLimitWaitMillis(String endpoint, long waitMillis) {
    api.rateLimitWaitMillis(endpoint, waitMillis);
  }

  /** A caught-up session will be polled again after {@code interval}. */
  public void pollInterval(Duration interval) {
    api.pollInterval(interval);
  }

  /** {@code count} records of {@code source} (resources, files, sessions) with {@code change}. */
  public void sourceRecords(String source, String change, long count) {
    events.sourceRecords(source, change, count);
  }

  /** Qoder API requests counted so far (every endpoint and status), for the status page's chart. */
  public long httpRequestsTotal() {
    return api.requestsTotal();
  }

  // ---------------------------------------------------------------- Kafka, offsets, registry

  /** A record sent to {@code topic} was acknowledged (or failed) {@code latency} after send. */
  public void kafkaSend(String topic, Duration latency, boolean success) {
    delivery.kafkaSend(topic, latency, success);
  }

  /** As {@link #kafkaSend(String, Duration, boolean)} in nanoseconds, to spare a Duration. */
  public void kafkaSendNanos(String topic, long latencyNanos, boolean success) {
    delivery.kafkaSendNanos(topic, latencyNanos, success);
  }

  /** An offset record (or transaction commit) was acknowledged or failed after {@code latency}. */
  public void offsetCommit(Duration latency, boolean success) {
    delivery.offsetCommit(latency, success);
  }

  /**
   * One Schema Registry call finished; {@code operation} e.g. {@code register}, {@code lookup},
   * {@code get_schema}, {@code compatibility}.
   */
  public void registryCall(String operation, Duration duration, boolean success) {
    delivery.registryCall(operation, duration, success);
  }

  private static Duration[] seconds(double... values) {
    Duration[] d = new Duration[values.length];
    for (int i = 0; i < values.length; i++) {
      d[i] = Duration.ofNanos(Math.round(values[i] * 1e9));
    }
    return d;
  }
}

package com.qoder.kafka.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <p>Thread-safe.
 */
public final class ConnectorMetrics {

  private static final Logger log = LoggerFactory.getLogger(ConnectorMetrics.class);

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
  /** A freshness summary is computed at most this often, however many gauges read it. */
  private static final long FRESHNESS_CACHE_NANOS = 1_000_000_000L;

  // Histogram buckets. Explicit buckets (rather than Micrometer's ~70-bucket percentile
  // histogram) keep each series small; the ranges cover what each measurement can be.
  private static final Duration[] LAG_BUCKETS =
      seconds(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 21600, 86400);
  private static final Duration[] HTTP_BUCKETS =
      seconds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30);
  private static final Duration[] KAFKA_BUCKETS =
      seconds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120);
  private static final Duration[] WAIT_BUCKETS =
      seconds(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900);

  private final MeterRegistry registry;
  private final BoundedTagValues<Counter> fetched;
  private final BoundedTagValues<Counter> produced;
  private final BoundedTagValues<Counter> deduplicated;
  private final BoundedTagValues<BoundedTagValues<Counter>> deadLettered;
  private final Timer eventLag;
  private final BoundedTagValues<EndpointMeters> endpoints;
  private final BoundedTagValues<BoundedTagValues<Counter>> retries;
  private final BoundedTagValues<Timer> rateLimitWaits;
  private final Timer pollInterval;
  private final BoundedTagValues<Timer> kafkaSendOk;
  private final BoundedTagValues<Timer> kafkaSendFailed;
  private final Timer offsetCommitOk;
  private final Timer offsetCommitFailed;
  private final BoundedTagValues<Timer> registryOk;
  private final BoundedTagValues<Timer> registryFailed;
  private final BoundedTagValues<BoundedTagValues<Counter>> sourceRecords;
  private volatile boolean failureLogged;

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
    fetched = typeCounters(EVENTS_FETCHED, "Events received from the Qoder API", maxEventTypes);
    produced =
        typeCounters(EVENTS_PRODUCED, "Events acknowledged by Kafka (delivered)", maxEventTypes);
    deduplicated =
        typeCounters(
            EVENTS_DEDUPLICATED, "Events dropped because already delivered", maxEventTypes);
    deadLettered =
        new BoundedTagValues<>(
            maxEventTypes,
            type ->
                new BoundedTagValues<>(
                    MAX_SMALL_TAG_VALUES,
                    reason ->
                        Counter.builder(EVENTS_DEAD_LETTERED)
                            .description("Events written to the dead-letter topic, by reason")
                            .tag("type", type)
                            .tag("reason", reason)
                            .register(registry)));
    eventLag =
        Timer.builder(EVENT_LAG)
            .description(
                "Delay between an event's created_at and its acknowledgement by Kafka, all"
                    + " sessions in one distribution")
            .serviceLevelObjectives(LAG_BUCKETS)
            // Kept in-process for the status page; the Prometheus registry does not export them.
            .publishPercentiles(0.5, 0.99)
            .register(registry);
    endpoints = new BoundedTagValues<>(MAX_SMALL_TAG_VALUES, e -> new EndpointMeters(registry, e));
    retries =
        new BoundedTagValues<>(
            MAX_SMALL_TAG_VALUES,
            endpoint ->
                new BoundedTagValues<>(
                    MAX_SMALL_TAG_VALUES,
                    reason ->
                        Counter.builder(HTTP_RETRIES)
                            .description("Qoder API requests retried, by endpoint and reason")
                            .tag("endpoint", endpoint)
                            .tag("reason", reason)
                            .register(registry)));
    rateLimitWaits =
        new BoundedTagValues<>(
            MAX_SMALL_TAG_VALUES,
            endpoint ->
                Timer.builder(HTTP_RATE_LIMIT_WAIT)
                    .description("Waits imposed by HTTP 429 Retry-After, by endpoint")
                    .tag("endpoint", endpoint)
                    .serviceLevelObjectives(WAIT_BUCKETS)
                    .register(registry));
    pollInterval =
        Timer.builder(POLL_INTERVAL)
            .description("Adaptive wait before polling a caught-up session again")
            .serviceLevelObjectives(WAIT_BUCKETS)
            .register(registry);
    kafkaSendOk = kafkaSendTimers("success");
    kafkaSendFailed = kafkaSendTimers("failure");
    offsetCommitOk = offsetCommitTimer("success");
    offsetCommitFailed = offsetCommitTimer("failure");
    registryOk = registryTimers("success");
    registryFailed = registryTimers("failure");
    sourceRecords =
        new BoundedTagValues<>(
            MAX_SMALL_TAG_VALUES,
            source ->
                new BoundedTagValues<>(
                    MAX_SMALL_TAG_VALUES,
                    change ->
                        Counter.builder(SOURCE_RECORDS)
                            .description(
                                "Records delivered from the resources, files and sessions"
                                    + " sources, by change type")
                            .tag("source", source)
                            .tag("change", change)
                            .register(registry)));
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
    increment(fetched, type, count);
  }

  /** {@code count} events of {@code type} were acknowledged by Kafka. */
  public void eventsProduced(String type, long count) {
    increment(produced, type, count);
  }

  /** {@code count} events of {@code type} were recognised as already delivered and dropped. */
  public void eventsDeduplicated(String type, long count) {
    increment(deduplicated, type, count);
  }

  /**
   * One event of {@code type} went to the dead-letter topic; {@code reason} is a short, bounded
   * code such as {@code too_large} or {@code mapping_error}, never a free-text message.
   */
  public void eventDeadLettered(String type, String reason) {
    try {
      deadLettered.get(type).get(reason).increment();
    } catch (Throwable t) {
      swallow(t);
    }
  }

  /** An event was acknowledged {@code lag} after it was created upstream. */
  public void eventLag(Duration lag) {
    try {
      if (lag != null && !lag.isNegative()) {
        eventLag.record(lag);
      }
    } catch (Throwable t) {
      swallow(t);
    }
  }

  /** As {@link #eventLag(Duration)}, in nanoseconds; negative values (clock skew) are ignored. */
  public void eventLagNanos(long lagNanos) {
    try {
      if (lagNanos >= 0) {
        eventLag.record(lagNanos, TimeUnit.NANOSECONDS);
      }
    } catch (Throwable t) {
      swallow(t);
    }
  }

  /**
   * The recent {@code quantile} (0..1) of event lag in seconds, over Micrometer's sliding window
   * (about two minutes); {@code NaN} before any lag was recorded or for a quantile other than
   * 0.5 or 0.99. Meant for the status page.
   */
  public double eventLagPercentileSeconds(double quantile) {
    try {
      for (ValueAtPercentile v : eventLag.takeSnapshot().percentileValues()) {
        if (Math.abs(v.percentile() - quantile) < 1e-9) {
          return eventLag.count() == 0 ? Double.NaN : v.value(TimeUnit.SECONDS);
        }
      }
    } catch (Throwable t) {
      swallow(t);
    }
    return Double.NaN;
  }

  // ---------------------------------------------------------------- sessions and in-flight

  /**
   * Registers {@code qoder_sessions{state}} for each of {@code states}; each gauge reads {@code
   * countOf.applyAsDouble(state)} at scrape time. Call once, at start-up.
   */
  public void bindSessionsByState(Collection<String> states, ToDoubleFunction<String> countOf) {
    try {
      Objects.requireNonNull(countOf, "countOf");
      for (String state : states) {
        String s = BoundedTagValues.normalize(state);
        Gauge.builder(SESSIONS, () -> safe(() -> countOf.applyAsDouble(s)))
            .description("Sessions owned by this instance, by state")
            .tag("state", s)
            .strongReference(true)
            .register(registry);
      }
    } catch (Throwable t) {
      swallow(t);
    }
  }

  /** {@link #bindSessionsByState(Collection, ToDoubleFunction)} over {@link #SESSION_STATES}. */
  public void bindSessionsByState(ToDoubleFunction<String> countOf) {
    bindSessionsByState(SESSION_STATES, countOf);
  }

  /** Registers the in-flight gauges (records and bytes handed to Kafka and not yet acked). */
  public void bindInFlight(DoubleSupplier records, DoubleSupplier bytes) {
    try {
      Gauge.builder(KAFKA_IN_FLIGHT_RECORDS, () -> safe(records))
          .description("Records handed to the Kafka producer and not yet acknowledged")
          .strongReference(true)
          .register(registry);
      Gauge.builder(KAFKA_IN_FLIGHT_BYTES, () -> safe(bytes))
          .description("Bytes handed to the Kafka producer and not yet acknowledged")
          .baseUnit("bytes")
          .strongReference(true)
          .register(registry);
    } catch (Throwable t) {
      swallow(t);
    }
  }

  /**
   * Registers the freshness gauges, read from {@code summary} at scrape time (computed at most once a
   * second): per age, the sessions per bucket ({@code _sessions{le}}, cumulative, a gauge histogram
   * that {@code histogram_quantile} reads directly), the maximum ({@code _max_seconds}) and the
   * {@value Freshness#TOP} largest by rank ({@code _top_seconds{rank}}). Session ids are never labels.
   * Call once, at start-up.
   */
  public void bindFreshness(Supplier<Freshness> summary) {
    try {
      Objects.requireNonNull(summary, "summary");
      FreshnessCache cache = new FreshnessCache(summary);
      bindDistribution(cache, true, CURSOR_AGE_SESSIONS, CURSOR_AGE_MAX, CURSOR_AGE_TOP,
          "Sessions whose cursor was last known current at most le seconds ago",
          "Oldest cursor age among the followed sessions: time since the API last said has_more=false",
          "Cursor age of the rank-th stalest session");
      bindDistribution(cache, false, UNDELIVERED_SESSIONS, UNDELIVERED_MAX, UNDELIVERED_TOP,
          "Sessions whose oldest event read and not yet acknowledged by Kafka is at most le seconds old",
          "Age (created_at to now) of the oldest event read from the API and not yet acknowledged by Kafka",
          "Oldest undelivered event age of the rank-th session");
    } catch (Throwable t) {
      swallow(t);
    }
  }

  private void bindDistribution(FreshnessCache cache, boolean cursor, String buckets, String max, String top,
      String bucketsDoc, String maxDoc, String topDoc) {
    Function<Freshness, Freshness.Distribution> pick =
        cursor ? Freshness::cursorAge : Freshness::oldestUndelivered;
    for (int i = 0; i <= Freshness.BUCKETS.size(); i++) {
      int index = i;
      String le = i == Freshness.BUCKETS.size() ? "+Inf" : Double.toString(Freshness.BUCKETS.get(i));
      Gauge.builder(buckets, () -> safe(() -> pick.apply(cache.get()).atMost(index)))
          .description(bucketsDoc)
          .tag("le", le)
          .strongReference(true)
          .register(registry);
    }
    Gauge.builder(max, () -> safe(() -> pick.apply(cache.get()).maxSeconds()))
        .description(maxDoc)
        .baseUnit("seconds")
        .strongReference(true)
        .register(registry);
    for (int rank = 1; rank <= Freshness.TOP; rank++) {
      int r = rank;
      Gauge.builder(top, () -> safe(() -> pick.apply(cache.get()).topSeconds(r)))
          .description(topDoc)
          .tag("rank", Integer.toString(rank))
          .baseUnit("seconds")
          .strongReference(true)
          .register(registry);
    }
  }

  /** The latest summary, recomputed when older than a second: one pass over the sessions per scrape. */
  private static final class FreshnessCache {
    private final Supplier<Freshness> source;
    private volatile Freshness value;
    private volatile long at;

    FreshnessCache(Supplier<Freshness> source) {
      this.source = source;
    }

    Freshness get() {
      long now = System.nanoTime();
      Freshness v = value;
      if (v == null || now - at > FRESHNESS_CACHE_NANOS) {
        synchronized (this) {
          if (value == null || System.nanoTime() - at > FRESHNESS_CACHE_NANOS) {
            Freshness computed = source.get();
            value = computed == null ? Freshness.EMPTY : computed;
            at = System.nanoTime();
          }
          v = value;
        }
      }
      return v;
    }
  }

  // ---------------------------------------------------------------- Qoder API

  /**
   * One HTTP exchange with the Qoder API finished. {@code endpoint} is a route template such as
   * {@code events} or {@code resources} (never a URL with ids in it); {@code status} is the HTTP
   * status, or 0 when no response arrived (network error, timeout).
   */
  public void httpRequest(String endpoint, int status, Duration duration) {
    try {
      EndpointMeters m = endpoints.get(endpoint);
      m.status(status).increment();
      if (duration != null && !duration.isNegative()) {
        m.duration(status).record(duration);
      }
    } catch (Throwable t) {
      swallow(t);
    }
  }

  /**
   * As {@link #httpRequest(String, int, Duration)} with the duration in nanoseconds: the shape of
   * the API client's {@code ApiMetrics#request} hook, so an adapter is one line per method.
   */
  public void httpRequestNanos(String endpoint, int status, long nanos) {
    try {
      EndpointMeters m = endpoints.get(endpoint);
      m.status(status).increment();
      if (nanos >= 0) {
        m.duration(status).record(nanos, TimeUnit.NANOSECONDS);
      }
    } catch (Throwable t) {
      swallow(t);
    }
  }

  /** A request to {@code endpoint} is retried; {@code reason} e.g. {@code 429}, {@code 5xx}. */
  public void retry(String endpoint, String reason) {
    try {
      retries.get(endpoint).get(reason).increment();
    } catch (Throwable t) {
      swallow(t);
    }
  }

  /** The client waits {@code wait} because {@code endpoint} answered 429 with Retry-After. */
  public void rateLimitWait(String endpoint, Duration wait) {
    try {
      if (wait != null && !wait.isNegative()) {
        rateLimitWaits.get(endpoint).record(wait);
      }
    } catch (Throwable t) {
      swallow(t);
    }
  }

  /** As {@link #rateLimitWait(String, Duration)} in milliseconds ({@code ApiMetrics#rateLimited}). */
  public void rateLimitWaitMillis(String endpoint, long waitMillis) {
    try {
      if (waitMillis >= 0) {
        rateLimitWaits.get(endpoint).record(waitMillis, TimeUnit.MILLISECONDS);
      }
    } catch (Throwable t) {
      swallow(t);
    }
  }

  /** A caught-up session will be polled again after {@code interval}. */
  public void pollInterval(Duration interval) {
    try {
      if (interval != null && !interval.isNegative()) {
        pollInterval.record(interval);
      }
    } catch (Throwable t) {
      swallow(t);
    }
  }

  /** {@code count} records of {@code source} (resources, files, sessions) with {@code change}. */
  public void sourceRecords(String source, String change, long count) {
    try {
      if (count > 0) {
        sourceRecords.get(source).get(change).increment(count);
      }
    } catch (Throwable t) {
      swallow(t);
    }
  }

  /** Qoder API requests counted so far (every endpoint and status), for the status page's chart. */
  public long httpRequestsTotal() {
    try {
      return (long) registry.find(HTTP_REQUESTS).counters().stream().mapToDouble(Counter::count).sum();
    } catch (Throwable t) {
      swallow(t);
      return 0;
    }
  }

  // ---------------------------------------------------------------- Kafka, offsets, registry

  /** A record sent to {@code topic} was acknowledged (or failed) {@code latency} after send. */
  public void kafkaSend(String topic, Duration latency, boolean success) {
    try {
      if (latency != null && !latency.isNegative()) {
        (success ? kafkaSendOk : kafkaSendFailed).get(topic).record(latency);
      }
    } catch (Throwable t) {
      swallow(t);
    }
  }

  /** As {@link #kafkaSend(String, Duration, boolean)} in nanoseconds, to spare a Duration. */
  public void kafkaSendNanos(String topic, long latencyNanos, boolean success) {
    try {
      if (latencyNanos >= 0) {
        (success ? kafkaSendOk : kafkaSendFailed)
            .get(topic)
            .record(latencyNanos, TimeUnit.NANOSECONDS);
      }
    } catch (Throwable t) {
      swallow(t);
    }
  }

  /** An offset record (or transaction commit) was acknowledged or failed after {@code latency}. */
  public void offsetCommit(Duration latency, boolean success) {
    try {
      if (latency != null && !latency.isNegative()) {
        (success ? offsetCommitOk : offsetCommitFailed).record(latency);
      }
    } catch (Throwable t) {
      swallow(t);
    }
  }

  /**
   * One Schema Registry call finished; {@code operation} e.g. {@code register}, {@code lookup},
   * {@code get_schema}, {@code compatibility}.
   */
  public void registryCall(String operation, Duration duration, boolean success) {
    try {
      if (duration != null && !duration.isNegative()) {
        (success ? registryOk : registryFailed).get(operation).record(duration);
      }
    } catch (Throwable t) {
      swallow(t);
    }
  }

  // ---------------------------------------------------------------- internals

  private BoundedTagValues<Counter> typeCounters(String name, String description, int max) {
    return new BoundedTagValues<>(
        max,
        type -> Counter.builder(name).description(description).tag("type", type).register(registry));
  }

  private BoundedTagValues<Timer> kafkaSendTimers(String outcome) {
    return new BoundedTagValues<>(
        MAX_SMALL_TAG_VALUES,
        topic ->
            Timer.builder(KAFKA_SEND_LATENCY)
                .description("Time from producer send to broker acknowledgement")
                .tag("topic", topic)
                .tag("outcome", outcome)
                .serviceLevelObjectives(KAFKA_BUCKETS)
                .register(registry));
  }

  private Timer offsetCommitTimer(String outcome) {
    return Timer.builder(OFFSET_COMMIT_LATENCY)
        .description("Time to make an offset record (or transaction) durable")
        .tag("outcome", outcome)
        .serviceLevelObjectives(KAFKA_BUCKETS)
        .register(registry);
  }

  private BoundedTagValues<Timer> registryTimers(String outcome) {
    return new BoundedTagValues<>(
        MAX_SMALL_TAG_VALUES,
        operation ->
            Timer.builder(REGISTRY_REQUEST_DURATION)
                .description("Schema Registry calls, by operation and outcome")
                .tag("operation", operation)
                .tag("outcome", outcome)
                .serviceLevelObjectives(HTTP_BUCKETS)
                .register(registry));
  }

  private void increment(BoundedTagValues<Counter> counters, String type, long count) {
    try {
      if (count > 0) {
        counters.get(type).increment(count);
      }
    } catch (Throwable t) {
      swallow(t);
    }
  }

  private double safe(DoubleSupplier supplier) {
    try {
      return supplier.getAsDouble();
    } catch (Throwable t) {
      swallow(t);
      return Double.NaN;
    }
  }

  private void swallow(Throwable t) {
    if (t instanceof VirtualMachineError vme && !(t instanceof StackOverflowError)) {
      throw vme; // out of memory is not a metrics problem to hide
    }
    if (!failureLogged) {
      failureLogged = true;
      log.warn("A metric update failed; metrics may be incomplete (logged once)", t);
    }
  }

  private static Duration[] seconds(double... values) {
    Duration[] d = new Duration[values.length];
    for (int i = 0; i < values.length; i++) {
      d[i] = Duration.ofNanos(Math.round(values[i] * 1e9));
    }
    return d;
  }

  /**
   * The meters of one API endpoint: a request counter per status code and a duration timer per status
   * class (so the histograms stay at a handful of series), both array-indexed and created on first
   * use.
   */
  private static final class EndpointMeters {
    private static final int MAX_STATUS = 600;
    private final MeterRegistry registry;
    private final String endpoint;
    private final AtomicReferenceArray<Counter> byStatus = new AtomicReferenceArray<>(MAX_STATUS);
    // index 0: no response; 1..5: 1xx..5xx. Created on first use like the counters.
    private final AtomicReferenceArray<Timer> byClass = new AtomicReferenceArray<>(6);

    EndpointMeters(MeterRegistry registry, String endpoint) {
      this.registry = registry;
      this.endpoint = endpoint;
    }

    Counter status(int status) {
      int index = (status >= 100 && status < MAX_STATUS) ? status : 0;
      Counter c = byStatus.get(index);
      if (c == null) {
        c =
            Counter.builder(HTTP_REQUESTS)
                .description(
                    "Qoder API requests, by endpoint and HTTP status (\"none\": no response)")
                .tag("endpoint", endpoint)
                .tag("status", index == 0 ? "none" : Integer.toString(index))
                .register(registry);
        // Registration is idempotent, so a race only stores the same meter twice.
        byStatus.set(index, c);
      }
      return c;
    }

    Timer duration(int status) {
      int index = (status >= 100 && status < MAX_STATUS) ? status / 100 : 0;
      Timer t = byClass.get(index);
      if (t == null) {
        t =
            Timer.builder(HTTP_REQUEST_DURATION)
                .description("Qoder API request duration, by endpoint and status class")
                .tag("endpoint", endpoint)
                .tag("status_class", index == 0 ? "none" : index + "xx")
                .serviceLevelObjectives(HTTP_BUCKETS)
                .register(registry);
        byClass.set(index, t);
      }
      return t;
    }
  }
}

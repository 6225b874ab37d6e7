package com.qoder.kafka.runtime;

import static com.qoder.kafka.runtime.ConnectorStartUp.withBootstrap;

import com.qoder.kafka.api.QoderApiClient;
import com.qoder.kafka.avro.EventMapper;
import com.qoder.kafka.cluster.ClusterMember;
import com.qoder.kafka.cluster.ClusterOptions;
import com.qoder.kafka.cluster.PartitionListener;
import com.qoder.kafka.cluster.StatusBoard;
import com.qoder.kafka.config.ConfigException;
import com.qoder.kafka.config.ConnectorConfig;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.KafkaClientProperties;
import com.qoder.kafka.kafka.KafkaSink;
import com.qoder.kafka.kafka.TopicAdmin;
import com.qoder.kafka.kafka.TopicConfigurationException;
import com.qoder.kafka.kafka.TopicSpec;
import com.qoder.kafka.offsets.OffsetKey;
import com.qoder.kafka.offsets.OffsetRecord;
import com.qoder.kafka.offsets.OffsetSource;
import com.qoder.kafka.offsets.OffsetStore;
import com.qoder.kafka.ops.ConnectorMetrics;
import com.qoder.kafka.ops.HealthCheck;
import com.qoder.kafka.ops.JvmProcessMetrics;
import com.qoder.kafka.ops.KafkaHealthCheck;
import com.qoder.kafka.ops.OpsOptions;
import com.qoder.kafka.ops.OpsServer;
import com.qoder.kafka.ops.RecentErrors;
import com.qoder.kafka.ops.Trend;
import com.qoder.kafka.registry.RegisteredSchema;
import com.qoder.kafka.registry.RegistryOptions;
import com.qoder.kafka.registry.SchemaRegistration;
import com.qoder.kafka.registry.SchemaRegistries;
import com.qoder.kafka.registry.SchemaRegistry;
import com.qoder.kafka.signal.SignalOptions;
import com.qoder.kafka.signal.Signals;
import com.qoder.kafka.source.OffsetWriter;
import com.qoder.kafka.source.PollerOptions;
import com.qoder.kafka.source.SessionSupervisor;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * One running connector instance: the assembly of API client, registry, Kafka sink, offsets store,
 * session table and ops server, and its lifecycle.
 *
 * <p>Start-up does, in order, everything that can fail for a configuration reason — registry
 * registration, topic checks, offsets restore — so a broken deployment fails at once with a clear
 * message, and the hot path never waits on the registry. {@link #close()} drains: pollers finish
 * the page in hand, the producer flushes, final offsets are written, all within
 * {@code connector.shutdown-timeout}.
 *
 * <p>Every instance is a member of the connector's consumer group ({@link ClusterMember}), even a
 * single one: the offsets partitions it is assigned are the sessions it polls, restored when they
 * are assigned. In exactly-once mode the producer is transactional and pages commit in batches.
 *
 * <p>Thread-safe; {@link #close()} is idempotent.
 */
public final class Connector implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Connector.class);
  /**
   * What each step after the pollers gets at least, even when the pollers used up the shutdown
   * timeout: leaving the group and flushing take milliseconds when Kafka answers, and without a floor
   * a late step would be given 0 ms and fail at once however little it had to do.
   */
  private static final Duration STEP_FLOOR = Duration.ofSeconds(1);
  private static final Duration SINK_CLOSE_FLOOR = Duration.ofSeconds(2);

  private final ConnectorConfig config;
  private final List<AutoCloseable> resources = new ArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicReference<Throwable> fatal = new AtomicReference<>();
  private final CountDownLatch stopped = new CountDownLatch(1);
  /** System.nanoTime() by which close() should be done; set when it starts. */
  private volatile long closeDeadline;
  private final Instant startedAt = Instant.now();
  private final RecentErrors recentErrors = new RecentErrors();
  private PrometheusMeterRegistry meterRegistry;
  private ConnectorMetrics metrics;
  private OpsServer ops;
  private KafkaSink sink;
  private QoderApiClient api;
  private volatile ClusterMember member;
  private SessionSupervisor sessions;
  private Sources changeSources;
  private Signals signals;
  private ConnectorStatus status;

  private Connector(ConnectorConfig config) {
    this.config = config;
  }

  /**
   * Starts a connector; blocks until it is polling (call from a main or test thread).
   *
   * @throws ConfigException when the configuration misses what {@code run} needs
   * @throws RuntimeException with a user-actionable message when a dependency refuses to start
   */
  public static Connector start(ConnectorConfig config) {
    Connector c = new Connector(config);
    try {
      c.startUp();
      return c;
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
  }

  private void startUp() {
    if (config.secret(Settings.QODER_TOKEN) == null) {
      throw new ConfigException(List.of("no Qoder API token: set QODER_PAT, qoder.token-file or qoder.token"));
    }
    config.warnings().forEach(w -> log.warn("configuration: {}", w));
    String name = config.connectorName();
    String instanceId = config.has(Settings.CLUSTER_INSTANCE_ID) ? config.string(Settings.CLUSTER_INSTANCE_ID)
        : ClusterOptions.defaultInstanceId();
    meterRegistry = ConnectorMetrics.newPrometheusRegistry(name);
    metrics = new ConnectorMetrics(meterRegistry);
    // The dashboard's JVM row and docs/METRICS.md promise these on every instance's /metrics.
    resources.add(JvmProcessMetrics.bindTo(meterRegistry));

    KafkaClientProperties clientProps = KafkaClientProperties.of(config.kafkaProperties());
    String bootstrap = config.string(Settings.KAFKA_BOOTSTRAP);

    // Ops first: liveness answers while the rest starts, readiness says what is still missing.
    status = new ConnectorStatus(name, startedAt, metrics, recentErrors);
    List<HealthCheck> checks = new ArrayList<>();
    KafkaHealthCheck kafkaCheck = KafkaHealthCheck.fromProperties(withBootstrap(clientProps, bootstrap),
        KafkaHealthCheck.DEFAULT_TIMEOUT);
    resources.add(kafkaCheck);
    checks.add(kafkaCheck);
    checks.add(HealthCheck.of("offsets", () -> member != null && member.hasJoined() ? Optional.empty()
        : Optional.of("not yet a member of group '" + config.groupId() + "' with its partitions restored")));
    OpsOptions opsOptions = new OpsOptions(config.string(Settings.OPS_BIND), config.integer(Settings.OPS_PORT),
        config.bool(Settings.OPS_ENABLED));
    ops = OpsServer.startIfEnabled(opsOptions, meterRegistry, status, checks).orElse(null);
    if (ops != null) {
      resources.add(ops);
      log.info("ops server on http://{}:{}/ (metrics at /metrics, health at /health/ready)", ops.host(), ops.port());
    }

    // Registry: register (or look up) every schema once, now; producing never calls the registry.
    SchemaRegistry registry = SchemaRegistries.create(registryOptions(), r -> new MeteredSchemaRegistry(r, metrics));
    resources.add(registry);
    SchemaRegistration registration = new SchemaRegistration(registry, registryOptions());
    EventRouter router = new EventRouter(config.string(Settings.TOPIC_EVENTS), config.routing());
    Map<String, RegisteredSchema> schemas = ConnectorStartUp.registerSchemas(registration, router);
    checks.add(HealthCheck.of("schemaRegistry", () -> {
      try {
        registry.latest(schemas.values().iterator().next().subject()); // uncached: a real round trip
        return Optional.empty();
      } catch (RuntimeException e) {
        return Optional.of(e.getMessage());
      }
    }));
    if (ops != null) {
      ops.addReadinessCheck(checks.get(checks.size() - 1));
    }

    // Topics: created or checked, with the record limit of each (ConnectorStartUp.ensureTopics).
    int maxRecordBytes = (int) config.size(Settings.MAX_RECORD_BYTES);
    String deadLetterTopic = config.string(Settings.TOPIC_DEAD_LETTER);
    ConnectorStartUp.Topics topics = ConnectorStartUp.ensureTopics(config, bootstrap, clientProps, router,
        deadLetterTopic, maxRecordBytes);
    int offsetsPartitions = topics.offsetsPartitions();
    TopicAdmin.RecordLimits recordLimits = topics.recordLimits();

    boolean exactlyOnce = config.exactlyOnce();
    sink = KafkaSink.create(ConnectorStartUp.sinkOptions(config, bootstrap, clientProps, instanceId, maxRecordBytes));
    recordLimits.limits().forEach(sink::limitRecordSize);
    KafkaSink createdSink = sink;
    // Closed within what is left of the shutdown timeout (not the sink's own default).
    resources.add(() -> createdSink.close(timeLeft(SINK_CLOSE_FLOOR)));
    metrics.bindInFlight(sink::inFlightRecords, sink::inFlightBytes);

    OffsetStore offsets = OffsetStore.create(config.offsetsTopic(), offsetsPartitions, sink);

    MisroutedEndpoints misrouted = new MisroutedEndpoints();
    api = QoderApiClient.create(ConnectorStartUp.apiOptions(config, instanceId),
        new ApiMetricsBridge(metrics, misrouted));
    resources.add(api);
    if (ops != null) {
      ops.addReadinessCheck(HealthCheck.of("qoderApi", misrouted::problem));
    }

    EventPublisher publisher = new EventPublisher(new EventMapper(), schemas, router, sink,
        new DeadLetters(deadLetterTopic, sink), metrics);
    ClusterOptions clusterOptions = new ClusterOptions(bootstrap, clientProps, config.groupId(), instanceId,
        config.offsetsTopic(), offsetsPartitions, exactlyOnce, config.duration(Settings.CLUSTER_SESSION_TIMEOUT),
        config.duration(Settings.COMMIT_INTERVAL), config.duration(Settings.TRANSACTION_TIMEOUT),
        config.duration(Settings.SHUTDOWN_TIMEOUT));
    member = ClusterMember.create(clusterOptions, sink, offsets, this::fail);
    OffsetWriter offsetWriter = member.offsetWriter();
    PollerOptions pollerOptions = new PollerOptions(config.integer(Settings.PAGE_SIZE),
        config.duration(Settings.POLL_MIN), config.duration(Settings.POLL_MAX),
        "latest".equals(config.string(Settings.START_POSITION)), config.integer(Settings.DEDUP_WINDOW),
        config.size(Settings.MAX_IN_FLIGHT_BYTES));
    // Change sources besides events (resources, files, session lifecycle): runtime/Sources. Their
    // state is read once here; with several instances an entity is handled by the instance that
    // owns its key's offsets partition, like a session. Exactly-once, their records and positions are
    // written in the instance's transactions, like the events pages.
    Map<OffsetKey, OffsetRecord> stored = offsets.restore();
    changeSources = Sources.create(config, api, sink, offsets, stored, registration, metrics, this::fail,
        member.changeTransactions());
    if (exactlyOnce) {
      // A session whose lifecycle records were in an aborted transaction is not reported until its
      // committed lifecycle state was read back.
      changeSources.ownership(key -> key.source() == OffsetSource.LIFECYCLE ? member.ownsLifecycle(key.sessionId())
          : member.ownedPartitions().contains(offsets.partitionFor(key)), offsets::partitionFor);
    } else {
      changeSources.ownership(key -> member.ownedPartitions().contains(offsets.partitionFor(key)),
          offsets::partitionFor);
    }
    member.partitionListener(changeSources);
    resources.add(changeSources);
    sessions = new SessionSupervisor(api, changeSources.wrap(member.delivery(publisher)), snapshot -> {
      long t0 = System.nanoTime();
      return offsetWriter.write(snapshot)
          .doOnSuccess(m -> metrics.offsetCommit(Duration.ofNanos(System.nanoTime() - t0), true))
          .doOnError(e -> metrics.offsetCommit(Duration.ofNanos(System.nanoTime() - t0), false));
    }, pollerOptions, changeSources.wrap(status.listener()), this::fail);
    status.attach(sessions);
    status.attachCluster(member::status);
    if (ops != null) {
      startStatusViews(bootstrap, clientProps, instanceId);
    }
    if (config.bool(Settings.SIGNALS_ENABLED)) {
      signals = startSignals(bootstrap, clientProps, instanceId, offsets, publisher);
    }
    metrics.bindSessionsByState(state -> sessions.countByStatus().entrySet().stream()
        .filter(e -> e.getKey().name().equals(state)).mapToLong(Map.Entry::getValue).sum());
    metrics.bindFreshness(status::freshness);
    changeSources.start(sessions);

    // Sessions are tracked as the group assigns their offsets partitions to this instance.
    boolean events = config.bool(Settings.SOURCE_EVENTS);
    boolean discover = events && config.discoveryEnabled();
    member.start(sessions, events ? config.list(Settings.SESSION_IDS) : List.of(),
        discover ? config.organizations() : List.of());
    if (discover) {
      sessions.startDiscovery(config.organizations(), config.duration(Settings.DISCOVERY_INTERVAL));
    }
    BackfillProgress progress = new BackfillProgress(sessions::backlog, status::delivered);
    Disposable progressLog = progress.start();
    resources.add(progressLog::dispose);
    Duration joinWait = config.duration(Settings.CLUSTER_SESSION_TIMEOUT).multipliedBy(2).plusSeconds(30);
    try {
      if (!member.awaitFirstAssignment(joinWait)) {
        log.warn("instance {} has not been assigned its partitions of group '{}' within {}; it keeps trying",
            instanceId, config.groupId(), joinWait);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while joining group " + config.groupId(), e);
    }
    log.info("connector '{}' instance {} running: {} session(s) polled (offsets partitions {} of {}), discovery {},"
        + " delivery {}", name, instanceId, sessions.polled(), member.ownedPartitions(), offsetsPartitions,
        config.discoveryEnabled() ? "every " + config.duration(Settings.DISCOVERY_INTERVAL) : "off",
        config.string(Settings.DELIVERY));
  }

  /**
   * The status page's charts (a sample every ops.status-interval) and cluster view (each instance
   * publishes its status to a compacted topic and reads the others'; {@link StatusBoard}). Neither is
   * on the data path: a status topic that cannot be created only leaves the cluster view to the
   * group's membership.
   */
  private void startStatusViews(String bootstrap, KafkaClientProperties clientProps, String instanceId) {
    Duration every = config.duration(Settings.OPS_STATUS_INTERVAL);
    Trend trend;
    try {
      trend = new Trend(every);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(List.of(Settings.OPS_STATUS_INTERVAL.key() + ": " + e.getMessage()));
    }
    status.attachTrend(trend);
    Disposable sampler = Flux.interval(Duration.ZERO, every, Schedulers.parallel())
        .onBackpressureDrop()
        .subscribe(i -> status.sample(metrics.httpRequestsTotal()), e -> log.warn("status sampler stopped", e));
    resources.add(sampler::dispose);

    String topic = config.statusTopic();
    try (TopicAdmin admin = TopicAdmin.create(bootstrap, clientProps)) {
      admin.ensureDataTopics(List.of(new TopicSpec(topic, 1, (short) config.integer(Settings.REPLICATION_FACTOR),
          Map.of("cleanup.policy", "compact"))), config.bool(Settings.CREATE_TOPICS));
    } catch (RuntimeException e) {
      log.warn("the status page's cluster view shows the group's members only: status topic '{}' is not usable"
          + " ({}); create it (compacted, 1 partition) or set kafka.topics.status", topic, e.getMessage());
      status.attachClusterView(() -> ClusterView.merge(instanceId, member.groupId(), member.groupMembers(),
          List.of(selfStatus(instanceId)), Instant.now(), Duration.ofDays(1), !member.groupMembers().isEmpty()));
      return;
    }
    StatusBoard board = StatusBoard.start(withBootstrap(clientProps, bootstrap), topic, instanceId, every,
        () -> selfStatus(instanceId));
    resources.add(board);
    status.attachClusterView(() -> ClusterView.merge(instanceId, member.groupId(), member.groupMembers(),
        board.instances(), Instant.now(), board.staleAfter(), !member.groupMembers().isEmpty()));
  }

  private StatusBoard.Published selfStatus(String instanceId) {
    Throwable f = fatal.get();
    ClusterMember m = member;
    boolean joined = m != null && m.hasJoined();
    String health = f == null && joined ? "UP" : "DOWN";
    String detail = f != null ? f.getMessage() : joined ? null : "not yet a member of group '" + config.groupId() + "'";
    return new StatusBoard.Published(instanceId, HOST, Instant.now(), m == null ? List.of() : m.ownedPartitions(),
        sessions == null ? 0 : sessions.polled(), status.eventsPerSecond(), health, detail);
  }

  private static final String HOST = ConnectorStartUp.hostName();

  /**
   * Live signals: the signals and notifications topics (created when missing and allowed), read by
   * this instance, acted on for the sessions it owns; registered with the member before it joins.
   */
  private Signals startSignals(String bootstrap, KafkaClientProperties clientProps, String instanceId,
      OffsetStore offsets, EventPublisher publisher) {
    try (TopicAdmin admin = TopicAdmin.create(bootstrap, clientProps)) {
      short rf = (short) config.integer(Settings.REPLICATION_FACTOR);
      // One partition each: signals of every session in one order, and few answers.
      admin.ensureDataTopics(List.of(TopicSpec.data(config.signalsTopic(), 1, rf),
          TopicSpec.data(config.notificationsTopic(), 1, rf)), config.bool(Settings.CREATE_TOPICS));
    } catch (TopicConfigurationException e) {
      // Signals are an operator's tool, not the data path: an instance without them still streams.
      log.warn("live signals are off on this instance: {} (create the topics, or set signals.enabled=false to"
          + " silence this)", e.getMessage());
      return null;
    }
    Signals s = Signals.create(new SignalOptions(bootstrap, clientProps.toClientConfig(), config.signalsTopic(),
        config.notificationsTopic(), config.string(Settings.TOPIC_EVENTS), instanceId,
        config.integer(Settings.SIGNALS_RESYNC_PAGE_SIZE), config.duration(Settings.SHUTDOWN_TIMEOUT).dividedBy(2)),
        new ConnectorSignals(member, sessions, offsets, sink, publisher, api, changeSources));
    s.pausedCheck(id -> sessions.holds(id).contains("pause"));
    member.partitionListener(PartitionListener.both(changeSources, s));
    status.attachSignals(s::status);
    s.start();
    return s;
  }

  private RegistryOptions registryOptions() {
    return ClientOptions.registry(config);
  }

  /** What is left of the shutdown timeout, but at least {@code floor}. */
  private Duration timeLeft(Duration floor) {
    long left = closeDeadline - System.nanoTime();
    return left > floor.toNanos() ? Duration.ofNanos(left) : floor;
  }

  /** A fatal pipeline error: log it once, stop everything; {@link #awaitStop()} returns it. */
  private void fail(Throwable t) {
    if (fatal.compareAndSet(null, t)) {
      log.error("stopping: {}", t.getMessage());
      recentErrors.add((String) null, t.getMessage());
      Thread stopper = new Thread(this::close, "qoder-kafka-fatal-stop");
      stopper.setDaemon(false);
      stopper.start();
    }
  }

  /** Blocks until the connector stopped; returns the fatal error that stopped it, if any. */
  public Optional<Throwable> awaitStop() throws InterruptedException {
    stopped.await();
    return Optional.ofNullable(fatal.get());
  }

  public Optional<Throwable> fatalError() {
    return Optional.ofNullable(fatal.get());
  }

  /** The ops server's port, when it runs. */
  public Optional<Integer> opsPort() {
    return Optional.ofNullable(ops).map(OpsServer::port);
  }

  public SessionSupervisor sessions() {
    return sessions;
  }

  /** The change sources (resources, files, session lifecycle). */
  Sources changeSources() {
    return changeSources;
  }

  /** This instance's membership in the connector's consumer group. */
  public ClusterMember member() {
    return member;
  }

  public KafkaSink sink() {
    return sink;
  }

  public ConnectorMetrics metrics() {
    return metrics;
  }

  public ConnectorStatus status() {
    return status;
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    Duration timeout = config.duration(Settings.SHUTDOWN_TIMEOUT);
    long t0 = System.nanoTime();
    closeDeadline = t0 + timeout.toNanos();
    try {
      if (signals != null) {
        // First: a resync in progress stops after its step in hand; the next owner resumes it.
        signals.close();
      }
      if (sessions != null) {
        // At most half the budget: what follows (final commit, leaving the group, flushing, closing the
        // producer) must not be left with nothing because a poller hangs on a slow request.
        log.info("stopping: {} poller(s) finish the page in hand", sessions.polled());
        sessions.stopAll(timeout.dividedBy(2)).onErrorResume(e -> Mono.empty()).block();
      }
      if (member != null) {
        // Commits what is pending (exactly-once) and leaves the group: the others take over at once.
        member.close(timeLeft(STEP_FLOOR));
      }
      if (sink != null) {
        Duration left = timeLeft(STEP_FLOOR);
        sink.flush().timeout(left).onErrorResume(e -> {
          log.warn("stopping: {} record(s) still unacknowledged by Kafka {} ms into the shutdown (the last {} ms"
              + " spent waiting for them); the sink's close gives them what is left of connector.shutdown-timeout",
              sink.inFlightRecords(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), left.toMillis());
          return Mono.empty();
        }).block();
      }
    } finally {
      for (int i = resources.size() - 1; i >= 0; i--) {
        try {
          resources.get(i).close();
        } catch (Exception e) {
          log.warn("closing {}: {}", resources.get(i).getClass().getSimpleName(), e.toString());
        }
      }
      stopped.countDown();
      log.info("connector '{}' stopped in {} ms", config.connectorName(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }
  }
}

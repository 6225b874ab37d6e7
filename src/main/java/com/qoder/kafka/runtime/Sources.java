package com.qoder.kafka.runtime;

import com.qoder.kafka.api.QoderApi;
import com.qoder.kafka.avro.ItemMapper;
import com.qoder.kafka.avro.Schemas;
import com.qoder.kafka.cluster.ChangeTransactions;
import com.qoder.kafka.cluster.PartitionListener;
import com.qoder.kafka.config.ConnectorConfig;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.KafkaClientProperties;
import com.qoder.kafka.kafka.KafkaSink;
import com.qoder.kafka.kafka.TopicAdmin;
import com.qoder.kafka.kafka.TopicSpec;
import com.qoder.kafka.offsets.CheckpointRecords;
import com.qoder.kafka.offsets.OffsetKey;
import com.qoder.kafka.offsets.OffsetRecord;
import com.qoder.kafka.offsets.OffsetSource;
import com.qoder.kafka.offsets.OffsetStore;
import com.qoder.kafka.ops.ConnectorMetrics;
import com.qoder.kafka.registry.RegisteredSchema;
import com.qoder.kafka.registry.SchemaRegistration;
import com.qoder.kafka.source.ChangeDelivery;
import com.qoder.kafka.source.ChangeSource;
import com.qoder.kafka.source.Checkpoint;
import com.qoder.kafka.source.CheckpointWriter;
import com.qoder.kafka.source.EventDelivery;
import com.qoder.kafka.source.FatalPipelineException;
import com.qoder.kafka.source.FilesSource;
import com.qoder.kafka.source.LifecycleSource;
import com.qoder.kafka.source.ResourcesSource;
import com.qoder.kafka.source.SessionListener;
import com.qoder.kafka.source.SessionSupervisor;
import com.qoder.kafka.source.WriteUnit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * The change sources besides events — session resources, files, session lifecycle — assembled
 * from configuration: their schemas registered and topics ensured at start-up, their positions
 * restored from the offsets topic, their records produced through the connector's sink and dead
 * letters, their positions written to the same compacted offsets topic under their own keys
 * ({@code resources/<session>}, {@code files/<purpose|all>}, {@code sessions/<organization>}).
 *
 * <p>Exactly-once ({@link ChangeTransactions} given): their records and positions are written in the
 * instance's transactions, fenced like the events pages — a resources or files step's records with
 * its position (completing at the commit), a lifecycle step's records with its sessions' lifecycle
 * records (within the events page whose events it reports, when there is one).
 *
 * <p>The {@link Connector} uses it in four places: {@link #create} at start-up (blocking, like the
 * rest of start-up), {@link #wrap(EventDelivery)} and {@link #wrap(SessionListener)} around the
 * events pipeline (lifecycle transitions found in events and poller status changes), and
 * {@link #start(SessionSupervisor)} once the session table is restored; {@link #close()} stops the
 * sources after the round in progress. A source switched off in configuration costs nothing.
 *
 * <p>Thread-safe.
 */
public final class Sources implements AutoCloseable, PartitionListener {

  private static final Logger log = LoggerFactory.getLogger(Sources.class);
  /** Sessions whose resources are listed at the same time; the API client's own limits apply too. */
  private static final int RESOURCES_CONCURRENCY = 4;

  private final ResourcesSource resources;
  private final FilesSource files;
  private final LifecycleSource lifecycle;
  private final Duration shutdownTimeout;
  private final List<String> topics;
  private final boolean exactlyOnce;
  private volatile SessionSupervisor supervisor;
  private final OffsetKey filesKey;
  private volatile Predicate<OffsetKey> owns = k -> true;
  private volatile ToIntFunction<OffsetKey> partitionOf;
  /** Offsets partitions whose positions were handed to the sources: only these are worked (scale-out). */
  private final Set<Integer> ready = ConcurrentHashMap.newKeySet();

  private Sources(ResourcesSource resources, FilesSource files, OffsetKey filesKey, LifecycleSource lifecycle,
      Duration shutdownTimeout, List<String> topics, boolean exactlyOnce) {
    this.exactlyOnce = exactlyOnce;
    this.filesKey = filesKey;
    this.resources = resources;
    this.files = files;
    this.lifecycle = lifecycle;
    this.shutdownTimeout = shutdownTimeout;
    this.topics = List.copyOf(topics);
  }

  /**
   * Registers the schemas of the enabled sources, ensures their topics, restores their positions
   * from {@code stored} and builds them (not started). Blocks.
   *
   * @param txns exactly-once: the instance's transactions; null at-least-once
   * @throws IllegalArgumentException naming the key when a stored position is corrupt
   */
  /** The files position's key ({@code files/<purpose|all>}), or null when the files source is off. */
  public OffsetKey filesKey() {
    return filesKey;
  }

  /** Starts a full scan of the files list now (a resync-files signal); false when the files source is off. */
  public boolean rescanFilesNow() {
    if (files == null) {
      return false;
    }
    files.fullScanNow();
    return true;
  }

  public static Sources create(ConnectorConfig config, QoderApi api, KafkaSink sink, OffsetStore offsets,
      Map<OffsetKey, OffsetRecord> stored, SchemaRegistration registration, ConnectorMetrics metrics,
      Consumer<Throwable> onFatal, ChangeTransactions txns) {
    boolean withResources = config.bool(Settings.SOURCE_RESOURCES);
    boolean withFiles = config.bool(Settings.SOURCE_FILES);
    boolean withSessions = config.bool(Settings.SOURCE_SESSIONS);
    Duration shutdown = config.duration(Settings.SHUTDOWN_TIMEOUT);
    if (!withResources && !withFiles && !withSessions) {
      return new Sources(null, null, null, null, shutdown, List.of(), txns != null);
    }
    String resourcesTopic = config.string(Settings.TOPIC_RESOURCES);
    String filesTopic = config.string(Settings.TOPIC_FILES);
    String sessionsTopic = config.string(Settings.TOPIC_SESSIONS);
    ensureTopics(config, withResources ? resourcesTopic : null, withFiles ? filesTopic : null,
        withSessions ? sessionsTopic : null);

    ItemMapper mapper = new ItemMapper();
    DeadLetters deadLetters = new DeadLetters(config.string(Settings.TOPIC_DEAD_LETTER), sink);
    CheckpointWriter writer = checkpoint -> {
      long t0 = System.nanoTime();
      // Exactly-once: in the transaction of the step's records, completing when it committed.
      Mono<?> write = txns == null ? offsets.write(CheckpointRecords.toRecord(checkpoint))
          : txns.write(CheckpointRecords.toRecord(checkpoint));
      return write
          .doOnSuccess(m -> metrics.offsetCommit(Duration.ofNanos(System.nanoTime() - t0), true))
          .doOnError(e -> metrics.offsetCommit(Duration.ofNanos(System.nanoTime() - t0), false))
          .then();
    };
    Holder holder = new Holder();
    List<String> topics = new ArrayList<>();

    ResourcesSource resources = null;
    if (withResources) {
      RegisteredSchema schema = register(registration, resourcesTopic, Schemas.sessionResource());
      ChangePublisher publisher = new ChangePublisher(ChangeSource.RESOURCES.id(), resourcesTopic, schema,
          c -> mapper.mapResource(c.item(), c.key(), c.change(), c.observedAt()), "com.qoder.session.resource.",
          c -> "/sessions/" + c.key() + "/resources", sink, deadLetters, metrics);
      ChangeDelivery delivery = txns == null ? publisher
          : changes -> txns.deliver(OffsetKey.resources(changes.get(0).key()), publisher.deliver(changes));
      resources = new ResourcesSource(api, delivery, writer,
          new ResourcesSource.Options(config.duration(Settings.RESOURCES_INTERVAL),
              config.integer(Settings.RESOURCES_PAGE_SIZE), config.integer(Settings.RESOURCES_MAX_PER_SESSION),
              RESOURCES_CONCURRENCY),
          holder::followed, id -> holder.owns(OffsetKey.resources(id)), onFatal);
      // Positions are handed over per offsets partition as they are assigned (PartitionListener).
      topics.add(resourcesTopic);
    }

    FilesSource files = null;
    OffsetKey filesKey = null;
    if (withFiles) {
      RegisteredSchema schema = register(registration, filesTopic, Schemas.file());
      ChangePublisher publisher = new ChangePublisher(ChangeSource.FILES.id(), filesTopic, schema,
          c -> c.change().equals(com.qoder.kafka.source.ItemChange.DELETED) ? null
              : mapper.mapFile(c.item(), c.change(), c.observedAt()),
          "com.qoder.file.", c -> "/files", sink, deadLetters, metrics);
      FilesSource.Options o = new FilesSource.Options(config.duration(Settings.FILES_INTERVAL),
          config.duration(Settings.FILES_FULL_RESCAN), config.string(Settings.FILES_PURPOSE),
          config.integer(Settings.FILES_PAGE_SIZE), config.integer(Settings.FILES_MAX_TRACKED));
      OffsetKey key = CheckpointRecords.key(ChangeSource.FILES, o.entity());
      filesKey = key;
      ChangeDelivery delivery = txns == null ? publisher : changes -> txns.deliver(key, publisher.deliver(changes));
      files = new FilesSource(api, delivery, writer, o, () -> holder.owns(key), onFatal);
      OffsetRecord r = stored.get(key);
      if (r != null) {
        files.restore(CheckpointRecords.toCheckpoint(ChangeSource.FILES, r));
      }
      topics.add(filesTopic);
    }

    LifecycleSource lifecycle = null;
    if (withSessions) {
      RegisteredSchema schema = register(registration, sessionsTopic, Schemas.sessionLifecycle());
      ChangePublisher publisher = new ChangePublisher(ChangeSource.SESSIONS.id(), sessionsTopic, schema,
          c -> mapper.mapSession(c.item(), c.change(), c.observedAt()), "com.qoder.session.lifecycle.",
          c -> "/sessions/" + c.key(), sink, deadLetters, metrics);
      // Exactly-once: a step's records and its sessions' lifecycle records in one transaction unit.
      CheckpointWriter marks = txns == null ? writer
          : checkpoint -> txns.unitWrite(CheckpointRecords.toRecord(checkpoint));
      WriteUnit units = txns == null ? WriteUnit.NONE : txns.units();
      lifecycle = new LifecycleSource(api, publisher, marks,
          new LifecycleSource.Options(config.duration(Settings.SESSIONS_INTERVAL), config.organizations()),
          holder::polled, id -> holder.owns(new OffsetKey(OffsetSource.LIFECYCLE, id)), holder::release, onFatal,
          units);
      lifecycle.restore(CheckpointRecords.restored(stored, ChangeSource.SESSIONS));
      topics.add(sessionsTopic);
    }
    Sources s = new Sources(resources, files, filesKey, lifecycle, shutdown, topics, txns != null);
    holder.sources = s;
    log.info("change sources: resources {}, files {}, sessions {}", on(withResources, resourcesTopic),
        on(withFiles, filesTopic), on(withSessions, sessionsTopic));
    return s;
  }

  /** Late-bound views for the sources: the supervisor exists only after they were built. */
  private static final class Holder {
    volatile Sources sources;

    Set<String> followed() {
      SessionSupervisor s = sources == null ? null : sources.supervisor;
      return s == null ? Set.of() : Set.copyOf(s.polledSessionIds());
    }

    boolean polled(String sessionId) {
      SessionSupervisor s = sources == null ? null : sources.supervisor;
      return s != null && s.isPolled(sessionId);
    }

    void release(String sessionId) {
      SessionSupervisor s = sources == null ? null : sources.supervisor;
      if (s != null) {
        s.release(sessionId);
      }
    }

    boolean owns(OffsetKey key) {
      return sources == null || sources.owns(key);
    }
  }

  private static String on(boolean enabled, String topic) {
    return enabled ? "→ " + topic : "off";
  }

  private static RegisteredSchema register(SchemaRegistration registration, String topic,
      org.apache.avro.Schema schema) {
    RegisteredSchema rs = registration.forValue(topic, schema);
    log.info("schema for topic {}: subject {} id {}", topic, rs.subject(), rs.id());
    return rs;
  }

  private static void ensureTopics(ConnectorConfig config, String resourcesTopic, String filesTopic,
      String sessionsTopic) {
    short rf = (short) config.integer(Settings.REPLICATION_FACTOR);
    int partitions = config.integer(Settings.TOPIC_PARTITIONS);
    List<TopicSpec> specs = new ArrayList<>();
    if (resourcesTopic != null) {
      specs.add(TopicSpec.data(resourcesTopic, partitions, rf));
    }
    String filesPolicy = config.string(Settings.FILES_CLEANUP);
    if (filesTopic != null) {
      specs.add(new TopicSpec(filesTopic, partitions, rf, Map.of("cleanup.policy", filesPolicy)));
    }
    if (sessionsTopic != null) {
      specs.add(TopicSpec.data(sessionsTopic, partitions, rf));
    }
    try (TopicAdmin admin = TopicAdmin.create(config.string(Settings.KAFKA_BOOTSTRAP),
        KafkaClientProperties.of(config.kafkaProperties()))) {
      admin.ensureDataTopics(specs, config.bool(Settings.CREATE_TOPICS));
      if (filesTopic != null && !admin.cleanupPolicy(filesTopic).contains(filesPolicy)) {
        log.warn("files topic '{}' has cleanup.policy={}, configured {}: {}", filesTopic,
            admin.cleanupPolicy(filesTopic), filesPolicy, "compact".equals(filesPolicy)
                ? "every version of every file is kept until retention removes it (deleted files too)"
                : "only the latest state of each file is kept");
      }
    }
  }

  /**
   * Wraps the events delivery: once a page's events are acknowledged, the lifecycle transitions
   * they contain are produced before the page counts as delivered. A failure there is retried and
   * then logged — it never makes the page be read again, which would duplicate its events.
   */
  public EventDelivery wrap(EventDelivery events) {
    LifecycleSource l = lifecycle;
    if (l == null) {
      return events;
    }
    if (exactlyOnce) {
      // In the page's transaction: a failure fails the page, which is aborted and read again, so the
      // transitions are produced with the events or not at all.
      return (sessionId, batch) -> events.deliver(sessionId, batch)
          .flatMap(report -> l.afterEvents(sessionId, batch).thenReturn(report));
    }
    return (sessionId, batch) -> events.deliver(sessionId, batch)
        .flatMap(report -> l.afterEvents(sessionId, batch)
            .retryWhen(Retry.backoff(3, Duration.ofMillis(200)).filter(e -> !(e instanceof FatalPipelineException)))
            .onErrorResume(e -> !(e instanceof FatalPipelineException), e -> {
              log.error("session {}: lifecycle records of {} delivered event(s) could not be produced: {}", sessionId,
                  batch.size(), e.toString());
              return Mono.empty();
            })
            .thenReturn(report));
  }

  /** Wraps the session listener: poller status changes feed the lifecycle source too. */
  public SessionListener wrap(SessionListener listener) {
    LifecycleSource l = lifecycle;
    if (l == null) {
      return listener;
    }
    return new LifecycleFeed(listener, l);
  }

  /**
   * Restricts the sources to what this instance owns (scale-out): the files position by its key,
   * resources and lifecycle records by the session's key — and only once the partition's stored
   * positions were handed over ({@link #assigned}). Default: everything.
   */
  public void ownership(Predicate<OffsetKey> owns, ToIntFunction<OffsetKey> partitionOf) {
    this.partitionOf = partitionOf;
    this.owns = owns;
  }

  private boolean owns(OffsetKey key) {
    ToIntFunction<OffsetKey> p = partitionOf;
    return owns.test(key) && (p == null || ready.contains(p.applyAsInt(key)));
  }

  /**
   * Partitions assigned here: each source continues from what is stored for them now (the previous
   * owner's last positions), not from what this instance read at start-up or kept from an earlier
   * ownership; then they count as owned.
   */
  @Override
  public void assigned(Set<Integer> partitions, Map<OffsetKey, OffsetRecord> stored) {
    ToIntFunction<OffsetKey> p = partitionOf;
    if (p == null) {
      return;
    }
    Predicate<String> inPartitions = id -> partitions.contains(p.applyAsInt(OffsetKey.events(id)));
    if (files != null && partitions.contains(p.applyAsInt(filesKey))) {
      OffsetRecord r = stored.get(filesKey);
      files.reassigned(r == null ? null : CheckpointRecords.toCheckpoint(ChangeSource.FILES, r));
    }
    if (resources != null) {
      resources.reassigned(inPartitions, CheckpointRecords.restored(stored, ChangeSource.RESOURCES));
    }
    if (lifecycle != null) {
      lifecycle.reassigned(inPartitions, CheckpointRecords.restored(stored, ChangeSource.LIFECYCLE));
    }
    ready.addAll(partitions);
  }

  /**
   * Exactly-once: a transaction with lifecycle records of {@code sessionIds} was aborted; the
   * lifecycle source takes what was committed for them ({@code stored}) as what was reported.
   */
  @Override
  public void reloaded(Set<String> sessionIds, Map<OffsetKey, OffsetRecord> stored) {
    if (lifecycle == null) {
      return;
    }
    List<Checkpoint> mine = new ArrayList<>();
    stored.forEach((k, v) -> {
      if (k.source() == OffsetSource.LIFECYCLE && sessionIds.contains(k.entity())) {
        mine.add(CheckpointRecords.toCheckpoint(ChangeSource.LIFECYCLE, v));
      }
    });
    lifecycle.reassigned(sessionIds::contains, mine);
  }

  /**
   * Partitions leaving: no source starts work for them any more; completes when the work in
   * progress (a files or resources round, queued lifecycle records) has finished and stored its
   * positions, so the next owner restores the final ones.
   */
  /**
   * The rounds that ran before the assignment found nothing owned: the files and lifecycle sources
   * run one now instead of an interval later (30 s and 60 s by default). The resources of each
   * followed session are read when it is followed.
   */
  @Override
  public void owned(Set<Integer> partitions) {
    ToIntFunction<OffsetKey> p = partitionOf;
    if (p == null) {
      return;
    }
    if (files != null && partitions.contains(p.applyAsInt(filesKey))) {
      files.wakeUp();
    }
    if (lifecycle != null) {
      lifecycle.wakeUp();
    }
  }

  @Override
  public Mono<Void> revoking(Set<Integer> partitions) {
    ready.removeAll(partitions);
    ToIntFunction<OffsetKey> p = partitionOf;
    if (p == null) {
      return Mono.empty();
    }
    Predicate<String> inPartitions = id -> partitions.contains(p.applyAsInt(OffsetKey.events(id)));
    List<Mono<Void>> work = new ArrayList<>();
    if (files != null && partitions.contains(p.applyAsInt(filesKey))) {
      work.add(files.idle());
    }
    if (resources != null) {
      work.add(resources.idle().then(Mono.fromRunnable(() -> resources.forget(inPartitions))));
    }
    if (lifecycle != null) {
      work.add(lifecycle.drain().then(Mono.fromRunnable(() -> lifecycle.forget(inPartitions))));
    }
    return Mono.when(work);
  }

  /** Starts the enabled sources; resources follow the sessions {@code supervisor} polls. */
  public void start(SessionSupervisor supervisor) {
    this.supervisor = supervisor;
    if (lifecycle != null) {
      lifecycle.start();
    }
    if (resources != null) {
      // A session followed after start (assigned, discovered) gets its resources read at once.
      supervisor.onFollowed(resources::sessionFollowed);
      resources.start();
    }
    if (files != null) {
      files.start();
    }
  }

  /** Topics the enabled sources write (for status and the demo). */
  public List<String> topics() {
    return topics;
  }

  ResourcesSource resources() {
    return resources;
  }

  FilesSource files() {
    return files;
  }

  LifecycleSource lifecycle() {
    return lifecycle;
  }

  /** Stops every source after its round in progress, within {@code connector.shutdown-timeout}. */
  @Override
  public void close() {
    List<Mono<Void>> stops = new ArrayList<>();
    if (resources != null) {
      stops.add(resources.stop());
    }
    if (files != null) {
      stops.add(files.stop());
    }
    if (lifecycle != null) {
      stops.add(lifecycle.stop());
    }
    if (stops.isEmpty()) {
      return;
    }
    Mono.when(stops).timeout(shutdownTimeout, Mono.fromRunnable(() -> log.warn(
        "change sources did not stop within {}; their last changes are observed again after the restart",
        shutdownTimeout))).onErrorResume(e -> Mono.empty()).block();
  }
}

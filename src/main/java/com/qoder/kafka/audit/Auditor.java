package com.qoder.kafka.audit;

import com.qoder.kafka.api.Page;
import com.qoder.kafka.api.QoderApi;
import com.qoder.kafka.api.QoderApiClient;
import com.qoder.kafka.api.QoderApiException;
import com.qoder.kafka.api.QoderApiOptions;
import com.qoder.kafka.api.QoderFile;
import com.qoder.kafka.api.SessionEvent;
import com.qoder.kafka.api.SessionIds;
import com.qoder.kafka.api.SessionInfo;
import com.qoder.kafka.avro.Schemas;
import com.qoder.kafka.config.ConnectorConfig;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.CloudEventsHeaders;
import com.qoder.kafka.kafka.TopicAdmin;
import com.qoder.kafka.offsets.OffsetRecord;
import com.qoder.kafka.offsets.OffsetSource;
import com.qoder.kafka.offsets.OffsetStore;
import com.qoder.kafka.registry.SchemaRegistration;
import com.qoder.kafka.registry.SchemaRegistries;
import com.qoder.kafka.registry.SchemaRegistry;
import com.qoder.kafka.runtime.ClientOptions;
import com.qoder.kafka.runtime.OffsetsAdmin;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Runs an audit: for each chosen session, reads the session's records from its partition of the
 * events topic, then walks the API's full history of the session with its own request budget, and
 * compares (see {@link SessionTally}); optionally produces what is missing. Then the list topics.
 *
 * <h2>While the connector runs</h2>
 * The connector's stored positions are read first, then each partition's end, then the API: every
 * event up to a session's stored position was acknowledged before that position was written, so
 * it is below the end the scan stops at; events after the position are {@code pending} (not
 * delivered yet), not missing. The audit never writes positions and joins no consumer group.
 *
 * <h2>Memory</h2>
 * Only the session being audited is held: one small entry per record of the session, and the
 * missing events themselves when repairing. The API's history streams one page at a time.
 *
 * <p>Blocking: call from a command-line thread, never from a Netty thread. Not thread-safe.
 */
public final class Auditor implements AutoCloseable {

  /** Told as each session starts (for a progress line). */
  public interface Progress {
    void session(int index, int total, String sessionId);

    Progress NONE = (i, n, s) -> {};
  }

  /** The CloudEvents type of the connector's dead-letter markers (runtime.DeadLetterMarker). */
  static final String MARKER_CE_TYPE = "com.qoder.session.qoder_kafka.dead_lettered";

  private final ConnectorConfig config;
  private final AuditOptions options;
  private final QoderApiClient api;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final String eventsTopic;
  private Repairer repairer;

  private Auditor(ConnectorConfig config, AuditOptions options, QoderApiClient api,
      KafkaConsumer<byte[], byte[]> consumer) {
    this.config = config;
    this.options = options;
    this.api = api;
    this.consumer = consumer;
    this.eventsTopic = config.string(Settings.TOPIC_EVENTS);
  }

  /** Connects to the API (with the audit's budget) and to Kafka; nothing is read yet. */
  public static Auditor open(ConnectorConfig config, AuditOptions options) {
    requireSource(config, options, AuditOptions.Scope.FILES, Settings.SOURCE_FILES);
    requireSource(config, options, AuditOptions.Scope.SESSIONS, Settings.SOURCE_SESSIONS);
    QoderApiOptions apiOptions = ClientOptions.api(config).toBuilder()
        .maxRequestsPerSecond(options.maxRequestsPerSecond())
        // Its own User-Agent: upstream logs (and the simulator's) tell the audit's requests apart.
        .userAgent(QoderApiOptions.DEFAULT_USER_AGENT + " (audit)")
        .build();
    QoderApiClient api = QoderApiClient.create(apiOptions);
    try {
      Map<String, Object> c = new HashMap<>(ClientOptions.kafka(config).toClientConfig());
      c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.string(Settings.KAFKA_BOOTSTRAP));
      c.put(ConsumerConfig.CLIENT_ID_CONFIG, config.connectorName() + "-audit");
      c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      // Only committed transactions: what a read_committed consumer downstream sees.
      c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      c.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) options.kafkaTimeout().toMillis());
      c.remove(ConsumerConfig.GROUP_ID_CONFIG);
      return new Auditor(config, options, api,
          new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer()));
    } catch (RuntimeException e) {
      api.close();
      throw e;
    }
  }

  /** A list scope compares with a topic only a running source fills: refuse it when that source is off. */
  private static void requireSource(ConnectorConfig config, AuditOptions options, AuditOptions.Scope scope,
      com.qoder.kafka.config.Setting enabledBy) {
    if (!options.scopes().contains(scope)) {
      return;
    }
    String name = scope.name().toLowerCase(java.util.Locale.ROOT);
    if (!config.bool(enabledBy)) {
      throw new IllegalArgumentException("--scope " + name + ": " + enabledBy.key() + " is false in this configuration,"
          + " so the connector fills no " + name + " topic to compare with");
    }
    if (config.exactlyOnce()) {
      throw new IllegalArgumentException("--scope " + name + ": connector.delivery is exactly-once, which switches the "
          + name + " source off, so the connector fills no " + name + " topic to compare with");
    }
  }

  /** Audits (and repairs, when asked) everything the options choose. */
  public AuditReport run(Progress progress) {
    Instant started = Instant.now();
    List<AuditReport.SessionResult> sessions = new ArrayList<>();
    if (options.scopes().contains(AuditOptions.Scope.EVENTS)) {
      Map<String, String> positions = storedPositions();
      List<String> chosen = chosenSessions(positions);
      int partitions = partitionCount(eventsTopic);
      for (int i = 0; i < chosen.size(); i++) {
        progress.session(i, chosen.size(), chosen.get(i));
        sessions.add(auditSession(chosen.get(i), positions.get(chosen.get(i)), partitions));
      }
    }
    List<AuditReport.ListResult> lists = new ArrayList<>();
    if (options.scopes().contains(AuditOptions.Scope.FILES)) {
      lists.add(auditFiles());
    }
    if (options.scopes().contains(AuditOptions.Scope.SESSIONS)) {
      lists.add(auditSessionsList());
    }
    return new AuditReport(started, Instant.now(), options.maxRequestsPerSecond(), sessions, lists);
  }

  // ------------------------------------------------------------------------------- sessions

  /** The connector's stored position (cursor, null: none yet) of every session it knows. */
  private Map<String, String> storedPositions() {
    if (partitionCountOrZero(config.offsetsTopic()) == 0) {
      return Map.of(); // the connector never ran here: every event is compared
    }
    Map<String, String> out = new LinkedHashMap<>();
    try (OffsetsAdmin admin = OffsetsAdmin.open(config, options.kafkaTimeout())) {
      for (OffsetRecord r : admin.list()) {
        if (r.key().source() == OffsetSource.EVENTS) {
          out.put(r.key().entity(), r.cursor());
        }
      }
    }
    return out;
  }

  private List<String> chosenSessions(Map<String, String> positions) {
    Set<String> ids = new LinkedHashSet<>();
    if (options.all()) {
      ids.addAll(positions.keySet());
    } else if (options.organization() != null) {
      for (Page<SessionInfo> page : api.sessions(options.organization(), QoderApi.SESSIONS_MAX_LIMIT).toIterable(1)) {
        page.data().forEach(s -> ids.add(s.sessionId()));
      }
    } else {
      options.sessions().forEach(s -> ids.add(SessionIds.canonical(s)));
    }
    return List.copyOf(ids);
  }

  private AuditReport.SessionResult auditSession(String sessionId, String cursor, int partitions) {
    int partition = OffsetStore.partitionForSession(sessionId, partitions);
    TopicPartition tp = new TopicPartition(eventsTopic, partition);
    PartitionScan.Bounds bounds = PartitionScan.bounds(consumer, tp, options.kafkaTimeout());
    SessionTally tally = new SessionTally(bounds.truncated());
    PartitionScan.scan(consumer, tp, bounds.end(), sessionId.getBytes(StandardCharsets.UTF_8), options.kafkaTimeout(),
        r -> {
          String id = CloudEventsHeaders.value(r.headers(), CloudEventsHeaders.ID);
          String type = CloudEventsHeaders.value(r.headers(), CloudEventsHeaders.TYPE);
          boolean repaired = r.headers().lastHeader(Repairer.REPAIRED_HEADER) != null;
          // A record without ce_id is not the connector's: it counts, matched with nothing.
          tally.kafkaRecord(id != null ? id : "(no ce_id at offset " + r.offset() + ")", r.offset(),
              MARKER_CE_TYPE.equals(type), repaired);
        });
    List<SessionEvent> missing = new ArrayList<>();
    boolean passedCursor = false;
    boolean notFound = false;
    try {
      for (Page<SessionEvent> page : api.events(sessionId, null, QoderApi.EVENTS_MAX_LIMIT).toIterable(1)) {
        for (SessionEvent e : page.data()) {
          // Up to and including the stored position the connector says it delivered; after it, not yet.
          SessionTally.Outcome o = tally.apiEvent(e.id(), cursor == null || !passedCursor);
          if (e.id().equals(cursor)) {
            passedCursor = true;
          }
          if (o == SessionTally.Outcome.MISSING && options.repair()) {
            missing.add(e);
          }
        }
      }
    } catch (QoderApiException.NotFound gone) {
      // Deleted upstream (or a wrong id): nothing to compare with; its records show as unknown.
      notFound = true;
    }
    AuditReport.SessionResult result = tally.result(sessionId, partition, notFound);
    if (options.repair() && !missing.isEmpty()) {
      Repairer.Outcome done = repairer().repair(sessionId, missing);
      result = result.withRepair(done.produced(), done.unrepairable());
    }
    return result;
  }

  private Repairer repairer() {
    if (repairer == null) {
      SchemaRegistry registry = SchemaRegistries.create(ClientOptions.registry(config));
      int schemaId;
      try {
        schemaId = new SchemaRegistration(registry, ClientOptions.registry(config))
            .forValue(eventsTopic, Schemas.sessionEvent()).id();
      } finally {
        registry.close();
      }
      Map<String, Object> p = new HashMap<>(ClientOptions.kafka(config).toClientConfig());
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.string(Settings.KAFKA_BOOTSTRAP));
      p.put(ProducerConfig.CLIENT_ID_CONFIG, config.connectorName() + "-audit-repair");
      p.put(ProducerConfig.ACKS_CONFIG, "all");
      p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
      p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, (int) config.size(Settings.MAX_RECORD_BYTES));
      p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, options.kafkaTimeout().toMillis());
      boolean exactlyOnce = config.exactlyOnce();
      if (exactlyOnce) {
        // Its own transactional id: it must never fence (or be fenced by) an instance of the connector.
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.connectorName() + "-audit-" + UUID.randomUUID());
      }
      repairer = new Repairer(eventsTopic, schemaId, p, exactlyOnce, options.kafkaTimeout());
    }
    return repairer;
  }

  // ---------------------------------------------------------------------------------- lists

  private AuditReport.ListResult auditFiles() {
    String topic = config.string(Settings.TOPIC_FILES);
    Map<String, Boolean> kafka = liveKeys(topic);
    Set<String> listed = new LinkedHashSet<>();
    for (Page<QoderFile> page : api.files(config.string(Settings.FILES_PURPOSE), QoderApi.LIST_MAX_LIMIT)
        .toIterable(1)) {
      page.data().forEach(f -> listed.add(f.id()));
    }
    return listResult("files", topic, listed, kafka);
  }

  private AuditReport.ListResult auditSessionsList() {
    String topic = config.string(Settings.TOPIC_SESSIONS);
    Map<String, Boolean> kafka = new HashMap<>();
    liveKeys(topic).forEach((k, live) -> kafka.put(SessionIds.canonical(k), live));
    List<String> orgs = options.organization() != null ? List.of(options.organization()) : config.organizations();
    Set<String> listed = new LinkedHashSet<>();
    for (String org : orgs) {
      for (Page<SessionInfo> page : api.sessions(org.isEmpty() ? null : org, QoderApi.SESSIONS_MAX_LIMIT)
          .toIterable(1)) {
        page.data().forEach(s -> listed.add(s.sessionId()));
      }
    }
    return listResult("sessions", topic, listed, kafka);
  }

  private static AuditReport.ListResult listResult(String name, String topic, Set<String> listed,
      Map<String, Boolean> kafka) {
    List<String> missing = listed.stream().filter(id -> !Boolean.TRUE.equals(kafka.get(id))).toList();
    List<String> notListed = kafka.entrySet().stream().filter(e -> e.getValue() && !listed.contains(e.getKey()))
        .map(Map.Entry::getKey).sorted().toList();
    long live = kafka.values().stream().filter(v -> v).count();
    return new AuditReport.ListResult(name, topic, listed.size(), live, missing, notListed);
  }

  /** Every key of a topic and whether its latest record is not a tombstone (empty when the topic is absent). */
  private Map<String, Boolean> liveKeys(String topic) {
    int partitions = partitionCountOrZero(topic);
    Map<String, Boolean> out = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      TopicPartition tp = new TopicPartition(topic, p);
      PartitionScan.Bounds b = PartitionScan.bounds(consumer, tp, options.kafkaTimeout());
      PartitionScan.scan(consumer, tp, b.end(), null, options.kafkaTimeout(), (ConsumerRecord<byte[], byte[]> r) -> {
        if (r.key() != null) {
          out.put(new String(r.key(), StandardCharsets.UTF_8), r.value() != null);
        }
      });
    }
    return out;
  }

  // ---------------------------------------------------------------------------------- kafka

  private int partitionCount(String topic) {
    int n = partitionCountOrZero(topic);
    if (n == 0) {
      throw new IllegalStateException("events topic '" + topic + "' does not exist on "
          + config.string(Settings.KAFKA_BOOTSTRAP) + " (check kafka.topics.events and kafka.bootstrap-servers)");
    }
    return n;
  }

  private int partitionCountOrZero(String topic) {
    try (TopicAdmin admin = TopicAdmin.create(config.string(Settings.KAFKA_BOOTSTRAP), ClientOptions.kafka(config),
        options.kafkaTimeout())) {
      return admin.partitionCount(topic).orElse(0);
    }
  }

  @Override
  public void close() {
    try {
      if (repairer != null) {
        repairer.close();
      }
    } finally {
      try {
        consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
      } finally {
        api.close();
      }
    }
  }
}

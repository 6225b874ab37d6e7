package com.qoder.kafka.runtime;

import com.qoder.kafka.avro.AvroCodec;
import com.qoder.kafka.avro.Schemas;
import com.qoder.kafka.avro.v1.FileRecord;
import com.qoder.kafka.avro.v1.SessionEvent;
import com.qoder.kafka.avro.v1.SessionLifecycleRecord;
import com.qoder.kafka.avro.v1.SessionResourceRecord;
import com.qoder.kafka.config.ConfigLoader;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.EmbeddedKafka;
import com.qoder.kafka.kafka.KafkaTestSupport;
import com.qoder.kafka.registry.ConfluentWireFormat;
import com.qoder.kafka.sim.Endpoint;
import com.qoder.kafka.sim.QoderSimulator;
import com.qoder.kafka.sim.RequestRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * A real connector (embedded broker, simulator over HTTP, mock:// registry) configured for fast
 * rounds, with readers of its topics and round counting from the simulator's request log.
 */
final class SourcesTestKit implements AutoCloseable {

  static final Duration DEADLINE = Duration.ofSeconds(60);

  final EmbeddedKafka kafka = KafkaTestSupport.sharedBroker();
  final String prefix = KafkaTestSupport.uniqueTopic("src");
  final QoderSimulator sim;
  final Map<String, String> overrides = new HashMap<>();
  private final List<TopicReader> readers = new ArrayList<>();
  private final List<Connector> others = new ArrayList<>();
  Connector connector;

  SourcesTestKit(QoderSimulator sim, Map<String, String> extra) {
    this.sim = sim;
    overrides.put(Settings.QODER_BASE_URL.key(), sim.baseUrl());
    overrides.put(Settings.QODER_TOKEN.key(), sim.token());
    overrides.put(Settings.QODER_ORGANIZATION_IDS.key(), String.join(",", sim.organizations()));
    overrides.put(Settings.QODER_RATE.key(), "2000");
    overrides.put(Settings.KAFKA_BOOTSTRAP.key(), kafka.bootstrapServers());
    overrides.put(Settings.REGISTRY_URL.key(), "mock://" + prefix);
    overrides.put(Settings.CONNECTOR_NAME.key(), prefix);
    for (String t : List.of("events", "errors", "dead-letter", "offsets", "resources", "files", "sessions")) {
      overrides.put("kafka.topics." + t, topic(t));
    }
    overrides.put(Settings.TOPIC_PARTITIONS.key(), "3");
    overrides.put(Settings.OFFSETS_PARTITIONS.key(), "3");
    overrides.put(Settings.POLL_MIN.key(), "50ms");
    overrides.put(Settings.POLL_MAX.key(), "300ms");
    overrides.put(Settings.DISCOVERY_INTERVAL.key(), "300ms");
    overrides.put(Settings.RESOURCES_INTERVAL.key(), "100ms");
    overrides.put(Settings.FILES_INTERVAL.key(), "100ms");
    overrides.put(Settings.SESSIONS_INTERVAL.key(), "200ms");
    overrides.put(Settings.OPS_ENABLED.key(), "false");
    overrides.put(Settings.SHUTDOWN_TIMEOUT.key(), "10s");
    overrides.putAll(extra);
  }

  String topic(String kind) {
    return prefix + "." + kind;
  }

  Connector start() {
    connector = Connector.start(ConfigLoader.load(null, Map.of(), overrides));
    return connector;
  }

  /** Another instance of the same connector (same group), with its own settings on top; closed by {@link #close()}. */
  Connector startInstance(String instanceId, Map<String, String> extra) {
    Map<String, String> o = new HashMap<>(overrides);
    o.put(Settings.CLUSTER_INSTANCE_ID.key(), instanceId);
    o.putAll(extra);
    Connector c = Connector.start(ConfigLoader.load(null, Map.of(), o));
    others.add(c);
    return c;
  }

  void stop() {
    if (connector != null) {
      connector.close();
      connector = null;
    }
  }

  TopicReader reader(String kind) {
    TopicReader r = new TopicReader(kafka.bootstrapServers(), topic(kind));
    readers.add(r);
    return r;
  }

  /** Requests that started a walk of a session's resources (no page token, no after_id). */
  long resourceWalks(String sessionId) {
    return count(r -> r.endpoint() == Endpoint.RESOURCES && sessionId.equals(r.sessionId())
        && !r.query().contains("page=") && !r.query().contains("after_id="));
  }

  /** Requests that started a round of the files source (no after cursor). */
  long filesRounds() {
    return count(r -> r.endpoint() == Endpoint.FILES && !r.query().contains("after="));
  }

  long sessionListRequests() {
    return count(r -> r.endpoint() == Endpoint.SESSIONS);
  }

  long count(Predicate<RequestRecord> p) {
    return sim.requestLog().stream().filter(p).count();
  }

  /** Waits until every followed session's resources and the files list were polled {@code n} more times. */
  void awaitRounds(int n, List<String> sessionIds) {
    Map<String, Long> before = new HashMap<>();
    sessionIds.forEach(s -> before.put(s, resourceWalks(s)));
    long files = filesRounds();
    boolean withFiles = Boolean.parseBoolean(overrides.getOrDefault(Settings.SOURCE_FILES.key(), "true"));
    KafkaTestSupport.await(DEADLINE, "" + n + " more rounds of every source", () ->
        (!withFiles || filesRounds() >= files + n) && sessionIds.stream().allMatch(s -> resourceWalks(s) >= before.get(s) + n));
  }

  static SessionResourceRecord resource(ConsumerRecord<byte[], byte[]> r) {
    return decode(r.value(), Schemas.sessionResource(), SessionResourceRecord.class);
  }

  static FileRecord file(ConsumerRecord<byte[], byte[]> r) {
    return r.value() == null ? null : decode(r.value(), Schemas.file(), FileRecord.class);
  }

  static SessionLifecycleRecord lifecycle(ConsumerRecord<byte[], byte[]> r) {
    return decode(r.value(), Schemas.sessionLifecycle(), SessionLifecycleRecord.class);
  }

  static SessionEvent event(ConsumerRecord<byte[], byte[]> r) {
    return decode(r.value(), Schemas.sessionEvent(), SessionEvent.class);
  }

  static String key(ConsumerRecord<byte[], byte[]> r) {
    return new String(r.key(), StandardCharsets.UTF_8);
  }

  private static <T extends org.apache.avro.specific.SpecificRecord> T decode(byte[] v, org.apache.avro.Schema s,
      Class<T> type) {
    return AvroCodec.decode(v, ConfluentWireFormat.HEADER_SIZE, v.length - ConfluentWireFormat.HEADER_SIZE, s, type);
  }

  @Override
  public void close() {
    stop();
    others.forEach(Connector::close);
    readers.forEach(TopicReader::close);
    sim.close();
  }

  /** Reads a topic from the beginning, accumulating records; one thread only. */
  static final class TopicReader implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<TopicPartition> partitions;
    private final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();

    TopicReader(String bootstrap, String topic) {
      consumer = new KafkaConsumer<>(KafkaTestSupport.consumerConfig(bootstrap));
      partitions = consumer.partitionsFor(topic, DEADLINE).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
    }

    /** Everything produced so far: reads up to the end offsets of now. */
    List<ConsumerRecord<byte[], byte[]>> readToEnd() {
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, DEADLINE);
      long until = System.nanoTime() + DEADLINE.toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp, DEADLINE) < end.get(tp))) {
        if (System.nanoTime() > until) {
          throw new AssertionError("could not read to " + end);
        }
        consumer.poll(Duration.ofMillis(50)).forEach(records::add);
      }
      return List.copyOf(records);
    }

    /** Waits until at least {@code n} records were read. */
    List<ConsumerRecord<byte[], byte[]>> awaitAtLeast(int n) {
      KafkaTestSupport.await(DEADLINE, () -> "at least " + n + " records, have " + records.size(), () -> {
        consumer.poll(Duration.ofMillis(50)).forEach(records::add);
        return records.size() >= n;
      });
      return List.copyOf(records);
    }

    /** Waits until {@code done} holds for the records read so far. */
    List<ConsumerRecord<byte[], byte[]>> awaitUntil(String what, Predicate<List<ConsumerRecord<byte[], byte[]>>> done) {
      KafkaTestSupport.await(DEADLINE, () -> what + " (" + records.size() + " records read)", () -> {
        consumer.poll(Duration.ofMillis(50)).forEach(records::add);
        return done.test(records);
      });
      return List.copyOf(records);
    }

    @Override
    public void close() {
      consumer.close(Duration.ofSeconds(5));
    }
  }
}

package com.qoder.kafka.runtime;

import com.qoder.kafka.api.QoderApiOptions;
import com.qoder.kafka.avro.Schemas;
import com.qoder.kafka.cluster.ClusterOptions;
import com.qoder.kafka.config.ConnectorConfig;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.KafkaClientProperties;
import com.qoder.kafka.kafka.KafkaSinkOptions;
import com.qoder.kafka.kafka.TopicAdmin;
import com.qoder.kafka.kafka.TopicSpec;
import com.qoder.kafka.registry.RegisteredSchema;
import com.qoder.kafka.registry.SchemaRegistration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of {@link Connector}'s start-up that depend on the configuration alone (schemas, topics,
 * client options). Apart from the connector so its start-up reads as the order of the steps, while
 * what each step derives from the configuration lives here.
 */
final class ConnectorStartUp {

  // The connector's logger: these are its start-up lines, and log settings name it.
  private static final Logger log = LoggerFactory.getLogger(Connector.class);

  /** What the topics step found: the offsets topic's partitions and the record limit of every topic. */
  record Topics(int offsetsPartitions, TopicAdmin.RecordLimits recordLimits) { }

  private ConnectorStartUp() {
  }

  /** Registers (or looks up) the value schema of every events topic, once: producing never calls the registry. */
  static Map<String, RegisteredSchema> registerSchemas(SchemaRegistration registration, EventRouter router) {
    Map<String, RegisteredSchema> schemas = new LinkedHashMap<>();
    for (String topic : router.allTopics()) {
      RegisteredSchema rs = registration.forValue(topic, Schemas.sessionEvent());
      log.info("schema for topic {}: subject {} id {}", topic, rs.subject(), rs.id());
      schemas.put(topic, rs);
    }
    return schemas;
  }

  /**
   * Topics: the offsets topic must be compacted; data topics exist or are created. The events,
   * alerts and dead-letter topics take records of up to kafka.max-record-bytes: created so, and
   * checked when they exist (a smaller topic is logged with the fix; its larger records go to the
   * dead-letter topic with a marker, in order, instead of being refused by the broker out of order).
   */
  static Topics ensureTopics(ConnectorConfig config, String bootstrap, KafkaClientProperties clientProps,
      EventRouter router, String deadLetterTopic, int maxRecordBytes) {
    try (TopicAdmin admin = TopicAdmin.create(bootstrap, clientProps)) {
      short rf = (short) config.integer(Settings.REPLICATION_FACTOR);
      int offsetsPartitions = admin.ensureOffsetsTopic(
          TopicSpec.offsets(config.offsetsTopic(), config.integer(Settings.OFFSETS_PARTITIONS), rf));
      List<TopicSpec> data = new ArrayList<>();
      int partitions = config.integer(Settings.TOPIC_PARTITIONS);
      for (String t : router.allTopics()) {
        data.add(TopicSpec.data(t, partitions, rf).withMaxRecordBytes(maxRecordBytes));
      }
      data.add(TopicSpec.data(deadLetterTopic, partitions, rf).withMaxRecordBytes(maxRecordBytes));
      admin.ensureDataTopics(data, config.bool(Settings.CREATE_TOPICS));
      TopicAdmin.RecordLimits events = admin.checkRecordLimits(data.stream().map(TopicSpec::name).toList(),
          maxRecordBytes);
      events.problems().forEach(p -> log.warn("{}", p));
      // The other sources' topics when they exist (Sources creates them otherwise, with the broker's
      // default): their records must not pass the sink's size check and then be refused by the broker.
      List<String> otherTopics = List.of(config.string(Settings.TOPIC_RESOURCES), config.string(Settings.TOPIC_FILES),
          config.string(Settings.TOPIC_SESSIONS));
      TopicAdmin.RecordLimits others = admin.checkRecordLimits(otherTopics, maxRecordBytes);
      Map<String, Integer> limits = new LinkedHashMap<>(others.limits());
      if (otherTopics.stream().anyMatch(t -> !limits.containsKey(t))) {
        int brokerDefault = Math.min(maxRecordBytes, TopicSpec.maxRecordBytesWithin(
            admin.brokerMessageMaxBytes().orElse(TopicSpec.KAFKA_DEFAULT_MESSAGE_MAX_BYTES)));
        otherTopics.forEach(t -> limits.putIfAbsent(t, brokerDefault));
      }
      limits.putAll(events.limits());
      return new Topics(offsetsPartitions, new TopicAdmin.RecordLimits(limits, events.problems()));
    }
  }

  /** The sink's options: transactional (one id per instance) in exactly-once mode. */
  static KafkaSinkOptions sinkOptions(ConnectorConfig config, String bootstrap, KafkaClientProperties clientProps,
      String instanceId, int maxRecordBytes) {
    boolean exactlyOnce = config.exactlyOnce();
    String name = config.connectorName();
    KafkaSinkOptions sinkOptions = KafkaSinkOptions.defaults(bootstrap)
        .withClientId(name + "-" + instanceId)
        .withClientProperties(exactlyOnce ? transactional(config, clientProps) : clientProps)
        .withCompression(config.string(Settings.COMPRESSION))
        .withMaxRequestSizeBytes(maxRecordBytes)
        .withMaxInFlight(config.integer(Settings.MAX_IN_FLIGHT_RECORDS), config.size(Settings.MAX_IN_FLIGHT_BYTES));
    if (exactlyOnce) {
      sinkOptions = sinkOptions.withTransactionalId(ClusterOptions.transactionalId(name, instanceId));
    }
    return sinkOptions;
  }

  /**
   * Producer settings of exactly-once mode (explicit pass-through properties win): the transaction
   * timeout, and a short retry backoff because with transactions v2 the first write of a new
   * transaction to a partition is answered CONCURRENT_TRANSACTIONS until the previous commit's markers
   * are written, and the default 100 ms backoff would add that to every page.
   */
  private static KafkaClientProperties transactional(ConnectorConfig config, KafkaClientProperties props) {
    KafkaClientProperties p = props;
    if (!p.containsKey("transaction.timeout.ms")) {
      p = p.with("transaction.timeout.ms", Long.toString(config.duration(Settings.TRANSACTION_TIMEOUT).toMillis()));
    }
    if (!p.containsKey("retry.backoff.ms")) {
      p = p.with("retry.backoff.ms", "20");
    }
    return p;
  }

  static QoderApiOptions apiOptions(ConnectorConfig config, String instanceId) {
    // The instance in the User-Agent tells upstream logs which instance polled a session.
    return ClientOptions.api(config).toBuilder()
        .userAgent(QoderApiOptions.DEFAULT_USER_AGENT + " (instance " + instanceId + ")")
        .build();
  }

  static Map<String, Object> withBootstrap(KafkaClientProperties props, String bootstrap) {
    Map<String, Object> m = new LinkedHashMap<>(props.toClientConfig());
    m.put("bootstrap.servers", bootstrap);
    return m;
  }

  /** This host's name for the cluster view: the container's HOSTNAME, else the resolver's. */
  static String hostName() {
    String h = System.getenv("HOSTNAME");
    if (h != null && !h.isBlank()) {
      return h;
    }
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException | RuntimeException e) {
      return "unknown";
    }
  }
}

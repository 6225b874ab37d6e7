package com.qoder.kafka.reliability;

import com.qoder.kafka.config.ConfigLoader;
import com.qoder.kafka.config.ConnectorConfig;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.sim.QoderSimulator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The settings of one connector under test: a unique name and unique topics (so tests sharing a
 * broker never see each other's records), short poll intervals and back-offs so faults heal in
 * seconds, pointed at a broker, a simulator and a registry. The same map feeds an in-process
 * {@code Connector} and a child JVM's {@code run --set k=v} flags.
 */
final class Pipeline {

  private final Map<String, String> settings = new LinkedHashMap<>();

  private Pipeline(String name) {
    settings.put(Settings.CONNECTOR_NAME.key(), name);
    settings.put(Settings.TOPIC_EVENTS.key(), name + ".events");
    settings.put(Settings.TOPIC_ERRORS.key(), name + ".errors");
    settings.put(Settings.TOPIC_DEAD_LETTER.key(), name + ".dlq");
    settings.put(Settings.TOPIC_OFFSETS.key(), name + ".offsets");
    settings.put(Settings.TOPIC_PARTITIONS.key(), "3");
    settings.put(Settings.OFFSETS_PARTITIONS.key(), "3");
    settings.put(Settings.POLL_MIN.key(), "100ms");
    settings.put(Settings.POLL_MAX.key(), "500ms");
    settings.put(Settings.DISCOVERY_INTERVAL.key(), "1s");
    settings.put(Settings.QODER_BACKOFF_MIN.key(), "50ms");
    settings.put(Settings.QODER_BACKOFF_MAX.key(), "500ms");
    settings.put(Settings.QODER_REQUEST_TIMEOUT.key(), "5s");
    settings.put(Settings.SHUTDOWN_TIMEOUT.key(), "15s");
    settings.put(Settings.OPS_ENABLED.key(), "false");
    settings.put(Settings.OPS_PORT.key(), "0");
  }

  /** A pipeline named {@code <prefix>-<random>}, reading {@code sim}, writing to {@code bootstrap}. */
  static Pipeline of(String prefix, String bootstrap, QoderSimulator sim, String registryUrl) {
    Pipeline p = new Pipeline(prefix + "-" + UUID.randomUUID().toString().substring(0, 8));
    p.set(Settings.KAFKA_BOOTSTRAP.key(), bootstrap);
    p.set(Settings.QODER_BASE_URL.key(), sim.baseUrl());
    p.set(Settings.QODER_TOKEN.key(), sim.token());
    p.set(Settings.REGISTRY_URL.key(), registryUrl);
    if (registryUrl.startsWith("mock://")) {
      p.set(Settings.REGISTRY_ALLOW_IN_PROCESS.key(), "true"); // child JVMs run `run`, which refuses it otherwise
    }
    return p;
  }

  Pipeline set(String key, String value) {
    settings.put(key, value);
    return this;
  }

  Pipeline remove(String key) {
    settings.remove(key);
    return this;
  }

  String get(String key) {
    return settings.get(key);
  }

  String name() {
    return settings.get(Settings.CONNECTOR_NAME.key());
  }

  String eventsTopic() {
    return settings.get(Settings.TOPIC_EVENTS.key());
  }

  String errorsTopic() {
    return settings.get(Settings.TOPIC_ERRORS.key());
  }

  String deadLetterTopic() {
    return settings.get(Settings.TOPIC_DEAD_LETTER.key());
  }

  String offsetsTopic() {
    return settings.get(Settings.TOPIC_OFFSETS.key());
  }

  /** Every topic the connector writes data to. */
  List<String> dataTopics() {
    return List.of(eventsTopic(), errorsTopic(), deadLetterTopic());
  }

  Map<String, String> settings() {
    return Map.copyOf(settings);
  }

  /** The configuration as {@code run} would load it, with an empty environment. */
  ConnectorConfig config() {
    return ConfigLoader.load(null, Map.of(), settings);
  }
}

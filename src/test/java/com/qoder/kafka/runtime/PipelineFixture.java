package com.qoder.kafka.runtime;

import com.qoder.kafka.checker.DeliveryChecker;
import com.qoder.kafka.config.ConfigLoader;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.KafkaTestSupport;
import com.qoder.kafka.registry.ApicurioRegistry;
import com.qoder.kafka.registry.RegistryOptions;
import com.qoder.kafka.registry.SchemaRegistries;
import com.qoder.kafka.registry.SchemaRegistry;
import com.qoder.kafka.sim.QoderSimulator;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The connector configuration of the end-to-end tests: the simulator (both organizations
 * discovered), a broker, the real Schema Registry of the test run ({@link ApicurioRegistry}, over
 * HTTP) and topics (hence subjects) of their own, so tests sharing a broker or the registry never
 * see each other's records. Poll and discovery intervals are short and the request
 * budget high, so a test waits on the pipeline, not on timers.
 */
final class PipelineFixture {

  final String name;
  final String bootstrap;
  final String registryUrl;
  final Map<String, String> overrides = new HashMap<>();

  private PipelineFixture(String name, String bootstrap, QoderSimulator sim, boolean defaultTopics) {
    this.name = name;
    this.bootstrap = bootstrap;
    this.registryUrl = ApicurioRegistry.get().url();
    overrides.put(Settings.CONNECTOR_NAME.key(), name);
    overrides.put(Settings.QODER_BASE_URL.key(), sim.baseUrl());
    overrides.put(Settings.QODER_TOKEN.key(), sim.token());
    overrides.put(Settings.QODER_ORGANIZATION_IDS.key(), String.join(",", sim.organizations()));
    overrides.put(Settings.KAFKA_BOOTSTRAP.key(), bootstrap);
    overrides.put(Settings.REGISTRY_URL.key(), registryUrl);
    if (!defaultTopics) {
      overrides.put(Settings.TOPIC_EVENTS.key(), KafkaTestSupport.uniqueTopic(name + ".events"));
      overrides.put(Settings.TOPIC_ERRORS.key(), KafkaTestSupport.uniqueTopic(name + ".errors"));
      overrides.put(Settings.TOPIC_DEAD_LETTER.key(), KafkaTestSupport.uniqueTopic(name + ".dlq"));
    }
    overrides.put(Settings.TOPIC_PARTITIONS.key(), "3");
    overrides.put(Settings.OFFSETS_PARTITIONS.key(), "3");
    overrides.put(Settings.POLL_MIN.key(), "100ms");
    overrides.put(Settings.POLL_MAX.key(), "1s");
    overrides.put(Settings.DISCOVERY_INTERVAL.key(), "1s");
    overrides.put(Settings.QODER_RATE.key(), "5000");
    overrides.put(Settings.QODER_CONCURRENCY.key(), "32");
    overrides.put(Settings.QODER_BACKOFF_MIN.key(), "20ms");
    overrides.put(Settings.QODER_BACKOFF_MAX.key(), "500ms");
    overrides.put(Settings.SHUTDOWN_TIMEOUT.key(), "15s");
    overrides.put(Settings.OPS_ENABLED.key(), "false");
  }

  /** Unique topics, registry scope and connector name. */
  static PipelineFixture of(String prefix, String bootstrap, QoderSimulator sim) {
    return new PipelineFixture(prefix + "-" + UUID.randomUUID().toString().substring(0, 8), bootstrap, sim, false);
  }

  /** The default topic names (qoder.session-events, …): only for a test that owns its broker or is alone on it. */
  static PipelineFixture withDefaultTopics(String prefix, String bootstrap, QoderSimulator sim) {
    return new PipelineFixture(prefix + "-" + UUID.randomUUID().toString().substring(0, 8), bootstrap, sim, true);
  }

  PipelineFixture set(String key, String value) {
    overrides.put(key, value);
    return this;
  }

  String eventsTopic() {
    return overrides.getOrDefault(Settings.TOPIC_EVENTS.key(), Settings.TOPIC_EVENTS.defaultValue());
  }

  String errorsTopic() {
    return overrides.getOrDefault(Settings.TOPIC_ERRORS.key(), Settings.TOPIC_ERRORS.defaultValue());
  }

  String deadLetterTopic() {
    return overrides.getOrDefault(Settings.TOPIC_DEAD_LETTER.key(), Settings.TOPIC_DEAD_LETTER.defaultValue());
  }

  String offsetsTopic() {
    return "qoder-kafka." + name + ".offsets";
  }

  Connector start() {
    return Connector.start(ConfigLoader.load(null, Map.of(), overrides));
  }

  /** A product client of the connector's registry (for the id registered under a subject). */
  SchemaRegistry registry() {
    return SchemaRegistries.create(RegistryOptions.of(registryUrl));
  }

  /** The registry's Confluent-compatible URL. */
  String registryUrl() {
    return registryUrl;
  }

  /**
   * A checker of this fixture's topics expecting the events subject's id; it fetches writer schemas
   * from the registry by id with its own HTTP client.
   */
  DeliveryChecker checker(SchemaRegistry registry) {
    int id = registry.latest(eventsTopic() + "-value").id();
    return DeliveryChecker.builder(bootstrap).eventsTopic(eventsTopic()).errorsTopic(errorsTopic())
        .deadLetterTopic(deadLetterTopic()).registryUrl(registryUrl).expectSchemaId(id).build();
  }

  /** The connector's {@code --set} flags, for a connector in a child JVM. */
  java.util.List<String> asSetFlags() {
    java.util.List<String> flags = new java.util.ArrayList<>();
    overrides.forEach((k, v) -> {
      flags.add("--set");
      flags.add(k + "=" + v);
    });
    return flags;
  }

  /** Nothing to drop: subjects in the shared registry are per test (unique topics). */
  void dropRegistry() {}
}

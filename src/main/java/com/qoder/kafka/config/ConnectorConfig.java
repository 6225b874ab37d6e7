package com.qoder.kafka.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The validated, immutable configuration of one connector instance.
 *
 * <p>Built only by {@link ConfigLoader}, which has already parsed and checked every value, so the
 * typed getters never fail for declared settings. Secrets are {@link Secret}s; {@link #toString()}
 * and {@link #effective()} mask them.
 */
public final class ConnectorConfig {

  /** Prefix of {@link #groupId()}. */
  public static final String GROUP_ID_PREFIX = "qoder-kafka.";

  /** The in-process registry used when {@code schema-registry.url} is empty and in-process is allowed. */
  public static final String DEFAULT_IN_PROCESS_REGISTRY = "mock://qoder";

  private final Map<String, Object> values;
  private final Map<String, String> kafkaProperties;
  private final Map<String, List<String>> routing;
  private final List<String> warnings;

  ConnectorConfig(Map<String, Object> values, Map<String, String> kafkaProperties,
      Map<String, List<String>> routing, List<String> warnings) {
    this.values = Collections.unmodifiableMap(new TreeMap<>(values));
    this.kafkaProperties = Collections.unmodifiableMap(new TreeMap<>(kafkaProperties));
    this.routing = Collections.unmodifiableMap(new TreeMap<>(routing));
    this.warnings = List.copyOf(warnings);
  }

  public String string(Setting s) {
    return (String) values.get(s.key());
  }

  public int integer(Setting s) {
    return (Integer) values.get(s.key());
  }

  public boolean bool(Setting s) {
    return (Boolean) values.get(s.key());
  }

  public Duration duration(Setting s) {
    return (Duration) values.get(s.key());
  }

  public long size(Setting s) {
    return (Long) values.get(s.key());
  }

  @SuppressWarnings("unchecked")
  public List<String> list(Setting s) {
    return (List<String>) values.getOrDefault(s.key(), List.of());
  }

  public Secret secret(Setting s) {
    return (Secret) values.get(s.key());
  }

  public Path path(Setting s) {
    return (Path) values.get(s.key());
  }

  /** True when the setting has a value (given or defaulted). */
  public boolean has(Setting s) {
    return values.get(s.key()) != null;
  }

  /** Kafka client properties passed through under {@code kafka.properties.*}. */
  public Map<String, String> kafkaProperties() {
    return kafkaProperties;
  }

  /** Extra topics per event type ({@code kafka.routing.*}), the errors route included. */
  public Map<String, List<String>> routing() {
    return routing;
  }

  /** Non-fatal findings of the loader (world-readable secrets, insecure TLS, ...). */
  public List<String> warnings() {
    return warnings;
  }

  // --- derived values that several packages share ------------------------------------------------

  public String connectorName() {
    return string(Settings.CONNECTOR_NAME);
  }

  /**
   * The Kafka consumer group of this connector's instances: {@code qoder-kafka.<connector.name>}.
   * Instances join it to share the sessions; admin commands that rewrite offsets refuse to run
   * while it has members. Defined here once so the instances and the tools can never disagree.
   */
  public String groupId() {
    return GROUP_ID_PREFIX + connectorName();
  }

  public boolean exactlyOnce() {
    return "exactly-once".equals(string(Settings.DELIVERY));
  }

  /** The signals topic ({@code kafka.topics.signals}, or its per-connector default). */
  public String signalsTopic() {
    String t = string(Settings.TOPIC_SIGNALS);
    return t != null ? t : "qoder-kafka." + connectorName() + ".signals";
  }

  /** The notifications topic ({@code kafka.topics.notifications}, or its per-connector default). */
  public String notificationsTopic() {
    String t = string(Settings.TOPIC_NOTIFICATIONS);
    return t != null ? t : "qoder-kafka." + connectorName() + ".notifications";
  }

  public String offsetsTopic() {
    String t = string(Settings.TOPIC_OFFSETS);
    return t != null ? t : "qoder-kafka." + connectorName() + ".offsets";
  }

  /** The compacted topic of the instances' status records (the status page's cluster view). */
  public String statusTopic() {
    String t = string(Settings.TOPIC_STATUS);
    return t != null ? t : "qoder-kafka." + connectorName() + ".status";
  }

  /** Whether discovery from the sessions list runs (resolves {@code auto}). */
  public boolean discoveryEnabled() {
    String d = string(Settings.DISCOVERY);
    return "on".equals(d) || ("auto".equals(d) && list(Settings.SESSION_IDS).isEmpty());
  }

  /**
   * Organizations to discover: the list, else the single id, else the token's default organization,
   * written as the empty string (no {@code X-Organization-Id} header).
   */
  public List<String> organizations() {
    List<String> orgs = new ArrayList<>(list(Settings.QODER_ORGANIZATION_IDS));
    if (orgs.isEmpty()) {
      String one = string(Settings.QODER_ORGANIZATION_ID);
      orgs.add(one == null ? "" : one);
    }
    return orgs;
  }

  /**
   * Why {@code run} must not start with this registry setting, in one line, or empty when it may: an
   * empty {@code schema-registry.url} or a {@code mock://} one would give records schema ids from an
   * in-process registry that no consumer can resolve, unless {@code schema-registry.allow-in-process}
   * says that is what the user wants (tests, local experiments).
   */
  public Optional<String> inProcessRegistryRefusal() {
    if (bool(Settings.REGISTRY_ALLOW_IN_PROCESS)) {
      return Optional.empty();
    }
    String url = string(Settings.REGISTRY_URL);
    String fix = "set " + Settings.REGISTRY_URL.key() + " to the Schema Registry your consumers read from"
        + " (e.g. http://localhost:8081), or " + Settings.REGISTRY_ALLOW_IN_PROCESS.key() + "=true for tests and"
        + " local experiments";
    if (url == null || url.isBlank()) {
      return Optional.of(Settings.REGISTRY_URL.key() + " is not set: " + fix);
    }
    if (url.trim().startsWith("mock://")) {
      return Optional.of(Settings.REGISTRY_URL.key() + " is " + url.trim() + ", an in-process registry whose schema"
          + " ids no consumer can resolve: " + fix);
    }
    return Optional.empty();
  }

  /** The effective configuration as {@code key: value} lines with secrets masked. */
  public String effective() {
    StringBuilder sb = new StringBuilder();
    for (Setting s : Settings.all()) {
      Object v = values.get(s.key());
      sb.append(s.key()).append(": ").append(v == null ? "" : render(v)).append('\n');
    }
    if (s(Settings.TOPIC_OFFSETS) == null) {
      sb.append("# kafka.topics.offsets defaults to ").append(offsetsTopic()).append('\n');
    }
    kafkaProperties.forEach((k, v) -> sb.append(Settings.KAFKA_PROPERTIES_PREFIX).append(k).append(": ")
        .append(ConfigLoader.isSensitiveKafkaProperty(k) ? Secret.MASK : v).append('\n'));
    routing.forEach((k, v) -> sb.append(Settings.ROUTING_PREFIX).append(k).append(": ")
        .append(String.join(",", v)).append('\n'));
    return sb.toString();
  }

  private Object s(Setting s) {
    return values.get(s.key());
  }

  private static String render(Object v) {
    if (v instanceof List<?> l) {
      return String.join(",", l.stream().map(Objects::toString).toList());
    }
    if (v instanceof Duration d) {
      return SettingParser.formatDuration(d);
    }
    return String.valueOf(v); // Secret.toString() is masked
  }

  @Override
  public String toString() {
    return "ConnectorConfig{name=" + connectorName() + ", bootstrap=" + string(Settings.KAFKA_BOOTSTRAP)
        + ", baseUrl=" + string(Settings.QODER_BASE_URL) + "}";
  }
}

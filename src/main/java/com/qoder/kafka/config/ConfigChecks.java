package com.qoder.kafka.config;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The checks of {@link ConfigLoader} that need more than one value, or a value's effect outside the
 * configuration (a readable file, an unencrypted credential). Each adds to {@code problems} (the
 * configuration is refused) or {@code warnings} (it is used, and the warning is logged at start-up).
 */
final class ConfigChecks {

  private ConfigChecks() {}

  static void resolveToken(Map<String, Object> values, Map<String, String> origin,
      List<String> problems, List<String> warnings) {
    if (values.get(Settings.QODER_TOKEN.key()) != null) {
      return;
    }
    Path file = (Path) values.get(Settings.QODER_TOKEN_FILE.key());
    if (file == null) {
      return; // commands that need the token check for it (Connector.requireToken)
    }
    try {
      String t = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (t.isEmpty()) {
        problems.add("qoder.token-file " + file + " is empty");
      } else {
        values.put(Settings.QODER_TOKEN.key(), Secret.of(t));
        origin.put(Settings.QODER_TOKEN.key(), "token file");
        if (isWorldReadable(file)) {
          warnings.add("token file " + file + " is readable by every user; run 'chmod 600 " + file + "'");
        }
      }
    } catch (IOException e) {
      problems.add("qoder.token-file " + file + " cannot be read: " + e.getMessage());
    }
  }

  static void crossCheck(Map<String, Object> v, Map<String, String> kafkaProps,
      List<String> problems, List<String> warnings) {
    Duration min = (Duration) v.get(Settings.POLL_MIN.key());
    Duration max = (Duration) v.get(Settings.POLL_MAX.key());
    if (min != null && max != null && min.compareTo(max) > 0) {
      problems.add("sessions.poll-interval-min (" + SettingParser.formatDuration(min) + ") is above sessions.poll-interval-max ("
          + SettingParser.formatDuration(max) + ")");
    }
    Duration bmin = (Duration) v.get(Settings.QODER_BACKOFF_MIN.key());
    Duration bmax = (Duration) v.get(Settings.QODER_BACKOFF_MAX.key());
    if (bmin != null && bmax != null && bmin.compareTo(bmax) > 0) {
      problems.add("qoder.retry-backoff-min is above qoder.retry-backoff-max");
    }
    range(v, Settings.PAGE_SIZE, 1, 100, "the events endpoint accepts 1–100", problems);
    range(v, Settings.DEDUP_WINDOW, 1, Settings.MAX_DEDUP_WINDOW, "the window is stored in the session's offset"
        + " record, which must stay within 64 KiB; set sessions.dedup-window to at most " + Settings.MAX_DEDUP_WINDOW,
        problems);
    range(v, Settings.QODER_MAX_RETRIES, 0, 100, null, problems);
    range(v, Settings.QODER_RATE, 1, 10_000, null, problems);
    range(v, Settings.QODER_CONCURRENCY, 1, 10_000, null, problems);
    range(v, Settings.TOPIC_PARTITIONS, 1, 10_000, null, problems);
    range(v, Settings.OFFSETS_PARTITIONS, 1, 10_000, null, problems);
    range(v, Settings.MAX_IN_FLIGHT_RECORDS, 1, 10_000_000, null, problems);
    range(v, Settings.OPS_PORT, 0, 65535, null, problems);
    range(v, Settings.RESOURCES_PAGE_SIZE, 1, 1000, "the resources endpoint caps limit at 1000", problems);
    range(v, Settings.FILES_PAGE_SIZE, 1, 100, "the files endpoint accepts 1–100", problems);
    range(v, Settings.RESOURCES_MAX_PER_SESSION, 1, 15_000, "its offset record must fit in 1 MiB", problems);
    range(v, Settings.FILES_MAX_TRACKED, 1, 15_000, "its offset record must fit in 1 MiB", problems);
    String purpose = (String) v.get(Settings.FILES_PURPOSE.key());
    if (purpose != null && !List.of("user_upload", "tool_output", "skill_output", "session_resource",
        "agent_output").contains(purpose)) {
      warnings.add("sources.files.purpose '" + purpose + "' is not one of the purposes document 001 lists"
          + " (user_upload, tool_output, skill_output, session_resource, agent_output); the API may reject it");
    }
    Integer rf = (Integer) v.get(Settings.REPLICATION_FACTOR.key());
    if (rf != null && (rf == 0 || rf < -1)) {
      problems.add("kafka.replication-factor must be -1 (broker default) or at least 1");
    }
    Long bytes = (Long) v.get(Settings.MAX_IN_FLIGHT_BYTES.key());
    if (bytes != null && bytes < 1024 * 1024) {
      problems.add("kafka.max-in-flight-bytes must be at least 1MiB (one maximal record must fit)");
    }
    Long record = (Long) v.get(Settings.MAX_RECORD_BYTES.key());
    if (record != null && (record < 64 * 1024 || record > 1024L * 1024 * 1024)) {
      problems.add("kafka.max-record-bytes = " + record + " is outside 64KiB–1GiB");
    } else if (record != null && bytes != null && record > bytes) {
      problems.add("kafka.max-record-bytes (" + record + ") is above kafka.max-in-flight-bytes (" + bytes
          + "): one maximal record must fit in flight; raise kafka.max-in-flight-bytes or lower kafka.max-record-bytes");
    }
    if (kafkaProps.containsKey("max.request.size")) {
      problems.add("kafka.properties.max.request.size is managed by the connector: set kafka.max-record-bytes"
          + " instead (it also sizes the max.message.bytes of the topics the connector creates)");
    }
    for (Setting d : List.of(Settings.POLL_MIN, Settings.POLL_MAX, Settings.DISCOVERY_INTERVAL,
        Settings.QODER_REQUEST_TIMEOUT, Settings.QODER_CONNECT_TIMEOUT, Settings.SHUTDOWN_TIMEOUT,
        Settings.QODER_RETRY_AFTER_MAX,
        Settings.RESOURCES_INTERVAL, Settings.FILES_INTERVAL, Settings.FILES_FULL_RESCAN, Settings.SESSIONS_INTERVAL,
        Settings.COMMIT_INTERVAL, Settings.TRANSACTION_TIMEOUT, Settings.CLUSTER_SESSION_TIMEOUT)) {
      Duration x = (Duration) v.get(d.key());
      if (x != null && (x.isZero() || x.isNegative())) {
        problems.add(d.key() + " must be positive");
      }
    }
    Duration commit = (Duration) v.get(Settings.COMMIT_INTERVAL.key());
    Duration txn = (Duration) v.get(Settings.TRANSACTION_TIMEOUT.key());
    if (commit != null && txn != null && txn.compareTo(commit.multipliedBy(10)) < 0) {
      problems.add("connector.transaction-timeout (" + SettingParser.formatDuration(txn) + ") must be at least 10 x"
          + " connector.commit-interval (" + SettingParser.formatDuration(commit) + "): a transaction stays open that long");
    }
    String instance = (String) v.get(Settings.CLUSTER_INSTANCE_ID.key());
    if (instance != null && !instance.matches("[A-Za-z0-9._-]{1,100}")) {
      problems.add("cluster.instance-id '" + instance + "' may hold only letters, digits, '.', '_' and '-'"
          + " (at most 100): it becomes part of the transactional id and the User-Agent");
    }
    String bootstrap = (String) v.get(Settings.KAFKA_BOOTSTRAP.key());
    if (bootstrap != null) {
      for (String hp : bootstrap.split(",")) {
        if (!hp.trim().matches("[^:\\s]+:\\d{1,5}|\\[[0-9a-fA-F:]+\\]:\\d{1,5}")) {
          problems.add("kafka.bootstrap-servers entry '" + hp.trim() + "' is not host:port");
        }
      }
    }
    String url = (String) v.get(Settings.REGISTRY_URL.key());
    if (url != null) {
      for (String u : url.split(",")) {
        String t = u.trim();
        if (!(t.startsWith("http://") || t.startsWith("https://") || t.startsWith("mock://"))) {
          problems.add("schema-registry.url entry '" + t + "' must start with http://, https:// or mock://");
        }
      }
    }
    Secret basic = (Secret) v.get(Settings.REGISTRY_BASIC_AUTH.key());
    if (basic != null && !basic.reveal().contains(":")) {
      problems.add("schema-registry.basic-auth must be user:password");
    }
    if (basic != null && v.get(Settings.REGISTRY_BEARER.key()) != null) {
      problems.add("set either schema-registry.basic-auth or schema-registry.bearer-token, not both");
    }
    for (Setting tls : List.of(Settings.REGISTRY_TLS_CA, Settings.REGISTRY_TLS_CERT, Settings.REGISTRY_TLS_KEY)) {
      Path file = (Path) v.get(tls.key());
      if (file != null && !Files.isReadable(file)) {
        problems.add(tls.key() + " " + file + " does not exist or cannot be read");
      }
    }
    if ((v.get(Settings.REGISTRY_TLS_CERT.key()) == null) != (v.get(Settings.REGISTRY_TLS_KEY.key()) == null)) {
      problems.add("schema-registry.tls.cert-file and schema-registry.tls.key-file go together (mutual TLS needs"
          + " the certificate and its private key); set both or neither");
    }
    Path ca = (Path) v.get(Settings.QODER_TLS_CA.key());
    if (ca != null && !Files.isReadable(ca)) {
      problems.add("qoder.tls.ca-file " + ca + " does not exist or cannot be read");
    }
    if (Boolean.TRUE.equals(v.get(Settings.QODER_TLS_INSECURE.key()))) {
      warnings.add("qoder.tls.insecure-skip-verify=true: TLS certificates and host names of the Qoder API"
          + " are NOT verified; anyone on the network path can read the token");
    }
    for (String key : List.of("key.serializer", "value.serializer", "enable.idempotence", "acks",
        "transactional.id")) {
      if (kafkaProps.containsKey(key)) {
        problems.add("kafka.properties." + key + " is managed by the connector and cannot be overridden");
      }
    }
    @SuppressWarnings("unchecked")
    List<String> ids = (List<String>) v.getOrDefault(Settings.SESSION_IDS.key(), List.of());
    for (String id : ids) {
      if (!id.matches("sess_[0-9A-Za-z]+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")) {
        problems.add("sessions.ids entry '" + id + "' is neither a sess_ id nor a UUID");
      }
    }
    if ("off".equals(v.get(Settings.DISCOVERY.key())) && ids.isEmpty()
        && Boolean.TRUE.equals(v.get(Settings.SOURCE_EVENTS.key()))) {
      problems.add("sessions.discovery is off and sessions.ids is empty: no session would ever be followed");
    }
  }

  private static void range(Map<String, Object> v, Setting s, int lo, int hi, String why, List<String> problems) {
    Integer x = (Integer) v.get(s.key());
    if (x != null && (x < lo || x > hi)) {
      problems.add(s.key() + " = " + x + " is outside " + lo + "–" + hi + (why == null ? "" : " (" + why + ")"));
    }
  }

  /** Warns when the configuration file holds secrets and every user may read it. */
  static void secretsInFile(Path file, ConfigSources sources, List<String> warnings) {
    List<String> secretsInFile = secretKeysFromFile(sources);
    if (file != null && !secretsInFile.isEmpty() && isWorldReadable(file)) {
      warnings.add("configuration file " + file + " holds secrets (" + String.join(", ", secretsInFile)
          + ") and is readable by every user; run 'chmod 600 " + file + "' or move them to the environment"
          + " (QODER_PAT, qoder.token-file, KAFKA_PROPERTIES_*)");
    }
  }

  /** Keys given in the configuration file whose values are secrets, in file order. */
  private static List<String> secretKeysFromFile(ConfigSources sources) {
    List<String> keys = new ArrayList<>();
    for (String k : sources.raw.keySet()) {
      if (!sources.fromFile(k)) {
        continue;
      }
      Setting s = Settings.byKey(k);
      boolean secret = s != null ? s.isSecret()
          : k.startsWith(Settings.KAFKA_PROPERTIES_PREFIX)
              && ConfigLoader.isSensitiveKafkaProperty(k.substring(Settings.KAFKA_PROPERTIES_PREFIX.length()));
      if (secret) {
        keys.add(k);
      }
    }
    return keys;
  }

  /** Credentials that would cross the network unencrypted: allowed (local setups), but said loudly. */
  static void cleartextWarnings(Map<String, Object> v, Map<String, String> kafkaProps, List<String> warnings) {
    String base = (String) v.get(Settings.QODER_BASE_URL.key());
    if (base != null && base.startsWith("http://") && !isLoopbackUrl(base)) {
      warnings.add("qoder.base-url " + base + " is plain HTTP: the token crosses the network unencrypted;"
          + " use https://");
    }
    String registry = (String) v.get(Settings.REGISTRY_URL.key());
    if (registry != null && (v.get(Settings.REGISTRY_BASIC_AUTH.key()) != null
        || v.get(Settings.REGISTRY_BEARER.key()) != null)) {
      for (String u : registry.split(",")) {
        if (u.trim().startsWith("http://") && !isLoopbackUrl(u.trim())) {
          warnings.add("schema-registry.url " + u.trim() + " is plain HTTP but registry credentials are set:"
              + " they cross the network unencrypted; use https://");
        }
      }
    }
    String protocol = kafkaProps.getOrDefault("security.protocol", "PLAINTEXT").toUpperCase(Locale.ROOT);
    if (kafkaProps.containsKey("sasl.jaas.config") && !protocol.equals("SASL_SSL")) {
      warnings.add("kafka.properties.sasl.jaas.config is set with security.protocol=" + protocol
          + ": Kafka traffic (and with SASL/PLAIN the password) is not encrypted; use SASL_SSL");
    }
  }

  private static boolean isLoopbackUrl(String url) {
    try {
      String host = new URI(url).getHost();
      return host != null && (host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]")
          || host.equals("::1"));
    } catch (URISyntaxException e) {
      return false;
    }
  }

  private static boolean isWorldReadable(Path file) {
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
      return perms.contains(PosixFilePermission.OTHERS_READ);
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }
}

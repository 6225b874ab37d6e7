package com.qoder.kafka.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds a {@link ConnectorConfig} from a YAML file, the environment and command-line overrides,
 * in that order of precedence (later wins), and validates everything at once.
 *
 * <p>All problems are collected and thrown together in one {@link ConfigException}, so a user
 * fixes a broken deployment in one pass instead of one restart per mistake.
 */
public final class ConfigLoader {

  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|kb|kib|mb|mib|gb|gib)?");
  private static final String ENV_KAFKA_PROPERTIES = "KAFKA_PROPERTIES_";

  private ConfigLoader() {}

  /** Loads from the process environment. */
  public static ConnectorConfig load(Path file, Map<String, String> overrides) {
    return load(file, System.getenv(), overrides);
  }

  /**
   * Loads and validates.
   *
   * @param file YAML file, or null for environment and overrides only
   * @param env environment variables
   * @param overrides values by setting key, e.g. from command-line flags (highest precedence)
   * @throws ConfigException listing every problem
   */
  public static ConnectorConfig load(Path file, Map<String, String> env, Map<String, String> overrides) {
    List<String> problems = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    Map<String, String> raw = new LinkedHashMap<>();
    Map<String, String> origin = new LinkedHashMap<>();

    if (file != null) {
      readYaml(file, raw, origin, problems);
    }
    for (Setting s : Settings.all()) {
      for (String var : envNames(s)) {
        String v = env.get(var);
        if (v != null) {
          raw.put(s.key(), v);
          origin.put(s.key(), "environment variable " + var);
          break;
        }
      }
    }
    env.forEach((k, v) -> {
      if (k.startsWith(ENV_KAFKA_PROPERTIES) && k.length() > ENV_KAFKA_PROPERTIES.length()) {
        String prop = k.substring(ENV_KAFKA_PROPERTIES.length()).toLowerCase(Locale.ROOT).replace('_', '.');
        raw.put(Settings.KAFKA_PROPERTIES_PREFIX + prop, v);
        origin.put(Settings.KAFKA_PROPERTIES_PREFIX + prop, "environment variable " + k);
      }
    });
    overrides.forEach((k, v) -> {
      if (v != null) {
        raw.put(k, v);
        origin.put(k, "command line");
      }
    });

    Map<String, String> kafkaProps = new LinkedHashMap<>();
    Map<String, List<String>> routing = new LinkedHashMap<>();
    for (var e : raw.entrySet()) {
      String k = e.getKey();
      if (k.startsWith(Settings.KAFKA_PROPERTIES_PREFIX)) {
        kafkaProps.put(k.substring(Settings.KAFKA_PROPERTIES_PREFIX.length()), e.getValue());
      } else if (k.startsWith(Settings.ROUTING_PREFIX)) {
        routing.put(k.substring(Settings.ROUTING_PREFIX.length()), splitList(e.getValue()));
      } else if (Settings.byKey(k) == null) {
        problems.add("unknown key '" + k + "' (" + origin.get(k) + ")" + suggestion(k));
      }
    }

    Map<String, Object> values = new LinkedHashMap<>();
    for (Setting s : Settings.all()) {
      String text = raw.containsKey(s.key()) ? raw.get(s.key()) : s.defaultValue();
      if (text == null || (text.isBlank() && s.type() != Setting.Type.LIST)) {
        if (s.required()) {
          problems.add(s.key() + " is required (set it in the file or " + s.envVar() + ")");
        }
        continue;
      }
      String where = origin.getOrDefault(s.key(), "default");
      try {
        values.put(s.key(), parse(s, text.trim()));
      } catch (IllegalArgumentException ex) {
        problems.add(s.key() + " = '" + (s.isSecret() ? Secret.MASK : text) + "' (" + where + "): "
            + ex.getMessage());
      }
    }

    String errorsTopic = (String) values.get(Settings.TOPIC_ERRORS.key());
    routing.putIfAbsent("session.error", errorsTopic == null ? List.of() : List.of(errorsTopic));
    routing.values().removeIf(List::isEmpty);

    resolveToken(values, origin, problems, warnings);
    crossCheck(values, kafkaProps, problems, warnings);
    List<String> secretsInFile = secretKeysFromFile(raw, origin);
    if (file != null && !secretsInFile.isEmpty() && isWorldReadable(file)) {
      warnings.add("configuration file " + file + " holds secrets (" + String.join(", ", secretsInFile)
          + ") and is readable by every user; run 'chmod 600 " + file + "' or move them to the environment"
          + " (QODER_PAT, qoder.token-file, KAFKA_PROPERTIES_*)");
    }
    cleartextWarnings(values, kafkaProps, warnings);
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new ConnectorConfig(values, kafkaProps, routing, warnings);
  }

  /** Keys given in the configuration file whose values are secrets, in file order. */
  private static List<String> secretKeysFromFile(Map<String, String> raw, Map<String, String> origin) {
    List<String> keys = new ArrayList<>();
    for (String k : raw.keySet()) {
      if (!"file".equals(originKind(origin.get(k)))) {
        continue;
      }
      Setting s = Settings.byKey(k);
      boolean secret = s != null ? s.isSecret()
          : k.startsWith(Settings.KAFKA_PROPERTIES_PREFIX)
              && isSensitiveKafkaProperty(k.substring(Settings.KAFKA_PROPERTIES_PREFIX.length()));
      if (secret) {
        keys.add(k);
      }
    }
    return keys;
  }

  /** Credentials that would cross the network unencrypted: allowed (local setups), but said loudly. */
  private static void cleartextWarnings(Map<String, Object> v, Map<String, String> kafkaProps, List<String> warnings) {
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

  /** Kafka property names whose values are secret and must be masked when printed. */
  public static boolean isSensitiveKafkaProperty(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    return k.contains("password") || k.contains("jaas") || k.contains("secret") || k.endsWith(".key")
        || k.contains("token");
  }

  static String formatDuration(Duration d) {
    long ms = d.toMillis();
    if (ms % 1000 != 0) {
      return ms + "ms";
    }
    long s = ms / 1000;
    return s % 60 == 0 && s >= 60 ? (s / 60) + "m" : s + "s";
  }

  // --- parsing -----------------------------------------------------------------------------------

  static Object parse(Setting s, String text) {
    switch (s.type()) {
      case STRING:
        return text;
      case INT:
        try {
          return Integer.parseInt(text);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("not an integer");
        }
      case BOOLEAN:
        if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
          return Boolean.parseBoolean(text);
        }
        throw new IllegalArgumentException("expected true or false");
      case DURATION:
        return parseDuration(text);
      case SIZE:
        return parseSize(text);
      case LIST:
        return splitList(text);
      case ENUM:
        String v = text.toLowerCase(Locale.ROOT);
        if (!s.choices().contains(v)) {
          throw new IllegalArgumentException("expected one of " + s.choices());
        }
        return v;
      case SECRET:
        return Secret.of(text);
      case PATH:
        return Path.of(text);
      case URL:
        try {
          URI u = new URI(text);
          if (u.getScheme() == null || u.getHost() == null
              || !(u.getScheme().equals("http") || u.getScheme().equals("https"))) {
            throw new IllegalArgumentException("expected an http(s) URL such as https://openapi.qoder.sh");
          }
          return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
        } catch (URISyntaxException e) {
          throw new IllegalArgumentException("not a URL: " + e.getReason());
        }
      default:
        throw new IllegalStateException(s.type().toString());
    }
  }

  /** Parses {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, {@code 1d} or ISO-8601 {@code PT30S}. */
  public static Duration parseDuration(String text) {
    Matcher m = DURATION.matcher(text.toLowerCase(Locale.ROOT));
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
    try {
      return Duration.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("not a duration; use a unit, e.g. 500ms, 30s, 2m");
    }
  }

  static long parseSize(String text) {
    Matcher m = SIZE.matcher(text.toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("not a size; use e.g. 1048576, 512KiB, 64MiB, 1GiB");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "b" : m.group(2);
    long mult = switch (unit) {
      case "kb" -> 1000L;
      case "kib" -> 1024L;
      case "mb" -> 1000_000L;
      case "mib" -> 1024L * 1024;
      case "gb" -> 1000_000_000L;
      case "gib" -> 1024L * 1024 * 1024;
      default -> 1L;
    };
    return Math.multiplyExact(n, mult);
  }

  private static List<String> splitList(String text) {
    return Arrays.stream(text.split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList();
  }

  // --- file --------------------------------------------------------------------------------------

  private static void readYaml(Path file, Map<String, String> raw, Map<String, String> origin,
      List<String> problems) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      problems.add("cannot read configuration file " + file + ": " + e.getMessage());
      return;
    }
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(text);
    } catch (IOException e) {
      problems.add("configuration file " + file + " is not valid YAML: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
      return;
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      return; // an empty file is a valid, empty configuration
    }
    if (!root.isObject()) {
      problems.add("configuration file " + file + " must hold a mapping of keys, not a " + root.getNodeType());
      return;
    }
    flatten("", root, raw, origin, "file " + file);
  }

  private static void flatten(String prefix, JsonNode node, Map<String, String> out,
      Map<String, String> origin, String where) {
    node.fields().forEachRemaining(e -> {
      String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      JsonNode v = e.getValue();
      if (v.isObject()) {
        flatten(key, v, out, origin, where);
      } else {
        String text;
        if (v.isArray()) {
          List<String> items = new ArrayList<>();
          v.forEach(i -> items.add(i.asText()));
          text = String.join(",", items);
        } else {
          text = v.isNull() ? null : v.asText();
        }
        out.put(key, text);
        origin.put(key, where);
      }
    });
  }

  // --- cross-field checks ------------------------------------------------------------------------

  private static void resolveToken(Map<String, Object> values, Map<String, String> origin,
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

  private static void crossCheck(Map<String, Object> v, Map<String, String> kafkaProps,
      List<String> problems, List<String> warnings) {
    Duration min = (Duration) v.get(Settings.POLL_MIN.key());
    Duration max = (Duration) v.get(Settings.POLL_MAX.key());
    if (min != null && max != null && min.compareTo(max) > 0) {
      problems.add("sessions.poll-interval-min (" + formatDuration(min) + ") is above sessions.poll-interval-max ("
          + formatDuration(max) + ")");
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
      problems.add("connector.transaction-timeout (" + formatDuration(txn) + ") must be at least 10 x"
          + " connector.commit-interval (" + formatDuration(commit) + "): a transaction stays open that long");
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

  private static List<String> envNames(Setting s) {
    // Aliases first: QODER_PAT is the documented way to pass the token.
    List<String> names = new ArrayList<>(s.aliases());
    names.add(s.envVar());
    return names;
  }

  private static String suggestion(String key) {
    String best = null;
    int bestD = Integer.MAX_VALUE;
    for (Setting s : Settings.all()) {
      int d = distance(key, s.key());
      if (d < bestD) {
        bestD = d;
        best = s.key();
      }
    }
    return best != null && bestD <= Math.max(3, key.length() / 4) ? "; did you mean '" + best + "'?" : "";
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int c = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + c);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private static String originKind(String origin) {
    return origin != null && origin.startsWith("file ") ? "file" : "other";
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

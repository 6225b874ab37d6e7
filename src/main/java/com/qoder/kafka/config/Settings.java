package com.qoder.kafka.config;

import com.qoder.kafka.config.Setting.Type;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every configuration key of the connector, with its default and documentation, in one place.
 *
 * <p>Each key can be set in the YAML file (nested or dotted), overridden by its environment
 * variable (the key in upper case with {@code .} and {@code -} as {@code _}, e.g. {@code
 * kafka.bootstrap-servers} → {@code KAFKA_BOOTSTRAP_SERVERS}), and overridden again by command-line
 * flags. Kafka client properties pass through under {@code kafka.properties.*} (environment: {@code
 * KAFKA_PROPERTIES_SASL_MECHANISM} → {@code sasl.mechanism}); extra routes under {@code
 * kafka.routing.<event type>}.
 */
public final class Settings {

  private static final Map<String, Setting> ALL = new LinkedHashMap<>();

  // --- connector ---------------------------------------------------------------------------------
  public static final Setting CONNECTOR_NAME = def("connector.name", Type.STRING, "qoder-kafka",
      "Name of this connector; instances with the same name share the work and the offsets topic.");
  public static final Setting DELIVERY = enumDef("connector.delivery", "at-least-once",
      "Delivery guarantee: at-least-once (idempotent producer) or exactly-once (transactions).",
      "at-least-once", "exactly-once");
  public static final Setting SHUTDOWN_TIMEOUT = def("connector.shutdown-timeout", Type.DURATION, "30s",
      "How long SIGTERM waits for in-flight pages to be acknowledged and offsets written.");
  public static final Setting COMMIT_INTERVAL = def("connector.commit-interval", Type.DURATION, "100ms",
      "Exactly-once: how often the open transaction (pages of many sessions) is committed; a session reads"
          + " its next page only after its page committed.");
  public static final Setting TRANSACTION_TIMEOUT = def("connector.transaction-timeout", Type.DURATION, "10s",
      "Exactly-once: the producer's transaction.timeout.ms, the longest a crashed instance's open transaction"
          + " can hold back read_committed consumers (a takeover fences it at once unless the fencing ACLs are"
          + " missing).");

  // --- cluster (several instances with the same connector.name) -----------------------------------
  public static final Setting CLUSTER_SESSION_TIMEOUT = def("cluster.session-timeout", Type.DURATION, "10s",
      "How long the group waits for a silent instance before its sessions move to the others (the consumer"
          + " session.timeout.ms; the broker accepts 6s-30m unless group.min/max.session.timeout.ms say otherwise).");
  public static final Setting CLUSTER_INSTANCE_ID = def("cluster.instance-id", Type.STRING, null,
      "Stable, unique id of this instance (e.g. the pod name): names its transactional producer and shows in"
          + " status and the User-Agent; default <host>-<pid>-<random>, new at every start.");

  // --- Qoder API ---------------------------------------------------------------------------------
  public static final Setting QODER_BASE_URL = def("qoder.base-url", Type.URL, "https://openapi.qoder.sh",
      "Base URL of the Qoder API.");
  public static final Setting QODER_TOKEN = add(new Setting("qoder.token", Type.SECRET, null, false,
      "Personal access token (PAT). Prefer the QODER_PAT environment variable or qoder.token-file.",
      List.of(), List.of("QODER_PAT")));
  public static final Setting QODER_TOKEN_FILE = def("qoder.token-file", Type.PATH, null,
      "File holding the PAT (used when QODER_PAT is not set); a trailing newline is ignored.");
  public static final Setting QODER_ORGANIZATION_ID = def("qoder.organization-id", Type.STRING, null,
      "Organization sent as X-Organization-Id to the sessions endpoints; empty: the token's default.");
  public static final Setting QODER_ORGANIZATION_IDS = def("qoder.organization-ids", Type.LIST, "",
      "Several organizations whose sessions are discovered at once (comma-separated).");
  public static final Setting QODER_PATH_PREFIX = def("qoder.path-prefix", Type.STRING, "/api/v1/cloud",
      "Path prefix of the events, resources, files and list endpoints (/api/v1/cloud or /v1).");
  public static final Setting QODER_CONNECT_TIMEOUT = def("qoder.connect-timeout", Type.DURATION, "5s",
      "TCP connect timeout to the Qoder API.");
  public static final Setting QODER_REQUEST_TIMEOUT = def("qoder.request-timeout", Type.DURATION, "15s",
      "Response timeout of one API request; a timeout is retried.");
  public static final Setting QODER_MAX_RETRIES = def("qoder.max-retries", Type.INT, "6",
      "Retries of a request that failed with 429, 5xx, a timeout or a connection error.");
  public static final Setting QODER_BACKOFF_MIN = def("qoder.retry-backoff-min", Type.DURATION, "250ms",
      "First retry delay; doubles per attempt with jitter.");
  public static final Setting QODER_BACKOFF_MAX = def("qoder.retry-backoff-max", Type.DURATION, "20s",
      "Largest retry delay.");
  public static final Setting QODER_RETRY_AFTER_MAX = def("qoder.retry-after-max", Type.DURATION, "60s",
      "Longest wait a 429's Retry-After can impose; a longer one is cut to this. The wait holds every request"
          + " of this instance (the rate limit is the token's); a wait over 30s is logged at WARN.");
  public static final Setting QODER_RATE = def("qoder.max-requests-per-second", Type.INT, "50",
      "Global request budget of this instance (all sessions and sources together, retries included): at most"
          + " this many requests in any one-second window (1-10000).");
  public static final Setting QODER_CONCURRENCY = def("qoder.max-concurrent-requests", Type.INT, "16",
      "Requests in flight at once.");
  public static final Setting QODER_TLS_CA = def("qoder.tls.ca-file", Type.PATH, null,
      "PEM file of CA certificates trusted for the Qoder API, in place of the JVM's.");
  public static final Setting QODER_TLS_INSECURE = def("qoder.tls.insecure-skip-verify", Type.BOOLEAN, "false",
      "Disables TLS certificate and hostname verification (logged loudly; never in production).");

  // --- sessions ----------------------------------------------------------------------------------
  public static final Setting SESSION_IDS = add(new Setting("sessions.ids", Type.LIST, "", false,
      "Static list of session ids to follow (sess_… or UUID); empty: sessions come from discovery.",
      List.of(), List.of("QODER_SESSION_IDS")));
  public static final Setting DISCOVERY = enumDef("sessions.discovery", "auto",
      "Discover sessions from the sessions list: on, off, or auto (on when sessions.ids is empty).",
      "auto", "on", "off");
  public static final Setting DISCOVERY_INTERVAL = def("sessions.discovery-interval", Type.DURATION, "30s",
      "How often the sessions list is re-scanned for new and released sessions.");
  public static final Setting START_POSITION = enumDef("sessions.start-position", "earliest",
      "Where a never-seen session starts: earliest (its whole history) or latest (only new events).",
      "earliest", "latest");
  public static final Setting POLL_MIN = def("sessions.poll-interval-min", Type.DURATION, "1s",
      "Poll interval of a session that just had new events, and the least time between two requests of a"
          + " session (client retries and error paths included) unless its last page had data and moved its cursor.");
  public static final Setting POLL_MAX = def("sessions.poll-interval-max", Type.DURATION, "30s",
      "Longest poll interval; a quiet session's interval doubles up to this.");
  public static final Setting PAGE_SIZE = def("sessions.page-size", Type.INT, "100",
      "Events per request (1–100, the documented range).");
  /**
   * Largest {@code sessions.dedup-window}: the window is stored in the session's offset record (8
   * bytes per id, base64 in JSON), which must stay within 64 KiB with room for the cursor and
   * fall-back ids.
   */
  public static final int MAX_DEDUP_WINDOW = 5_000;
  public static final Setting DEDUP_WINDOW = def("sessions.dedup-window", Type.INT, "512",
      "Recent event ids remembered per session (1–" + MAX_DEDUP_WINDOW + "; stored in its offset record, which stays"
          + " within 64 KiB). Older events are recognised by the newest delivered event's created_at; the window"
          + " recognises events at that instant and events without a created_at.");

  // --- sources -----------------------------------------------------------------------------------
  public static final Setting SOURCE_EVENTS = def("sources.events.enabled", Type.BOOLEAN, "true",
      "Stream session events.");
  public static final Setting SOURCE_RESOURCES = def("sources.resources.enabled", Type.BOOLEAN, "true",
      "Stream the resources of followed sessions as change records (created, updated, deleted).");
  public static final Setting SOURCE_FILES = def("sources.files.enabled", Type.BOOLEAN, "true",
      "Stream the account's files as change records (one per new or changed file, tombstone when deleted).");
  public static final Setting SOURCE_SESSIONS = def("sources.sessions.enabled", Type.BOOLEAN, "true",
      "Stream session lifecycle records (created, released, idle, errored, terminated, gone).");
  public static final Setting RESOURCES_INTERVAL = def("sources.resources.poll-interval", Type.DURATION, "60s",
      "How often the resources of each followed session are listed (one request per session when unchanged).");
  public static final Setting RESOURCES_PAGE_SIZE = def("sources.resources.page-size", Type.INT, "1000",
      "Resources per request (1–1000; 1000 is the server cap of document 000).");
  public static final Setting RESOURCES_MAX_PER_SESSION = def("sources.resources.max-per-session", Type.INT, "1000",
      "Resources remembered per session for change detection (about 60 bytes each in its offset record).");
  public static final Setting FILES_INTERVAL = def("sources.files.poll-interval", Type.DURATION, "30s",
      "How often new files are looked for (one small request when nothing is new).");
  public static final Setting FILES_PURPOSE = def("sources.files.purpose", Type.STRING, null,
      "Only files of this purpose (user_upload, tool_output, skill_output, session_resource, agent_output);"
          + " empty: every file.");
  public static final Setting FILES_PAGE_SIZE = def("sources.files.page-size", Type.INT, "10",
      "Files asked for by the first request of a round (1–100); further pages ask for 100.");
  public static final Setting FILES_FULL_RESCAN = def("sources.files.full-rescan-interval", Type.DURATION, "15m",
      "How often every file is listed again, to catch updates of older files and deletions (tombstones).");
  public static final Setting FILES_MAX_TRACKED = def("sources.files.max-tracked", Type.INT, "5000",
      "Newest files remembered for change detection (about 60 bytes each in the offset record; older files"
          + " are delivered once, their later changes are not detected).");
  public static final Setting SESSIONS_INTERVAL = def("sources.sessions.poll-interval", Type.DURATION, "30s",
      "How often the sessions list of each organization is scanned for created and released sessions.");

  // --- Kafka -------------------------------------------------------------------------------------
  public static final Setting KAFKA_BOOTSTRAP = def("kafka.bootstrap-servers", Type.STRING, "localhost:9092",
      "Kafka bootstrap servers.");
  public static final Setting TOPIC_EVENTS = def("kafka.topics.events", Type.STRING, "qoder.session-events",
      "Topic receiving every session event.");
  public static final Setting TOPIC_ERRORS = def("kafka.topics.errors", Type.STRING, "qoder.session-errors",
      "Alerts topic: session.error events are routed here too (kafka.routing.session.error).");
  public static final Setting TOPIC_DEAD_LETTER = def("kafka.topics.dead-letter", Type.STRING, "qoder.dead-letter",
      "Records that cannot be mapped or are too large, with the reason in headers.");
  public static final Setting TOPIC_OFFSETS = def("kafka.topics.offsets", Type.STRING, null,
      "Compacted offsets topic; default qoder-kafka.<connector.name>.offsets.");
  public static final Setting TOPIC_STATUS = def("kafka.topics.status", Type.STRING, null,
      "Compacted topic where instances publish their status for the status page's cluster view; default"
          + " qoder-kafka.<connector.name>.status.");
  public static final Setting TOPIC_RESOURCES = def("kafka.topics.resources", Type.STRING, "qoder.session-resources",
      "Session resources topic.");
  public static final Setting TOPIC_FILES = def("kafka.topics.files", Type.STRING, "qoder.files",
      "Files topic (compacted by default).");
  public static final Setting TOPIC_SESSIONS = def("kafka.topics.sessions", Type.STRING, "qoder.sessions",
      "Session lifecycle topic.");
  public static final Setting TOPIC_SIGNALS = def("kafka.topics.signals", Type.STRING, null,
      "Live signals (resync, pause, resume, resync-files; written by qoder-kafka signal), read by every instance;"
          + " default qoder-kafka.<connector.name>.signals.");
  public static final Setting TOPIC_NOTIFICATIONS = def("kafka.topics.notifications", Type.STRING, null,
      "Answers to the signals (accepted, started, progress, done, failed with the reason), keyed by signal id;"
          + " default qoder-kafka.<connector.name>.notifications.");
  public static final Setting SIGNALS_ENABLED = def("signals.enabled", Type.BOOLEAN, "true",
      "Read the signals topic and act on the signals of the sessions this instance owns.");
  public static final Setting SIGNALS_RESYNC_PAGE_SIZE = def("signals.resync-page-size", Type.INT, "100",
      "Events per API request of a resync (1..100); each page is one step (one transaction in exactly-once"
          + " mode) of the resync's stored progress.");
  public static final Setting FILES_CLEANUP = enumDef("kafka.files-cleanup-policy", "compact",
      "cleanup.policy of the files topic when the connector creates it: compact keeps the latest state of"
          + " every file (deleted files removed by their tombstone).", "compact", "delete");
  public static final Setting CREATE_TOPICS = def("kafka.create-topics", Type.BOOLEAN, "true",
      "Create missing topics at start-up; when false a missing topic is a start-up error.");
  public static final Setting TOPIC_PARTITIONS = def("kafka.topic-partitions", Type.INT, "6",
      "Partitions of data topics the connector creates.");
  public static final Setting OFFSETS_PARTITIONS = def("kafka.offsets-partitions", Type.INT, "12",
      "Partitions of the offsets topic (upper bound of useful instances).");
  public static final Setting REPLICATION_FACTOR = def("kafka.replication-factor", Type.INT, "-1",
      "Replication factor of created topics; -1 uses the broker's default.");
  public static final Setting COMPRESSION = enumDef("kafka.compression", "lz4",
      "Producer compression.", "none", "gzip", "snappy", "lz4", "zstd");
  public static final Setting MAX_IN_FLIGHT_RECORDS = def("kafka.max-in-flight-records", Type.INT, "20000",
      "Records handed to the producer and not yet acknowledged; polling waits above it.");
  public static final Setting MAX_IN_FLIGHT_BYTES = def("kafka.max-in-flight-bytes", Type.SIZE, "64MiB",
      "Bytes handed to the producer and not yet acknowledged, and (separately) the heap of event pages fetched and"
          + " not yet acknowledged (reserved before each request); bounds the heap during a broker outage.");
  public static final Setting MAX_RECORD_BYTES = def("kafka.max-record-bytes", Type.SIZE, "8MiB",
      "Largest record (an event with its Avro framing and headers, before compression) delivered to its topic;"
          + " larger events go to the dead-letter topic with a marker in their place. Sets the producer's"
          + " max.request.size; topics the connector creates get max.message.bytes = this + 1/512 (at least"
          + " 16KiB), existing ones are checked at start-up. At most kafka.max-in-flight-bytes.");

  // --- Schema Registry ---------------------------------------------------------------------------
  public static final Setting REGISTRY_URL = def("schema-registry.url", Type.STRING, null,
      "Schema Registry URL(s), comma-separated, tried in turn (Confluent, Apicurio's /apis/ccompat/v7, ...);"
          + " required by run. mock://<scope> is an in-process registry, refused unless"
          + " schema-registry.allow-in-process is true.");
  public static final Setting REGISTRY_ALLOW_IN_PROCESS = def("schema-registry.allow-in-process", Type.BOOLEAN,
      "false", "Lets run use an in-process registry (schema-registry.url mock://<scope>, or mock://qoder when"
          + " empty) whose schema ids no consumer can resolve: for tests and local experiments only.");
  public static final Setting REGISTRY_AUTO_REGISTER = def("schema-registry.auto-register", Type.BOOLEAN, "true",
      "Register the connector's schemas at start-up; false: they must already be registered.");
  public static final Setting REGISTRY_STRATEGY = enumDef("schema-registry.subject-name-strategy", "topic",
      "Subject naming: topic (<topic>-value), record (<record name>), topic-record.",
      "topic", "record", "topic-record");
  public static final Setting REGISTRY_BASIC_AUTH = def("schema-registry.basic-auth", Type.SECRET, null,
      "Basic auth of the registry as user:password (Confluent's basic.auth.user.info).");
  public static final Setting REGISTRY_BEARER = def("schema-registry.bearer-token", Type.SECRET, null,
      "Bearer token of the registry.");
  public static final Setting REGISTRY_TLS_CA = def("schema-registry.tls.ca-file", Type.PATH, null,
      "PEM file of CA certificates trusted for an https:// registry (default: the JDK's trust store).");
  public static final Setting REGISTRY_TLS_CERT = def("schema-registry.tls.cert-file", Type.PATH, null,
      "Mutual TLS: PEM certificate chain this connector presents to the registry (with schema-registry.tls.key-file).");
  public static final Setting REGISTRY_TLS_KEY = def("schema-registry.tls.key-file", Type.PATH, null,
      "Mutual TLS: the unencrypted PKCS#8 PEM private key of schema-registry.tls.cert-file.");

  // --- ops ---------------------------------------------------------------------------------------
  public static final Setting OPS_ENABLED = def("ops.enabled", Type.BOOLEAN, "true",
      "Serve /metrics, /health/live, /health/ready and the status page.");
  public static final Setting OPS_PORT = def("ops.port", Type.INT, "8080", "Port of the ops server.");
  public static final Setting OPS_BIND = def("ops.bind-address", Type.STRING, "127.0.0.1",
      "Address the ops server binds (0.0.0.0 in containers).");
  public static final Setting OPS_STATUS_INTERVAL = def("ops.status-interval", Type.DURATION, "10s",
      "How often the status page's charts take a sample (they show the last 15 minutes) and this instance"
          + " publishes its status for the cluster view (1s–5m).");

  // --- logging -----------------------------------------------------------------------------------
  public static final Setting LOG_FORMAT = enumDef("log.format", "text",
      "Log format: text (human-readable) or json (one JSON object a line).", "text", "json");

  /** Prefix of Kafka client properties passed through to every Kafka client. */
  public static final String KAFKA_PROPERTIES_PREFIX = "kafka.properties.";
  /** Prefix of extra routes: {@code kafka.routing.<event type>: topic[,topic]}. */
  public static final String ROUTING_PREFIX = "kafka.routing.";

  private Settings() {}

  /** Every declared setting, in declaration order. */
  public static List<Setting> all() {
    return Collections.unmodifiableList(new ArrayList<>(ALL.values()));
  }

  public static Setting byKey(String key) {
    return ALL.get(key);
  }

  /** Every environment variable that configures the connector (derived names and aliases). */
  public static List<String> envVars() {
    List<String> vars = new ArrayList<>();
    for (Setting s : ALL.values()) {
      vars.add(s.envVar());
      vars.addAll(s.aliases());
    }
    return vars;
  }

  /** The README's configuration table. */
  public static String markdownTable() {
    StringBuilder sb = new StringBuilder("| key | environment | default | description |\n|---|---|---|---|\n");
    for (Setting s : ALL.values()) {
      String env = s.envVar() + (s.aliases().isEmpty() ? "" : ", " + String.join(", ", s.aliases()));
      String def = s.defaultValue() == null ? "" : s.defaultValue().isEmpty() ? "(empty)" : s.defaultValue();
      String doc = s.doc() + (s.choices().isEmpty() ? "" : " One of: " + String.join(", ", s.choices()) + ".");
      sb.append("| `").append(s.key()).append("` | `").append(env).append("` | ")
          .append(def.isEmpty() ? "" : "`" + def + "`").append(" | ").append(doc).append(" |\n");
    }
    return sb.toString();
  }

  private static Setting def(String key, Type type, String dflt, String doc) {
    return add(new Setting(key, type, dflt, false, doc, List.of(), List.of()));
  }

  private static Setting enumDef(String key, String dflt, String doc, String... choices) {
    return add(new Setting(key, Type.ENUM, dflt, false, doc, List.of(choices), List.of()));
  }

  private static Setting add(Setting s) {
    if (ALL.putIfAbsent(s.key(), s) != null) {
      throw new IllegalStateException("duplicate setting " + s.key());
    }
    return s;
  }
}

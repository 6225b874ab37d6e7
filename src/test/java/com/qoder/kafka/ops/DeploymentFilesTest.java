package com.qoder.kafka.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.qoder.kafka.config.ConfigLoader;
import com.qoder.kafka.config.Settings;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps the deployment files honest: docker-compose.yml, deploy/Dockerfile, the Kubernetes
 * manifests, the example configuration and the Grafana dashboard must agree with each other, with
 * the configuration contract and with the metrics {@link ConnectorMetrics} really exports.
 */
class DeploymentFilesTest {

  static final int OPS_PORT = OpsOptions.DEFAULT_PORT;
  static final int SIMULATOR_PORT = 8090;
  static final Path ROOT = Paths.get("").toAbsolutePath();

  private static final ObjectMapper YAML = new YAMLMapper();
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Prometheus series names after exercising every ConnectorMetrics method and the JVM binders. */
  private static Set<String> scrapedNames;

  /** The configuration environment variables the connector understands (derived names and aliases). */
  static Set<String> knownEnvVars() {
    return Set.copyOf(Settings.envVars());
  }

  /** A variable the connector reads: a setting's, or a Kafka client property passed through. */
  static boolean isKnownEnvVar(String name) {
    return knownEnvVars().contains(name) || (name.startsWith(KAFKA_PROPERTIES_ENV) && name.length() > KAFKA_PROPERTIES_ENV.length());
  }

  private static final String KAFKA_PROPERTIES_ENV = "KAFKA_PROPERTIES_";

  /** Configuration file keys; a key ending in "." is a prefix under which any key is allowed. */
  static Set<String> knownConfigKeys() {
    Set<String> keys = new LinkedHashSet<>();
    Settings.all().forEach(k -> keys.add(k.key()));
    keys.add(Settings.KAFKA_PROPERTIES_PREFIX);
    keys.add(Settings.ROUTING_PREFIX);
    return keys;
  }

  /** What the annotated example must show a deployer, at least. */
  static final Set<String> EXAMPLE_MUST_SHOW = Set.of(
      "connector.name", "connector.delivery", "qoder.base-url", "qoder.organization-id", "sessions.ids",
      "sessions.discovery-interval", "sessions.start-position", "sessions.poll-interval-min",
      "sessions.poll-interval-max", "kafka.bootstrap-servers", "kafka.properties.", "kafka.topics.events",
      "kafka.topics.errors", "kafka.topics.dead-letter", "kafka.topics.offsets", "schema-registry.url",
      "schema-registry.auto-register", "ops.port", "ops.bind-address");

  /** The simulator's command-line flags (`qoder-kafka simulate --help`). */
  static Set<String> knownSimulatorFlags() {
    return Set.of("--port", "--host", "--sessions", "--seed", "--token", "--live");
  }

  static boolean isKnownConfigKey(String key) {
    return knownConfigKeys().stream()
        .anyMatch(k -> k.endsWith(".") ? key.startsWith(k) && key.length() > k.length() : k.equals(key));
  }

  @BeforeAll
  static void scrapeRealMetrics() {
    PrometheusMeterRegistry registry = ConnectorMetrics.newPrometheusRegistry("test");
    ConnectorMetricsTest.exerciseAll(new ConnectorMetrics(registry));
    JvmProcessMetrics jvm = JvmProcessMetrics.bindTo(registry);
    try {
      scrapedNames = new TreeSet<>();
      Matcher m = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]").matcher(registry.scrape());
      while (m.find()) {
        scrapedNames.add(m.group(1));
      }
    } finally {
      jvm.close();
    }
  }

  // ------------------------------------------------------------------ docker-compose.yml

  @Test
  void composeConnectorUsesOnlyKnownEnvVarsAndWiresTheOtherServices() throws IOException {
    JsonNode services = yaml(ROOT.resolve("docker-compose.yml")).get("services");
    JsonNode connector = services.get("connector");
    Map<String, String> env = environment(connector);

    assertThat(env.keySet()).allMatch(DeploymentFilesTest::isKnownEnvVar, "a variable the connector reads");
    assertThat(env.keySet())
        .contains("QODER_BASE_URL", "QODER_PAT", "KAFKA_BOOTSTRAP_SERVERS", "SCHEMA_REGISTRY_URL");
    assertThat(strings(connector.get("command"))).first().isEqualTo("run");
    assertThat(env.get("OPS_PORT")).isEqualTo(Integer.toString(OPS_PORT));
    assertThat(env.get("OPS_BIND_ADDRESS")).as("probes come from outside the container").isEqualTo("0.0.0.0");

    // Kafka: the connector's bootstrap address is a listener the broker advertises.
    Map<String, String> kafkaEnv = environment(services.get("kafka"));
    assertThat(kafkaEnv.get("KAFKA_ADVERTISED_LISTENERS"))
        .contains("//" + defaultOf(env.get("KAFKA_BOOTSTRAP_SERVERS")));
    assertThat(kafkaEnv.get("KAFKA_PROCESS_ROLES")).isEqualTo("broker,controller");
    assertThat(kafkaEnv).containsKeys("KAFKA_CONTROLLER_QUORUM_VOTERS", "KAFKA_CONTROLLER_LISTENER_NAMES", "KAFKA_NODE_ID");
    assertThat(services.get("kafka").get("image").asText())
        .isEqualTo("apache/kafka:" + pomProperty("kafka.version"));

    // Schema Registry: host is the service, port is the one it listens on.
    URI registry = URI.create(defaultOf(env.get("SCHEMA_REGISTRY_URL")));
    assertThat(services.has(registry.getHost())).as("service " + registry.getHost()).isTrue();
    JsonNode sr = services.get(registry.getHost());
    assertThat(sr.get("image").asText()).startsWith("confluentinc/cp-schema-registry:");
    assertThat(URI.create(environment(sr).get("SCHEMA_REGISTRY_LISTENERS")).getPort())
        .isEqualTo(registry.getPort());

    // Simulator: the connector's default base URL and token are the simulator's.
    JsonNode simulator = services.get("simulator");
    List<String> simCommand = strings(simulator.get("command"));
    assertThat(simCommand.get(0)).isEqualTo("simulate");
    Map<String, String> flags = flags(simCommand.subList(1, simCommand.size()));
    assertThat(flags.keySet()).isSubsetOf(knownSimulatorFlags()).contains("--live", "--port", "--host");
    assertThat(flags.get("--host")).isEqualTo("0.0.0.0");
    assertThat(Integer.parseInt(flags.get("--port"))).isEqualTo(SIMULATOR_PORT);
    URI baseUrl = URI.create(defaultOf(env.get("QODER_BASE_URL")));
    assertThat(baseUrl.getHost()).isEqualTo("simulator");
    assertThat(baseUrl.getPort()).isEqualTo(SIMULATOR_PORT);
    assertThat(defaultOf(env.get("QODER_PAT"))).isEqualTo(flags.get("--token"));
    // The simulator runs from the tooling image; the connector's image is the production one.
    assertThat(simulator.at("/build/dockerfile").asText()).isEqualTo("deploy/tools.Dockerfile");
    assertThat(connector.at("/build/dockerfile").asText()).isEqualTo("deploy/Dockerfile");
    for (JsonNode built : List.of(simulator, connector)) {
      assertThat(built.at("/build/context").asText()).isEqualTo(".");
    }
  }

  @Test
  void composePortsAreTheOpsAndSimulatorPorts() throws IOException {
    JsonNode services = yaml(ROOT.resolve("docker-compose.yml")).get("services");
    assertThat(publishedPorts(services.get("connector"))).containsExactly(OPS_PORT + ":" + OPS_PORT);
    assertThat(publishedPorts(services.get("simulator")))
        .containsExactly(SIMULATOR_PORT + ":" + SIMULATOR_PORT);
    assertThat(String.join(" ", strings(services.get("simulator").at("/healthcheck/test"))))
        .contains("/" + SIMULATOR_PORT);
  }

  // ------------------------------------------------------------------ Dockerfile

  @Test
  void dockerfileBuildsTheShadedJarAndRunsItAsNonRoot() throws IOException {
    List<String> lines = dockerfileInstructions("deploy/Dockerfile");
    assertThat(lines).contains("FROM maven:3.9-eclipse-temurin-17 AS build", "FROM eclipse-temurin:17-jre");
    assertThat(lines.stream().filter(l -> l.startsWith("RUN ")).anyMatch(l -> l.contains("./mvnw -B -DskipTests package")))
        .isTrue();
    assertThat(pomText()).contains("<finalName>qoder-kafka</finalName>");
    assertThat(lines).contains("COPY --from=build /src/target/qoder-kafka.jar /app/qoder-kafka.jar");
    assertThat(lines).contains("ENTRYPOINT [\"java\", \"-jar\", \"/app/qoder-kafka.jar\"]");
    assertThat(lines).contains("CMD [\"run\", \"--config\", \"/etc/qoder-kafka/qoder-kafka.yaml\"]");
    assertThat(lines).contains("COPY deploy/qoder-kafka.example.yaml /etc/qoder-kafka/qoder-kafka.yaml");

    List<String> users = lines.stream().filter(l -> l.startsWith("USER ")).toList();
    assertThat(users).hasSize(1);
    assertThat(users.get(0)).doesNotContain("root").doesNotMatch("USER 0(:.*)?");
    // USER comes after the last FROM, so it applies to the runtime image.
    assertThat(lines.indexOf(users.get(0))).isGreaterThan(lines.indexOf("FROM eclipse-temurin:17-jre"));

    List<Integer> exposed = new ArrayList<>();
    lines.stream().filter(l -> l.startsWith("EXPOSE ")).forEach(l -> {
      for (String p : l.substring(7).trim().split("\\s+")) {
        exposed.add(Integer.parseInt(p.replace("/tcp", "")));
      }
    });
    assertThat(exposed).containsExactly(OPS_PORT);
    String healthcheck = lines.stream().filter(l -> l.startsWith("HEALTHCHECK")).findFirst().orElseThrow();
    assertThat(healthcheck).contains("${OPS_PORT:-" + OPS_PORT + "}").contains("/health/ready");
    assertThat(lines).anyMatch(l -> l.startsWith("ENV ") && l.contains("OPS_PORT=" + OPS_PORT));
  }

  // ------------------------------------------------------------------ configuration files

  @Test
  void exampleConfigUsesOnlyKnownKeys() throws IOException {
    Map<String, JsonNode> keys = flatten(yaml(ROOT.resolve("deploy/qoder-kafka.example.yaml")));
    assertThat(keys.keySet()).allMatch(DeploymentFilesTest::isKnownConfigKey, "a known configuration key");
    assertThat(keys.get("ops.port").asInt()).isEqualTo(OPS_PORT);
    assertThat(keys.get("connector.delivery").asText()).isIn("at-least-once", "exactly-once");
    assertThat(keys.get("sessions.start-position").asText()).isIn("earliest", "latest");
    assertThat(keys.keySet().stream().map(k -> k.startsWith("kafka.properties.") ? "kafka.properties." : k))
        .containsAll(EXAMPLE_MUST_SHOW);
    // And it is a configuration the connector accepts as it is.
    assertThat(ConfigLoader.load(ROOT.resolve("deploy/qoder-kafka.example.yaml"), Map.of(), Map.of()).warnings())
        .isEmpty();
  }

  // ------------------------------------------------------------------ Kubernetes

  @Test
  void kubernetesManifestsAreConsistent() throws IOException {
    Map<String, JsonNode> byKind = new LinkedHashMap<>();
    List<String> files;
    try (Stream<Path> s = Files.list(ROOT.resolve("deploy/kubernetes"))) {
      files = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).sorted().toList();
    }
    for (String file : files) {
      for (JsonNode doc : yamlDocuments(ROOT.resolve("deploy/kubernetes").resolve(file))) {
        assertThat(doc.at("/metadata/namespace").isMissingNode()).as(file + " is namespace-less").isTrue();
        byKind.put(doc.get("kind").asText(), doc);
      }
    }
    assertThat(byKind.keySet()).contains("ConfigMap", "Secret", "Deployment", "Service", "Kustomization");

    JsonNode kustomization = byKind.get("Kustomization");
    for (JsonNode r : kustomization.get("resources")) {
      assertThat(files).contains(r.asText());
    }

    JsonNode deployment = byKind.get("Deployment");
    JsonNode pod = deployment.at("/spec/template/spec");
    assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(3);
    assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
    JsonNode container = pod.get("containers").get(0);
    assertThat(container.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(container.at("/securityContext/allowPrivilegeEscalation").asBoolean(true)).isFalse();
    assertThat(container.at("/resources/requests/memory").isTextual()).isTrue();
    assertThat(container.at("/resources/limits/memory").isTextual()).isTrue();
    assertThat(container.at("/resources/requests/cpu").isMissingNode()).isFalse();
    assertThat(container.at("/resources/limits/cpu").isMissingNode()).isFalse();
    assertThat(container.at("/ports/0/name").asText()).isEqualTo("ops");
    assertThat(container.at("/ports/0/containerPort").asInt()).isEqualTo(OPS_PORT);
    assertThat(container.get("ports")).hasSize(1);

    assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/health/live");
    assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/health/ready");
    for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
      JsonNode port = container.at("/" + probe + "/httpGet/port");
      if (!port.isMissingNode()) {
        assertThat(port.isInt() ? port.asInt() : OPS_PORT).as(probe).isEqualTo(OPS_PORT);
        if (!port.isInt()) {
          assertThat(port.asText()).isEqualTo("ops");
        }
      }
    }

    // Environment: only known variables; the token comes from the Secret.
    Map<String, JsonNode> env = new LinkedHashMap<>();
    container.get("env").forEach(e -> env.put(e.get("name").asText(), e));
    assertThat(env.keySet()).allMatch(DeploymentFilesTest::isKnownEnvVar, "a variable the connector reads");
    JsonNode secretRef = env.get("QODER_PAT").at("/valueFrom/secretKeyRef");
    JsonNode secret = byKind.get("Secret");
    assertThat(secretRef.get("name").asText()).isEqualTo(secret.at("/metadata/name").asText());
    assertThat(secret.at("/stringData").has(secretRef.get("key").asText())).isTrue();
    assertThat(env.get("OPS_PORT").get("value").asText()).isEqualTo(Integer.toString(OPS_PORT));

    // The ConfigMap is mounted where --config points, and its file uses known keys.
    JsonNode configMap = byKind.get("ConfigMap");
    List<String> args = strings(container.get("args"));
    String configPath = args.get(args.indexOf("--config") + 1);
    Path configFile = Paths.get(configPath);
    String volumeName = null;
    for (JsonNode v : pod.get("volumes")) {
      if (v.at("/configMap/name").asText().equals(configMap.at("/metadata/name").asText())) {
        volumeName = v.get("name").asText();
      }
    }
    assertThat(volumeName).as("a volume of the ConfigMap").isNotNull();
    String mountPath = null;
    for (JsonNode m : container.get("volumeMounts")) {
      if (m.get("name").asText().equals(volumeName)) {
        mountPath = m.get("mountPath").asText();
      }
    }
    assertThat(mountPath).isEqualTo(configFile.getParent().toString());
    JsonNode embedded = YAML.readTree(configMap.at("/data/" + configFile.getFileName()).asText());
    Map<String, JsonNode> keys = flatten(embedded);
    assertThat(keys.keySet()).allMatch(DeploymentFilesTest::isKnownConfigKey, "a known configuration key");
    assertThat(keys.get("ops.port").asInt()).isEqualTo(OPS_PORT);
    assertThat(keys.get("ops.bind-address").asText()).isEqualTo("0.0.0.0");
    Path embeddedFile = Files.createTempFile("configmap", ".yaml");
    try {
      Files.writeString(embeddedFile, configMap.at("/data/" + configFile.getFileName()).asText());
      ConfigLoader.load(embeddedFile, Map.of("QODER_PAT", "from-the-secret"), Map.of()); // throws listing problems
    } finally {
      Files.delete(embeddedFile);
    }

    // Service: the ops port, selecting the pods, with scrape annotations.
    JsonNode service = byKind.get("Service");
    assertThat(service.at("/spec/ports")).hasSize(1);
    assertThat(service.at("/spec/ports/0/name").asText()).isEqualTo("ops");
    assertThat(service.at("/spec/ports/0/port").asInt()).isEqualTo(OPS_PORT);
    JsonNode target = service.at("/spec/ports/0/targetPort");
    assertThat(target.isInt() ? Integer.toString(target.asInt()) : target.asText()).isIn("ops", Integer.toString(OPS_PORT));
    service.at("/spec/selector").properties().forEach(
        e -> assertThat(deployment.at("/spec/template/metadata/labels").path(e.getKey()).asText())
            .isEqualTo(e.getValue().asText()));
    for (JsonNode annotated : List.of(service.at("/metadata/annotations"), deployment.at("/spec/template/metadata/annotations"))) {
      assertThat(annotated.get("prometheus.io/scrape").asText()).isEqualTo("true");
      assertThat(annotated.get("prometheus.io/port").asText()).isEqualTo(Integer.toString(OPS_PORT));
      assertThat(annotated.get("prometheus.io/path").asText()).isEqualTo("/metrics");
    }
  }

  // ------------------------------------------------------------------ Grafana

  @Test
  void grafanaDashboardUsesOnlyMetricsThatExist() throws IOException {
    JsonNode dashboard = JSON.readTree(ROOT.resolve("deploy/grafana/qoder-kafka-dashboard.json").toFile());
    List<String> exprs = new ArrayList<>();
    collect(dashboard, exprs);
    assertThat(exprs).hasSizeGreaterThan(20);

    Set<String> used = new TreeSet<>();
    Pattern qoderName = Pattern.compile("\\bqoder_[a-z0-9_]+");
    Pattern selector = Pattern.compile("\\b([a-zA-Z_:][a-zA-Z0-9_:]*)\\{");
    for (String expr : exprs) {
      assertThat(balanced(expr)).as("brackets balanced in %s", expr).isTrue();
      Matcher m = qoderName.matcher(expr);
      while (m.find()) {
        used.add(m.group());
      }
      Matcher s = selector.matcher(expr);
      while (s.find()) {
        used.add(s.group(1));
      }
    }
    // jvm_gc_pause_seconds appears only after the first garbage collection in a process.
    Set<String> unknown = used.stream()
        .filter(n -> !scrapedNames.contains(n) && !n.startsWith("jvm_gc_pause_seconds"))
        .collect(Collectors.toCollection(TreeSet::new));
    assertThat(unknown).as("metric names in the dashboard that no scrape contains").isEmpty();

    // Coverage: every qoder_ metric family is on the dashboard.
    Set<String> usedFamilies = used.stream().map(DeploymentFilesTest::family).collect(Collectors.toSet());
    Set<String> missing = scrapedFamilies().stream().filter(f -> !usedFamilies.contains(f))
        .collect(Collectors.toCollection(TreeSet::new));
    assertThat(missing).as("qoder_ metric families not on the dashboard").isEmpty();

    // Panel ids unique; data source is the template variable.
    Set<Integer> ids = new LinkedHashSet<>();
    for (JsonNode p : dashboard.get("panels")) {
      assertThat(ids.add(p.get("id").asInt())).as("unique panel id " + p.get("id")).isTrue();
      if (p.has("datasource")) {
        assertThat(p.at("/datasource/uid").asText()).isEqualTo("${datasource}");
      }
    }
    assertThat(dashboard.get("uid").asText()).isNotBlank();
  }

  // ------------------------------------------------------------------ Prometheus alert rules

  @Test
  void prometheusAlertRulesAreWellFormedAndUseOnlyMetricsThatExist() throws IOException {
    List<String> exprs = alertExpressions(ROOT.resolve("deploy/prometheus/alerts.yaml"));
    assertThat(exprs).hasSizeGreaterThanOrEqualTo(4);
    Set<String> used = metricNames(exprs);
    assertThat(used).as("the freshness and session.error alerts")
        .contains("qoder_session_cursor_age_max_seconds", "qoder_session_undelivered_age_max_seconds",
            "qoder_events_produced_total");
    Set<String> unknown = used.stream().filter(n -> !scrapedNames.contains(n))
        .collect(Collectors.toCollection(TreeSet::new));
    assertThat(unknown).as("metric names in deploy/prometheus/alerts.yaml that no scrape contains").isEmpty();
  }

  /** Every rule's expression; asserts the shape Prometheus requires of an alerting rule. */
  static List<String> alertExpressions(Path file) throws IOException {
    JsonNode rules = YAML.readTree(file.toFile());
    List<String> exprs = new ArrayList<>();
    Set<String> names = new LinkedHashSet<>();
    assertThat(rules.path("groups").isArray()).as("groups: a list").isTrue();
    for (JsonNode group : rules.get("groups")) {
      assertThat(group.path("name").asText()).isNotBlank();
      for (JsonNode rule : group.get("rules")) {
        String alert = rule.path("alert").asText();
        assertThat(alert).as("alert name").matches("[A-Za-z][A-Za-z0-9_]*");
        assertThat(names.add(alert)).as("unique alert " + alert).isTrue();
        assertThat(rule.path("labels").path("severity").asText()).as(alert + " severity").isIn("warning", "critical");
        assertThat(rule.path("annotations").path("summary").asText()).as(alert + " summary").isNotBlank();
        if (rule.has("for")) {
          assertThat(rule.get("for").asText()).as(alert + " for").matches("[0-9]+[smh]");
        }
        String expr = rule.path("expr").asText();
        assertThat(balanced(expr)).as("brackets balanced in %s", expr).isTrue();
        exprs.add(expr);
      }
    }
    return exprs;
  }

  /** The metric names an expression selects (qoder_ names and anything followed by a selector). */
  static Set<String> metricNames(List<String> exprs) {
    Set<String> used = new TreeSet<>();
    Pattern qoderName = Pattern.compile("\\bqoder_[a-z0-9_]+");
    Pattern selector = Pattern.compile("\\b([a-zA-Z_:][a-zA-Z0-9_:]*)\\{");
    for (String expr : exprs) {
      Matcher m = qoderName.matcher(expr);
      while (m.find()) {
        used.add(m.group());
      }
      Matcher s = selector.matcher(expr);
      while (s.find()) {
        used.add(s.group(1));
      }
    }
    return used;
  }

  @Test
  void metricsDocListsEveryFamily() throws IOException {
    String doc = Files.readString(ROOT.resolve("docs/METRICS.md"));
    for (String family : scrapedFamilies()) {
      assertThat(doc).as("docs/METRICS.md row for " + family).contains("| `" + family + "` |");
    }
  }

  /** The README from the first heading to the next of the given headings (a regex alternative). */
  private static String readmeSections(String from, String toRegex) throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"));
    int start = readme.indexOf(from);
    assertThat(start).as("README.md has " + from).isNotNegative();
    Matcher end = Pattern.compile("(?m)^(" + toRegex + ")").matcher(readme);
    int stop = end.find(start + from.length()) ? end.start() : readme.length();
    return readme.substring(start, stop);
  }

  @Test
  void readmeSectionsMentionOnlyFilesThatExist() throws IOException {
    String doc = readmeSections("## Monitoring", "## Operating the connector|## Security");
    Matcher m = Pattern.compile("(deploy/[A-Za-z0-9_./-]+|docs/[A-Za-z0-9_./-]+\\.md|docker-compose\\.yml)").matcher(doc);
    int found = 0;
    while (m.find()) {
      String path = m.group(1).replaceAll("[.]$", "");
      assertThat(ROOT.resolve(path)).as(path).exists();
      found++;
    }
    assertThat(found).isGreaterThan(5);
    assertThat(doc).contains("## Monitoring", "## Deploying with Docker Compose", "## Deploying on Kubernetes");
    // Every variable Compose gives the connector is explained, and every one mentioned exists.
    Map<String, String> composeEnv = environment(yaml(ROOT.resolve("docker-compose.yml")).at("/services/connector"));
    for (String var : composeEnv.keySet()) {
      assertThat(doc).contains(var);
    }
    assertThat(envVarsMentioned(doc)).allMatch(DeploymentFilesTest::isKnownEnvVar, "a variable the connector reads");
  }

  @Test
  void securitySectionMentionsOnlyKeysAndVariablesThatExist() throws IOException {
    String doc = readmeSections("## Security", "## Reliability and performance");
    assertThat(doc).contains("## Security");
    assertThat(envVarsMentioned(doc)).isNotEmpty()
        .allMatch(DeploymentFilesTest::isKnownEnvVar, "a variable the connector reads");
    Matcher keys = Pattern.compile("`((?:connector|qoder|sessions|sources|kafka|schema-registry|ops|log)\\.[a-z0-9.-]+)")
        .matcher(doc);
    int found = 0;
    while (keys.find()) {
      String key = keys.group(1).replaceAll("[.]$", "");
      assertThat(isKnownConfigKey(key) || knownConfigKeys().contains(key + ".")).as(key).isTrue();
      found++;
    }
    assertThat(found).isGreaterThan(5);
    // Its YAML examples use only known keys (they name files that exist only on a real deployment,
    // so they are not loaded).
    Matcher yaml = Pattern.compile("```yaml\n(.*?)```", Pattern.DOTALL).matcher(doc);
    int examples = 0;
    while (yaml.find()) {
      assertThat(flatten(YAML.readTree(yaml.group(1))).keySet())
          .allMatch(DeploymentFilesTest::isKnownConfigKey, "a known configuration key");
      examples++;
    }
    assertThat(examples).isGreaterThanOrEqualTo(4);
  }

  /** Upper-case names in a text that look like the connector's environment variables. */
  private static Set<String> envVarsMentioned(String text) {
    Set<String> vars = new TreeSet<>();
    Matcher m = Pattern.compile("\\b(?:QODER|KAFKA|SCHEMA_REGISTRY|CONNECTOR|OPS|SESSIONS|SOURCES|LOG)_[A-Z0-9_]*[A-Z0-9]\\b")
        .matcher(text);
    while (m.find()) {
      vars.add(m.group());
    }
    return vars;
  }

  // ------------------------------------------------------------------ helpers

  /** Scraped qoder_ names reduced to their family (histogram and counter suffixes removed). */
  private static Set<String> scrapedFamilies() {
    return scrapedNames.stream().filter(n -> n.startsWith("qoder_")).map(DeploymentFilesTest::family)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  static String family(String name) {
    return name.replaceAll("_(bucket|count|sum|max)$", "");
  }

  private static JsonNode yaml(Path file) throws IOException {
    return YAML.readTree(file.toFile());
  }

  private static List<JsonNode> yamlDocuments(Path file) throws IOException {
    List<JsonNode> docs = new ArrayList<>();
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class)
        .readValues(new YAMLFactory().createParser(file.toFile()))) {
      while (it.hasNext()) {
        JsonNode n = it.next();
        if (n != null && !n.isNull() && !n.isEmpty()) {
          docs.add(n);
        }
      }
    }
    return docs;
  }

  /** Compose "environment" in map or list form. */
  private static Map<String, String> environment(JsonNode service) {
    Map<String, String> env = new LinkedHashMap<>();
    JsonNode e = service.get("environment");
    if (e == null) {
      return env;
    }
    if (e.isArray()) {
      e.forEach(item -> {
        String[] kv = item.asText().split("=", 2);
        env.put(kv[0], kv.length > 1 ? kv[1] : "");
      });
    } else {
      e.properties().forEach(f -> env.put(f.getKey(), f.getValue().asText()));
    }
    return env;
  }

  /** The value Compose uses when the variable is unset: {@code ${VAR:-default}} → default. */
  static String defaultOf(String value) {
    Matcher m = Pattern.compile("^\\$\\{[A-Z_]+:?-(.*)}$").matcher(value);
    return m.matches() ? m.group(1) : value;
  }

  private static List<String> strings(JsonNode node) {
    List<String> out = new ArrayList<>();
    if (node == null) {
      return out;
    }
    if (node.isArray()) {
      node.forEach(n -> out.add(n.asText()));
    } else {
      out.addAll(List.of(node.asText().trim().split("\\s+")));
    }
    return out;
  }

  private static List<String> publishedPorts(JsonNode service) {
    return strings(service.get("ports"));
  }

  /** {@code --flag value} and bare {@code --flag} pairs. */
  private static Map<String, String> flags(List<String> args) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      assertThat(a).as("argument " + i).startsWith("--");
      if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
        out.put(a, args.get(++i));
      } else {
        out.put(a, "");
      }
    }
    return out;
  }

  /** Dotted keys of the leaves; lists are leaves (sessions.ids). */
  static Map<String, JsonNode> flatten(JsonNode node) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    flatten("", node, out);
    return out;
  }

  private static void flatten(String prefix, JsonNode node, Map<String, JsonNode> out) {
    if (node.isObject()) {
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
      }
    } else {
      out.put(prefix, node);
    }
  }

  static void collect(JsonNode node, List<String> exprs) {
    if (node.isObject()) {
      node.properties().forEach(e -> {
        if ((e.getKey().equals("expr") || e.getKey().equals("definition")) && e.getValue().isTextual()) {
          exprs.add(e.getValue().asText());
        } else {
          collect(e.getValue(), exprs);
        }
      });
    } else if (node.isArray()) {
      node.forEach(n -> collect(n, exprs));
    }
  }

  static boolean balanced(String expr) {
    StringBuilder stack = new StringBuilder();
    boolean quoted = false;
    for (char c : expr.toCharArray()) {
      if (c == '"') {
        quoted = !quoted;
      } else if (!quoted && (c == '(' || c == '{' || c == '[')) {
        stack.append(c);
      } else if (!quoted && (c == ')' || c == '}' || c == ']')) {
        if (stack.isEmpty()) {
          return false;
        }
        char open = stack.charAt(stack.length() - 1);
        if ((open == '(' && c != ')') || (open == '{' && c != '}') || (open == '[' && c != ']')) {
          return false;
        }
        stack.setLength(stack.length() - 1);
      }
    }
    return stack.isEmpty() && !quoted;
  }

  @Test
  void productionImageCopiesOnlyTheProductionJarAndRunsIt() throws IOException {
    List<String> lines = dockerfileInstructions("deploy/Dockerfile");
    List<String> fromBuild = lines.stream().filter(l -> l.startsWith("COPY --from=")).toList();
    assertThat(fromBuild).containsExactly("COPY --from=build /src/target/qoder-kafka.jar /app/qoder-kafka.jar");
    assertThat(lines).filteredOn(l -> l.startsWith("COPY ") || l.startsWith("ADD "))
        .noneMatch(l -> l.contains("tools") || l.contains("*.jar"));
    assertThat(lines).filteredOn(l -> l.startsWith("ENTRYPOINT "))
        .containsExactly("ENTRYPOINT [\"java\", \"-jar\", \"/app/qoder-kafka.jar\"]");
  }

  @Test
  void toolsImageRunsTheToolsJar() throws IOException {
    List<String> lines = dockerfileInstructions("deploy/tools.Dockerfile");
    assertThat(lines).filteredOn(l -> l.startsWith("COPY --from="))
        .containsExactly("COPY --from=build /src/target/qoder-kafka-tools.jar /app/qoder-kafka-tools.jar");
    assertThat(lines).filteredOn(l -> l.startsWith("ENTRYPOINT "))
        .containsExactly("ENTRYPOINT [\"java\", \"-jar\", \"/app/qoder-kafka-tools.jar\"]");
  }

  private static List<String> dockerfileInstructions(String file) throws IOException {
    // Join continuation lines, drop comments and blank lines.
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String raw : Files.readAllLines(ROOT.resolve(file))) {
      String line = raw.strip();
      if (current.isEmpty() && (line.isEmpty() || line.startsWith("#"))) {
        continue;
      }
      if (line.endsWith("\\")) {
        current.append(line, 0, line.length() - 1).append(' ');
      } else {
        current.append(line);
        out.add(current.toString().replaceAll("\\s+", " ").trim());
        current.setLength(0);
      }
    }
    return out;
  }

  private static String pomText() throws IOException {
    return Files.readString(ROOT.resolve("pom.xml"));
  }

  private static String pomProperty(String name) throws IOException {
    Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(pomText());
    assertThat(m.find()).as("pom property " + name).isTrue();
    return m.group(1).trim();
  }
}

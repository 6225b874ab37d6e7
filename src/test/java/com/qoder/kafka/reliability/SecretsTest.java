package com.qoder.kafka.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.IntegrationTest;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.qoder.kafka.api.QoderApiOptions;
import com.qoder.kafka.config.ConnectorConfig;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.KafkaClientProperties;
import com.qoder.kafka.kafka.KafkaSinkOptions;
import com.qoder.kafka.kafka.KafkaTestSupport;
import com.qoder.kafka.registry.RegistryAuth;
import com.qoder.kafka.registry.RegistryOptions;
import com.qoder.kafka.registry.RegistryTestServer;
import com.qoder.kafka.runtime.Connector;
import com.qoder.kafka.sim.Faults.Trigger;
import com.qoder.kafka.sim.QoderSimulator;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Secrets stay secret through a whole run with faults, and TLS verification cannot be switched off
 * quietly.
 *
 * <p>A run with a distinctive API token, registry password and Kafka client password, against
 * 429s, 5xx, an oversized event (dead letter) and finally a revoked token (a fatal 401), with the
 * connector's loggers at DEBUG: none of the secrets appears in any log line, argument or stack
 * trace, in the ops endpoints (/metrics, /api/status, /health/ready, /), in the fatal exception, in
 * any record of any topic the connector wrote (events, errors, dead letters, offsets), or in the
 * {@code toString()} of the configuration objects.
 *
 * <p>Checked elsewhere, not repeated here: the ops server answers every method but GET with 405
 * (ops/OpsServerTest#nonGetMethodsAre405WithAllowGet); a configuration or token file readable by
 * every user produces a warning (config/ConfigLoaderTest#tokenFileIsReadAndWorldReadableSecretsWarn);
 * a child JVM's whole output is checked for the token in ProcessFaultsTest.
 */
@IntegrationTest
class SecretsTest {

  private final String bootstrap = KafkaTestSupport.sharedBroker().bootstrapServers();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Map<String, Level> savedLevels = new HashMap<>();

  @BeforeEach
  void captureLogs() {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    logs.setContext(ctx);
    logs.start();
    ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(logs);
    for (String name : List.of("com.qoder", "reactor.netty.http.client")) {
      Logger l = ctx.getLogger(name);
      savedLevels.put(name, l.getLevel());
      l.setLevel(Level.DEBUG);
    }
  }

  @AfterEach
  void restoreLogs() {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(logs);
    savedLevels.forEach((name, level) -> ctx.getLogger(name).setLevel(level));
    logs.stop();
  }

  @Test
  void secretsAppearInNoLogMetricExceptionRecordOrToString() throws Exception {
    String token = "qpat_" + hex();
    String registryPassword = "regpw_" + hex();
    String kafkaPassword = "kafkapw_" + hex();
    List<String> secrets = List.of(token, registryPassword, kafkaPassword);
    try (QoderSimulator sim = Fixtures.simulator(101, 3, 60).token(token)
            .faults(f -> f.rateLimit(Trigger.next(3), 0).serverError(Trigger.next(3))).build().start();
        RegistryTestServer registry = RegistryTestServer.start()) {
      Pipeline p = Pipeline.of("secrets", bootstrap, sim, registry.url())
          .set(Settings.REGISTRY_BASIC_AUTH.key(), "qoder:" + registryPassword)
          .set("kafka.properties.ssl.key.password", kafkaPassword)
          .set(Settings.OPS_ENABLED.key(), "true")
          .set(Settings.MAX_RECORD_BYTES.key(), "1MiB"); // the 1.2 MB event below is dead-lettered
      ConnectorConfig config = p.config();
      sim.appendEvents(sim.sessionIds().get(0), 1,
          com.qoder.kafka.sim.EventSpec.ofType("agent.message").withContentBytes(1_200_000));
      List<String> seen = new ArrayList<>();
      Throwable fatal;
      try (Connector connector = Connector.start(config)) {
        Fixtures.await(Duration.ofSeconds(60), "the history and the dead letter",
            () -> connector.status().delivered() >= sim.totalEvents() - 1 && connector.status().deadLettered() == 1);
        for (String path : List.of("/metrics", "/api/status", "/health/ready", "/health/live", "/")) {
          HttpResponse<String> r = Fixtures.opsGet(connector, path);
          seen.add(path + ": " + r.statusCode() + " " + r.body());
        }
        sim.faults().revokeToken();
        Fixtures.await(Duration.ofSeconds(30), "the fatal 401", () -> connector.fatalError().isPresent());
        fatal = connector.fatalError().orElseThrow();
        assertThat(connector.awaitStop()).isPresent();
      }
      assertThat(fatal.getMessage()).contains("401");
      for (Throwable t = fatal; t != null; t = t.getCause()) {
        seen.add("exception: " + t + " " + t.getMessage());
      }
      for (String topic : List.of(p.eventsTopic(), p.errorsTopic(), p.deadLetterTopic(), p.offsetsTopic())) {
        for (ConsumerRecord<byte[], byte[]> r : KafkaTestSupport.consumeAll(bootstrap, topic, Duration.ofSeconds(30))) {
          StringBuilder sb = new StringBuilder(topic).append(" record: ");
          if (r.value() != null) {
            sb.append(new String(r.value(), StandardCharsets.ISO_8859_1));
          }
          for (Header h : r.headers()) {
            sb.append(' ').append(h.key()).append('=').append(new String(h.value(), StandardCharsets.ISO_8859_1));
          }
          seen.add(sb.toString());
        }
      }
      seen.add(config.toString());
      seen.add(config.effective());
      seen.add(config.secret(Settings.QODER_TOKEN).toString());
      seen.add(QoderApiOptions.builder(sim.baseUrl(), config.secret(Settings.QODER_TOKEN)).build().toString());
      seen.add(RegistryOptions.of(registry.url())
          .withAuth(RegistryAuth.basicUserInfo(config.secret(Settings.REGISTRY_BASIC_AUTH))).toString());
      KafkaClientProperties clientProps = KafkaClientProperties.of(config.kafkaProperties());
      seen.add(clientProps.toString());
      seen.add(KafkaSinkOptions.defaults(bootstrap).withClientProperties(clientProps).toString());
      for (ILoggingEvent e : logs.list) {
        seen.add("log " + e.getLevel() + " " + e.getLoggerName() + ": " + e.getFormattedMessage() + " mdc="
            + e.getMDCPropertyMap()
            + (e.getThrowableProxy() == null ? "" : "\n" + ThrowableProxyUtil.asString(e.getThrowableProxy())));
      }

      assertThat(logs.list).as("log events captured at DEBUG").hasSizeGreaterThan(50);
      assertThat(seen).as("the dead letter was read").anyMatch(s -> s.contains("dlq.reason=RECORD_TOO_LARGE"));
      for (String s : seen) {
        for (String secret : secrets) {
          assertThat(s).as("a secret leaked").doesNotContain(secret);
        }
      }
      MatrixRow.report("SECRETS", "token, registry password, Kafka password: absent from " + logs.list.size()
          + " log events (DEBUG), ops endpoints, fatal 401, every record written, config toString()", 0, 0, 0);
    }
  }

  /** qoder.tls.insecure-skip-verify is never silent: a configuration warning and the client's own WARN. */
  @Test
  void insecureTlsIsLoud() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    try (QoderSimulator sim = Fixtures.simulator(102, 1, 1).build().start()) {
      Pipeline p = Pipeline.of("insecure-tls", bootstrap, sim, "mock://secrets")
          .set(Settings.QODER_BASE_URL.key(), "https://127.0.0.1:" + closed)
          .set(Settings.QODER_TLS_INSECURE.key(), "true");
      ConnectorConfig config = p.config();
      assertThat(config.warnings()).anyMatch(w -> w.contains("qoder.tls.insecure-skip-verify=true"));
      try (Connector connector = Connector.start(config)) {
        assertThat(warnings()).anyMatch(m -> m.contains("TLS VERIFICATION IS OFF"))
            .anyMatch(m -> m.contains("qoder.tls.insecure-skip-verify=true"));
      }
    }
    logs.list.clear();
    try (QoderSimulator sim = Fixtures.simulator(103, 1, 1).build().start()) {
      Pipeline p = Pipeline.of("secure-tls", bootstrap, sim, "mock://secrets")
          .set(Settings.QODER_BASE_URL.key(), "https://127.0.0.1:" + closed);
      try (Connector connector = Connector.start(p.config())) {
        assertThat(warnings()).noneMatch(m -> m.contains("TLS VERIFICATION IS OFF") || m.contains("insecure"));
      }
    }
  }

  private List<String> warnings() {
    return logs.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
  }

  private static String hex() {
    return UUID.randomUUID().toString().replace("-", "");
  }
}

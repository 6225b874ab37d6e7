package com.qoder.kafka.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.IntegrationTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.qoder.kafka.config.ConfigLoader;
import com.qoder.kafka.config.ConnectorConfig;
import com.qoder.kafka.kafka.EmbeddedKafka;
import com.qoder.kafka.kafka.KafkaTestSupport;
import com.qoder.kafka.runtime.Connector;
import com.qoder.kafka.sim.QoderSimulator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The offsets and status commands against a real broker, the simulator over HTTP and the real
 * connector: a reset changes what the next run produces, for the reset sessions only, and rewrites
 * are refused while a member of the connector's consumer group exists.
 */
@IntegrationTest
class OffsetsCommandTest {

  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final int EVENTS = 20;

  private final String name = "offsets-" + UUID.randomUUID().toString().substring(0, 8);
  private final String eventsTopic = name + ".events";
  private EmbeddedKafka kafka;
  private QoderSimulator sim;
  private List<String> sessions;
  private Map<String, String> settings;

  @BeforeEach
  void start() {
    kafka = KafkaTestSupport.sharedBroker();
    sim = QoderSimulator.builder().seed(11).sessions(3).eventsPerSession(EVENTS).terminatedFraction(0)
        .releasedFraction(0).build().start();
    sessions = List.copyOf(sim.sessionIds());
    settings = new LinkedHashMap<>();
    settings.put("connector.name", name);
    settings.put("qoder.base-url", sim.baseUrl());
    settings.put("qoder.token", sim.token());
    settings.put("sessions.ids", String.join(",", sessions));
    settings.put("sessions.poll-interval-min", "100ms");
    settings.put("sessions.poll-interval-max", "300ms");
    settings.put("kafka.bootstrap-servers", kafka.bootstrapServers());
    settings.put("kafka.topics.events", eventsTopic);
    settings.put("kafka.topics.errors", name + ".errors");
    settings.put("kafka.topics.dead-letter", name + ".dlq");
    settings.put("kafka.topic-partitions", "3");
    settings.put("kafka.offsets-partitions", "3");
    settings.put("schema-registry.url", "mock://" + name);
    // Only the events source: the positions listed below are the sessions' own.
    settings.put("sources.resources.enabled", "false");
    settings.put("sources.files.enabled", "false");
    settings.put("sources.sessions.enabled", "false");
    settings.put("ops.port", "0");
    settings.put("connector.shutdown-timeout", "10s");
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  @Test
  void resetToEarliestToAnEventAndToLatestChangeWhatTheNextRunProducesForThoseSessionsOnly() throws Exception {
    String s1 = sessions.get(0);
    String s2 = sessions.get(1);
    String s3 = sessions.get(2);
    try (Connector connector = Connector.start(config())) {
      awaitCounts(Map.of(s1, EVENTS, s2, EVENTS, s3, EVENTS));
      awaitStoredDelivered(Map.of(s1, EVENTS, s2, EVENTS, s3, EVENTS));
      assertThat(connector.fatalError()).isEmpty();
    }

    Cli.Result list = cli("offsets", "list");
    assertThat(list.exit()).as(list.toString()).isZero();
    assertThat(list.out().lines().filter(l -> l.startsWith("events/")).toList()).hasSize(3)
        .allSatisfy(l -> assertThat(l.split("\\s+")[4]).isEqualTo(Integer.toString(EVENTS)));
    assertThat(list.out()).startsWith("KEY").contains("# 3 position(s) in qoder-kafka." + name + ".offsets");

    Cli.Result show = cli("offsets", "show", s1);
    assertThat(show.exit()).as(show.toString()).isZero();
    JsonNode shown = new ObjectMapper().readTree(show.out());
    assertThat(shown.path("key").asText()).isEqualTo("events/" + s1);
    assertThat(shown.path("value").path("cursor").asText()).isEqualTo(eventId(s1, EVENTS - 1));
    assertThat(shown.path("value").path("counters").path("delivered").asLong()).isEqualTo(EVENTS);
    assertThat(shown.path("value").path("attributes").path("window").asText()).isNotEmpty();

    // While the connector is stopped: s3 gets 5 events that a reset to latest skips.
    sim.appendEvents(s3, 5);
    String s2Position = eventId(s2, 14); // the 15th event: the 5 after it are produced again

    Cli.Result dryRun = cli("offsets", "reset", s1, "--to", "earliest", "--dry-run");
    assertThat(dryRun.out()).contains("events/" + s1 + ": after " + eventId(s1, EVENTS - 1)
        + " -> (before the first event)").contains("# dry run");
    assertThat(cli("offsets", "reset", s1, "--to", "earliest").exit()).isZero();
    Cli.Result toEvent = cli("offsets", "reset", s2, "--to", s2Position);
    assertThat(toEvent.exit()).as(toEvent.toString()).isZero();
    assertThat(toEvent.out()).contains("events/" + s2 + ": after " + eventId(s2, EVENTS - 1) + " -> after " + s2Position)
        .contains("# 1 position(s) reset");
    Cli.Result toLatest = cli("offsets", "reset", s3, "--to", "latest");
    assertThat(toLatest.exit()).as(toLatest.toString()).isZero();
    assertThat(toLatest.out()).contains("-> after " + eventId(s3, EVENTS + 4));

    Cli.Result reset = cli("offsets", "show", s1);
    JsonNode value = new ObjectMapper().readTree(reset.out()).path("value");
    assertThat(value.path("cursor").isNull()).isTrue();
    assertThat(value.path("attributes").path("window").asText()).isEmpty();
    assertThat(value.path("counters").path("delivered").asLong()).as("counters never go back").isEqualTo(EVENTS);

    try (Connector connector = Connector.start(config())) {
      // s1 whole history again, s2 the 5 events after the position, s3 nothing of the skipped 5.
      awaitStoredDelivered(Map.of(s1, 2 * EVENTS, s2, EVENTS + 5));
      sim.appendEvents(s3, 2); // s3 is still followed: events after the new position arrive
      awaitStoredDelivered(Map.of(s3, EVENTS + 2));
      assertThat(countsBySession()).isEqualTo(new TreeMap<>(Map.of(s1, 2 * EVENTS, s2, EVENTS + 5, s3, EVENTS + 2)));
      assertThat(connector.fatalError()).isEmpty();
    }
  }

  @Test
  void rewritesAreRefusedWhileTheConnectorsGroupHasMembersAndStatusListsThem() throws Exception {
    String s1 = sessions.get(0);
    ConnectorConfig config = config();
    try (Connector connector = Connector.start(config)) {
      awaitStoredDelivered(Map.of(s1, EVENTS));
      String url = "http://127.0.0.1:" + connector.opsPort().orElseThrow();

      // The running connector is itself a member of qoder-kafka.<name> on the offsets topic.
      Cli.Result status = cli("status", "--url", url);
      assertThat(status.exit()).as(status.toString()).isZero();
      assertThat(status.out()).contains("connector " + name + " at " + url)
          .containsPattern("events {5}\\d+ delivered")
          .contains("consumer group qoder-kafka." + name + " (stable): 1 member(s)")
          .containsPattern("qoder-kafka\\." + name + "\\.offsets\\[0,1,2\\]");

      Cli.Result refused = cli("offsets", "reset", s1, "--to", "earliest");
      assertThat(refused.exit()).as(refused.toString()).isEqualTo(1);
      assertThat(refused.err()).contains("refused: 1 instance(s) of connector '" + name + "' are running")
          .contains("consumer group 'qoder-kafka." + name + "'").contains("Stop them first");
      assertThat(cli("offsets", "delete", s1).err()).contains("refused:");
    }
    // The connector left the group on close: the position is unchanged, and a rewrite is allowed again.
    assertThat(storedDelivered(s1)).isEqualTo(EVENTS);
    Cli.Result allowed = cli("offsets", "reset", s1, "--to", "earliest", "--dry-run");
    assertThat(allowed.exit()).as(allowed.toString()).isZero();
    Cli.Result down = cli("status", "--url", "http://127.0.0.1:1", "--no-group");
    assertThat(down.exit()).isEqualTo(1);
    assertThat(down.err()).contains("no instance answers at http://127.0.0.1:1/api/status");
  }

  @Test
  void unknownSessionsAndEventsAreRefusedWithoutWriting() {
    try (Connector connector = Connector.start(config())) {
      awaitStoredDelivered(Map.of(sessions.get(0), EVENTS));
    }
    Cli.Result unknownEvent = cli("offsets", "reset", sessions.get(0), "--to", "evt_00000000000000000000000000000000");
    assertThat(unknownEvent.exit()).as(unknownEvent.toString()).isEqualTo(1);
    assertThat(unknownEvent.err()).contains("does not accept event 'evt_00000000000000000000000000000000' as a position"
        + " in session " + sessions.get(0));
    Cli.Result unknownSession = cli("offsets", "reset", "sess_0123456789abcdef0123456789abcdef", "--to", "latest");
    assertThat(unknownSession.exit()).as(unknownSession.toString()).isEqualTo(1);
    assertThat(unknownSession.err()).contains("session sess_0123456789abcdef0123456789abcdef does not exist");
    assertThat(cli("offsets", "reset", "--all", "--to", "evt_1").err()).contains("name the session instead of --all");
    assertThat(cli("offsets", "reset", "--to", "earliest").exit()).isEqualTo(2);
    assertThat(storedDelivered(sessions.get(0))).isEqualTo(EVENTS);
    assertThat(cli("offsets", "show", "sess_0123456789abcdef0123456789abcdef").err())
        .contains("no position stored for events/sess_0123456789abcdef0123456789abcdef");
  }

  // ------------------------------------------------------------------ helpers

  private ConnectorConfig config() {
    return ConfigLoader.load(null, Map.of(), settings);
  }

  private Cli.Result cli(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    settings.forEach((k, v) -> {
      all.add("--set");
      all.add(k + "=" + v);
    });
    return Cli.run(Map.of(), all.toArray(String[]::new));
  }

  private String eventId(String sessionId, int index) {
    return sim.eventsJson(sessionId).get(index).get("id").asText();
  }

  private Map<String, Integer> countsBySession() {
    return KafkaTestSupport.consumeAll(kafka.bootstrapServers(), eventsTopic, DEADLINE).stream()
        .collect(Collectors.groupingBy(r -> new String(r.key(), StandardCharsets.UTF_8), TreeMap::new,
            Collectors.summingInt(r -> 1)));
  }

  private void awaitCounts(Map<String, Integer> expected) {
    KafkaTestSupport.await(DEADLINE, () -> "events per session " + countsBySession() + ", expected " + expected,
        () -> expected.entrySet().stream().allMatch(e -> countsBySession().getOrDefault(e.getKey(), 0) >= e.getValue()));
  }

  /** Waits until the offsets topic says each session delivered exactly that many (so the run is done with it). */
  private void awaitStoredDelivered(Map<String, Integer> expected) {
    KafkaTestSupport.await(DEADLINE, () -> "stored positions, expected delivered " + expected + "\n" + cli("offsets", "list"),
        () -> expected.entrySet().stream().allMatch(e -> storedDelivered(e.getKey()) == e.getValue()));
  }

  private long storedDelivered(String sessionId) {
    Cli.Result r = cli("offsets", "show", sessionId);
    if (r.exit() != 0) {
      return -1;
    }
    try {
      return new ObjectMapper().readTree(r.out()).path("value").path("counters").path("delivered").asLong();
    } catch (Exception e) {
      throw new AssertionError(r.toString(), e);
    }
  }

  private KafkaConsumer<byte[], byte[]> groupMember(ConnectorConfig config, String clientId) {
    Map<String, Object> c = new java.util.HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c);
    consumer.subscribe(List.of(config.offsetsTopic()));
    long until = System.nanoTime() + DEADLINE.toNanos();
    while (consumer.assignment().isEmpty()) {
      if (System.nanoTime() > until) {
        consumer.close();
        throw new AssertionError("the test member did not join group " + config.groupId());
      }
      consumer.poll(Duration.ofMillis(100));
    }
    return consumer;
  }
}

package com.qoder.kafka.cli;

import com.qoder.kafka.config.ConfigException;
import com.qoder.kafka.config.ConfigLoader;
import com.qoder.kafka.config.ConnectorConfig;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.EmbeddedKafka;
import com.qoder.kafka.registry.RegistryAvroDecoder;
import com.qoder.kafka.registry.RegistryOptions;
import com.qoder.kafka.registry.SchemaRegistries;
import com.qoder.kafka.registry.SchemaRegistry;
import com.qoder.kafka.runtime.ClientOptions;
import com.qoder.kafka.runtime.Connector;
import com.qoder.kafka.runtime.ConnectorStatus;
import com.qoder.kafka.sim.LiveMode;
import com.qoder.kafka.sim.QoderSimulator;
import com.qoder.kafka.source.SessionStatus;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code qoder-kafka demo}: the whole pipeline on one machine with nothing installed — an
 * in-process KRaft broker on 127.0.0.1, the API simulator in live mode, an in-process
 * ({@code mock://}) Schema Registry, and the connector — printing what flows.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Runs the connector against an in-process Kafka broker and the Qoder API simulator",
        "in live mode, printing progress and a few decoded records. Stops after --duration or Ctrl-C."})
final class DemoCommand implements Callable<Integer> {

  @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "0s", converter = DurationConverter.class,
      description = "Stop by itself after this long (e.g. 60s, 5m, or 60 for seconds); 0s runs until Ctrl-C."
          + " Default: ${DEFAULT-VALUE}.")
  Duration duration;

  @Option(names = "--sessions", defaultValue = "20", description = "Sessions the simulator starts with. Default: ${DEFAULT-VALUE}.")
  int sessions;

  @Option(names = "--events-per-session", defaultValue = "40",
      description = "History of each starting session. Default: ${DEFAULT-VALUE}.")
  int eventsPerSession;

  @Option(names = "--event-rate", defaultValue = "40", description = "Live events per second. Default: ${DEFAULT-VALUE}.")
  double eventRate;

  @Option(names = "--show-records", defaultValue = "5", description = "Decoded records to print. Default: ${DEFAULT-VALUE}.")
  int showRecords;

  @Option(names = "--seed", defaultValue = "42", description = "Simulator seed. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--registry", paramLabel = "URL",
      description = {"A running Schema Registry (e.g. http://localhost:8081) instead of the in-process one; the",
          "record printer and the final tally read through it too. Same as --set schema-registry.url=URL."})
  String registryUrl;

  /** The demo's own in-process registry, used when no registry is given. */
  static final String IN_PROCESS_REGISTRY = "mock://demo";

  @Mixin CommonOptions common;

  @Override
  public Integer call() throws Exception {
    common.applyLogging();
    PrintStream out = System.out;
    Duration runFor = duration;
    out.println("qoder-kafka demo: starting an in-process Kafka broker (KRaft, 127.0.0.1) ...");
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
        QoderSimulator sim = QoderSimulator.builder().seed(seed).sessions(sessions).eventsPerSession(eventsPerSession)
            .historyEnd(java.time.Instant.now())
            .liveMode(LiveMode.events(eventRate).withNewSessionsPerSecond(0.2).withReleasesPerSecond(0.05)
                .withTerminationsPerSecond(0.05))
            .build().start()) {
      out.printf("  Kafka broker      %s%n", kafka.bootstrapServers());
      out.printf("  Qoder simulator   %s (%d sessions, %.0f live events/s)%n", sim.baseUrl(), sessions, eventRate);
      Map<String, String> o = new HashMap<>();
      o.put(Settings.QODER_BASE_URL.key(), sim.baseUrl());
      o.put(Settings.QODER_TOKEN.key(), sim.token());
      o.put(Settings.KAFKA_BOOTSTRAP.key(), kafka.bootstrapServers());
      // The demo's in-process registry is deliberate (nothing installed); run refuses one unless allowed.
      o.put(Settings.REGISTRY_URL.key(), registryUrl != null ? registryUrl : IN_PROCESS_REGISTRY);
      o.put(Settings.REGISTRY_ALLOW_IN_PROCESS.key(), "true");
      o.put(Settings.CONNECTOR_NAME.key(), "demo");
      // Every organization of the simulator: the final tally compares with all the events it created.
      o.put(Settings.QODER_ORGANIZATION_IDS.key(), String.join(",", sim.organizations()));
      o.put(Settings.POLL_MIN.key(), "500ms");
      o.put(Settings.POLL_MAX.key(), "5s");
      o.put(Settings.DISCOVERY_INTERVAL.key(), "5s");
      o.put(Settings.TOPIC_PARTITIONS.key(), "3");
      o.put(Settings.OFFSETS_PARTITIONS.key(), "3");
      o.put(Settings.SHUTDOWN_TIMEOUT.key(), "10s");
      o.putAll(common.overrides());
      ConnectorConfig config;
      try {
        // The demo's own values win over the environment, except the ones a user sets on purpose.
        Map<String, String> env = new HashMap<>();
        for (String k : List.of("OPS_PORT", "OPS_BIND_ADDRESS", "LOG_FORMAT")) {
          String v = System.getenv(k);
          if (v != null) {
            env.put(k, v);
          }
        }
        config = ConfigLoader.load(null, env, o);
      } catch (ConfigException e) {
        System.err.println(e.getMessage());
        return 2;
      }
      RegistryOptions registryOptions;
      try {
        registryOptions = ClientOptions.registry(config);
      } catch (IllegalArgumentException e) {
        System.err.println(e.getMessage());
        return 2;
      }
      out.println(registryLine(registryOptions));
      // The printer and the tally read through the registry the connector writes to (its URL, auth, TLS).
      try (Connector connector = Connector.start(config);
          SchemaRegistry registry = SchemaRegistries.create(registryOptions)) {
        connector.opsPort().ifPresent(p -> out.printf("  Status page       http://127.0.0.1:%d/  (metrics: /metrics)%n", p));
        out.printf("  Topics            %s, %s, %s, %s%n%n", config.string(Settings.TOPIC_EVENTS),
            config.string(Settings.TOPIC_ERRORS), config.string(Settings.TOPIC_DEAD_LETTER), config.offsetsTopic());
        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean interrupted = new AtomicBoolean();
        Thread hook = new Thread(() -> {
          interrupted.set(true);
          stop.set(true);
        });
        Runtime.getRuntime().addShutdownHook(hook);
        Thread printer = new Thread(() -> printRecords(kafka.bootstrapServers(), config.string(Settings.TOPIC_EVENTS),
            new RegistryAvroDecoder(registry), stop, out), "demo-records");
        printer.setDaemon(true);
        printer.start();
        long start = System.nanoTime();
        long end = runFor.isZero() ? Long.MAX_VALUE : start + runFor.toNanos();
        while (!stop.get() && System.nanoTime() < end && connector.fatalError().isEmpty()) {
          Thread.sleep(Math.min(5000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
          out.println(progress(connector, (System.nanoTime() - start) / 1_000_000_000L));
        }
        stop.set(true);
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // already shutting down
        }
        if (connector.fatalError().isPresent()) {
          System.err.println("connector stopped: " + connector.fatalError().get().getMessage());
          return 1;
        }
        if (interrupted.get()) {
          out.printf("%ninterrupted; the connector delivered %d events (no final tally: the JVM is exiting).%n",
              connector.status().delivered());
          return 0;
        }
        // The verdict is exact only on a fixed source: stop the simulator's traffic, let the connector
        // read what is left, stop it (flush, final offsets), then read the topic back from the start.
        sim.liveMode(LiveMode.off());
        long created = sim.totalEvents();
        out.printf("%nstopping: the simulator's live traffic is off (%d events created); waiting up to %ds for the"
            + " connector to read the rest ...%n", created, DRAIN.toSeconds());
        drain(connector, created);
        connector.close();
        String topic = config.string(Settings.TOPIC_EVENTS);
        DemoTally tally = DemoTally.of(createdBySession(sim), readEventIds(kafka.bootstrapServers(), topic,
            new RegistryAvroDecoder(registry)));
        tally.lines(topic).forEach(out::println);
        if (!tally.complete()) {
          return 1;
        }
      }
    }
    out.println("demo finished.");
    return 0;
  }

  /** The start-up line that says which registry the demo writes to, and what an in-process one means. */
  static String registryLine(RegistryOptions options) {
    return options.isMock()
        ? "  Schema Registry   " + options.displayUrls() + " (in-process: its schema ids exist only inside this demo;"
            + " --registry URL uses a real one)"
        : "  Schema Registry   " + options.displayUrls();
  }

  /** At most this long for the connector to catch up after live traffic stopped. */
  static final Duration DRAIN = Duration.ofSeconds(60);
  /** ... and no longer than this without progress (a new session is discovered within 5 s, polled within 5 s). */
  static final Duration DRAIN_IDLE = Duration.ofSeconds(12);

  /** Waits until the connector has handled every created event, or made no progress for a while. */
  private static void drain(Connector connector, long created) throws InterruptedException {
    long deadline = System.nanoTime() + DRAIN.toNanos();
    long handled = -1;
    long lastProgress = System.nanoTime();
    while (System.nanoTime() < deadline && connector.fatalError().isEmpty()) {
      ConnectorStatus st = connector.status();
      long now = st.delivered() + st.deadLettered();
      if (now >= created) {
        return;
      }
      if (now != handled) {
        handled = now;
        lastProgress = System.nanoTime();
      } else if (System.nanoTime() - lastProgress > DRAIN_IDLE.toNanos()) {
        return;
      }
      Thread.sleep(200);
    }
  }

  private static Map<String, List<String>> createdBySession(QoderSimulator sim) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    sim.groundTruth().forEach((id, truth) -> m.put(id, truth.eventIds()));
    return m;
  }

  /**
   * Every record of the topic from the beginning to its end offsets (committed ones only), as the
   * {@code event_id} of its decoded value; null for a record that does not decode.
   */
  private static List<String> readEventIds(String bootstrap, String topic, RegistryAvroDecoder decoder) {
    Map<String, Object> props = consumerProps(bootstrap);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    List<String> ids = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30))
          .stream().map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + topic + " to its end within 60 s");
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          ids.add(eventId(decoder, r.value()));
        }
      }
    }
    return ids;
  }

  /** A consumer of string keys and raw (wire-format) values; callers add what their read needs. */
  private static Map<String, Object> consumerProps(String bootstrap) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return props;
  }

  private static String eventId(RegistryAvroDecoder decoder, byte[] value) {
    try {
      Object id = value == null ? null : decoder.decode(value).get("event_id");
      return id == null ? null : id.toString();
    } catch (RuntimeException undecodable) {
      return null;
    }
  }

  static String progress(Connector connector, long seconds) {
    ConnectorStatus st = connector.status();
    Map<SessionStatus, Long> by = connector.sessions().countByStatus();
    return String.format("[demo %02d:%02d] sessions %d polled (active %d, idle %d, terminated %d, released %d)"
            + " | %d events delivered | %.0f events/s | lag p50 %s p99 %s | dead letters %d | duplicates dropped %d",
        seconds / 60, seconds % 60, connector.sessions().polled(), by.get(SessionStatus.ACTIVE),
        by.get(SessionStatus.IDLE), by.get(SessionStatus.TERMINATED), by.get(SessionStatus.RELEASED),
        st.delivered(), st.eventsPerSecond(), seconds(st.lagSeconds(0.5)), seconds(st.lagSeconds(0.99)), st.deadLettered(),
        st.duplicates());
  }

  private static String seconds(double s) {
    return Double.isNaN(s) ? "-" : String.format("%.1fs", s);
  }

  private void printRecords(String bootstrap, String topic, RegistryAvroDecoder decoder, AtomicBoolean stop,
      PrintStream out) {
    Map<String, Object> props = consumerProps(bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "qoder-kafka-demo-printer");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    int shown = 0;
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(List.of(topic));
      while (!stop.get() && shown < showRecords) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          if (shown++ >= showRecords) {
            break;
          }
          GenericRecord v = decoder.decode(r.value());
          String text = v.toString();
          out.printf("  record %s-%d@%d key=%s schema-id=%d%n    %s%n", r.topic(), r.partition(), r.offset(), r.key(),
              RegistryAvroDecoder.schemaId(r.value()), text.length() > 400 ? text.substring(0, 400) + " …" : text);
        }
      }
    } catch (RuntimeException e) {
      if (!stop.get()) {
        out.println("  (record printer stopped: " + e.getMessage() + ")");
      }
    }
  }
}

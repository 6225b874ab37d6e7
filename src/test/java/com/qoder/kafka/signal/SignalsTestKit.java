package com.qoder.kafka.signal;

import com.qoder.kafka.config.ConfigLoader;
import com.qoder.kafka.config.ConnectorConfig;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.CloudEventsHeaders;
import com.qoder.kafka.kafka.EmbeddedKafka;
import com.qoder.kafka.runtime.Connector;
import com.qoder.kafka.sim.Endpoint;
import com.qoder.kafka.sim.QoderSimulator;
import com.qoder.kafka.sim.RequestRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Connector settings, topic readers and waits shared by the live-signal tests. */
final class SignalsTestKit {

  private SignalsTestKit() {}

  static String uniqueName(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  static Map<String, String> settings(QoderSimulator sim, EmbeddedKafka kafka, String name) {
    Map<String, String> o = new LinkedHashMap<>();
    o.put(Settings.QODER_BASE_URL.key(), sim.baseUrl());
    o.put(Settings.KAFKA_BOOTSTRAP.key(), kafka.bootstrapServers());
    o.put(Settings.REGISTRY_URL.key(), "mock://" + name);
    o.put(Settings.REGISTRY_ALLOW_IN_PROCESS.key(), "true");
    o.put(Settings.CONNECTOR_NAME.key(), name);
    o.put(Settings.DELIVERY.key(), "exactly-once");
    o.put(Settings.TOPIC_EVENTS.key(), name + ".events");
    o.put(Settings.TOPIC_ERRORS.key(), name + ".errors");
    o.put(Settings.TOPIC_DEAD_LETTER.key(), name + ".dlq");
    o.put(Settings.TOPIC_PARTITIONS.key(), "3");
    o.put(Settings.OFFSETS_PARTITIONS.key(), "6");
    o.put(Settings.POLL_MIN.key(), "200ms");
    o.put(Settings.POLL_MAX.key(), "500ms");
    o.put(Settings.DISCOVERY_INTERVAL.key(), "3s");
    o.put(Settings.QODER_RATE.key(), "2000");
    o.put(Settings.QODER_CONCURRENCY.key(), "16");
    o.put(Settings.QODER_BACKOFF_MAX.key(), "1s");
    o.put(Settings.CLUSTER_SESSION_TIMEOUT.key(), "6s");
    o.put(Settings.TRANSACTION_TIMEOUT.key(), "8s");
    o.put(Settings.SHUTDOWN_TIMEOUT.key(), "15s");
    o.put(Settings.OPS_ENABLED.key(), "false");
    o.put(Settings.SOURCE_RESOURCES.key(), "false");
    o.put(Settings.SOURCE_FILES.key(), "false");
    o.put(Settings.SOURCE_SESSIONS.key(), "false");
    return o;
  }

  static Connector start(Map<String, String> settings, QoderSimulator sim, String instanceId) {
    Map<String, String> o = new HashMap<>(settings);
    o.put(Settings.CLUSTER_INSTANCE_ID.key(), instanceId);
    ConnectorConfig config = ConfigLoader.load(null, Map.of("QODER_PAT", sim.token()), o);
    return Connector.start(config);
  }

  /** Writes a signal as the {@code signal} command does. */
  static Signal send(Map<String, String> settings, Signal s) {
    String name = settings.get(Settings.CONNECTOR_NAME.key());
    SignalRequests.write(settings.get(Settings.KAFKA_BOOTSTRAP.key()), Map.of(),
        "qoder-kafka." + name + ".signals", "qoder-kafka." + name + ".notifications", s, Duration.ofSeconds(10));
    return s;
  }

  /** Every committed answer to {@code signalId} so far, in order. */
  static List<Notification> answers(String bootstrap, String name, String signalId) {
    List<Notification> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : readAll(bootstrap, "qoder-kafka." + name + ".notifications")) {
      if (signalId.equals(new String(r.key(), StandardCharsets.UTF_8))) {
        out.add(Notification.fromJson(r.value()));
      }
    }
    return out;
  }

  /** One committed record of a session in the events topic: its event id and signal header (null: none). */
  record EventCopy(String eventId, String signal) {}

  static List<EventCopy> copies(String bootstrap, String eventsTopic, String sessionId) {
    List<EventCopy> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : readAll(bootstrap, eventsTopic)) {
      if (r.key() == null || !sessionId.equals(new String(r.key(), StandardCharsets.UTF_8))) {
        continue;
      }
      Header id = r.headers().lastHeader(CloudEventsHeaders.ID);
      Header sig = r.headers().lastHeader(Signals.SIGNAL_HEADER);
      out.add(new EventCopy(id == null ? "?" : new String(id.value(), StandardCharsets.UTF_8),
          sig == null ? null : new String(sig.value(), StandardCharsets.UTF_8)));
    }
    return out;
  }

  /** The topic's committed records up to its end offsets now. */
  static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
      List<TopicPartition> tps = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      Map<TopicPartition, Long> end = consumer.endOffsets(tps, Duration.ofSeconds(10));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("reading " + topic + " did not reach " + end);
        }
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  /** Events requests for {@code sessionId} that arrived after {@code after}. */
  static List<RequestRecord> eventsRequests(QoderSimulator sim, String sessionId, Instant after) {
    return sim.requestLog().stream()
        .filter(r -> r.endpoint() == Endpoint.EVENTS && sessionId.equals(r.sessionId()) && r.time().isAfter(after))
        .toList();
  }

  static void await(Duration deadline, Supplier<String> what, BooleanSupplier condition) {
    long until = System.nanoTime() + deadline.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > until) {
        throw new AssertionError("not within " + deadline + ": " + what.get());
      }
      try {
        Thread.sleep(100); // polling a condition with a deadline
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }

  /** The answer with {@code status}, once committed. */
  static Notification awaitAnswer(String bootstrap, String name, String signalId, Notification.Status status,
      Duration deadline) {
    Notification[] found = {null};
    await(deadline, () -> "answer " + status + " to " + signalId + "; so far "
        + answers(bootstrap, name, signalId), () -> {
          for (Notification n : answers(bootstrap, name, signalId)) {
            if (n.status() == status) {
              found[0] = n;
              return true;
            }
            if (n.status() == Notification.Status.FAILED) {
              throw new AssertionError("signal " + signalId + " failed: " + n.detail());
            }
          }
          return false;
        });
    return found[0];
  }
}

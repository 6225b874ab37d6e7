package com.qoder.kafka.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.IntegrationTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@IntegrationTest
class EmbeddedKafkaTest {

  private static EmbeddedKafka kafka;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start(EmbeddedKafka.Options.defaults().withNumPartitions(3));
  }

  @AfterAll
  static void closeBroker() {
    kafka.close();
  }

  @Test
  void listensOnLoopbackOnly() {
    assertThat(kafka.bootstrapServers()).startsWith("127.0.0.1:");
    assertThat(kafka.brokerPort()).isPositive();
    assertThat(kafka.isRunning()).isTrue();
  }

  @Test
  void autoCreationIsOffByDefault() throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      KafkaTestSupport.createTopic(admin, "explicit-topic", 2, Map.of());
      // Creation is acknowledged by the controller before every broker's metadata shows the topic.
      KafkaTestSupport.await(java.time.Duration.ofSeconds(30), "explicit-topic listed",
          () -> listTopics(admin).contains("explicit-topic"));
    }
    assertThat(EmbeddedKafka.Options.defaults().autoCreateTopics()).isFalse();
  }

  private static java.util.Set<String> listTopics(Admin admin) {
    try {
      return admin.listTopics().names().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      return java.util.Set.of();
    }
  }

  @Test
  void producesAndConsumesAndKeepsDataAndPortAcrossRestart() throws Exception {
    String topic = KafkaTestSupport.uniqueTopic("roundtrip");
    KafkaTestSupport.createTopic(kafka.bootstrapServers(), topic, 1, Map.of());
    String before = kafka.bootstrapServers();
    produce(topic, "k", "before-restart");

    kafka.stop();
    assertThat(kafka.isRunning()).isFalse();
    kafka.restart();

    assertThat(kafka.bootstrapServers()).isEqualTo(before);
    produce(topic, "k", "after-restart");
    List<ConsumerRecord<byte[], byte[]>> records =
        KafkaTestSupport.consumeAtLeast(kafka.bootstrapServers(), topic, 2, Duration.ofSeconds(30));
    assertThat(records).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
        .containsExactly("before-restart", "after-restart");
  }

  @Test
  void closeDeletesTheDataDirectory() {
    EmbeddedKafka other = EmbeddedKafka.start();
    assertThat(Files.isDirectory(other.dataDirectory())).isTrue();
    other.close();
    assertThat(Files.exists(other.dataDirectory())).isFalse();
    other.close(); // idempotent
  }

  private static void produce(String topic, String key, String value) throws Exception {
    Map<String, Object> config = Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config)) {
      producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8),
          value.getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
    }
  }
}

package com.qoder.kafka.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.qoder.kafka.IntegrationTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@IntegrationTest
class TopicAdminTest {

  private static String bootstrap;
  private static TopicAdmin admin;

  @BeforeAll
  static void connect() {
    bootstrap = KafkaTestSupport.sharedBroker().bootstrapServers();
    admin = TopicAdmin.create(bootstrap, KafkaClientProperties.empty(), Duration.ofSeconds(30));
  }

  @AfterAll
  static void disconnect() {
    admin.close();
  }

  @Test
  void describesTheConnectorsGroupWithItsMembersAndTheirPartitions() {
    String topic = KafkaTestSupport.uniqueTopic("group-offsets");
    String group = "qoder-kafka." + topic;
    KafkaTestSupport.createTopic(bootstrap, topic, 2, Map.of());
    assertThat(admin.describeGroup(group)).as("nobody joined yet")
        .satisfies(g -> assertThat(g.members()).isEmpty())
        .satisfies(g -> assertThat(g.hasMembers()).isFalse());

    Map<String, Object> config = new java.util.HashMap<>(KafkaTestSupport.consumerConfig(bootstrap));
    config.put(org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_ID_CONFIG, group);
    config.put(org.apache.kafka.clients.consumer.ConsumerConfig.CLIENT_ID_CONFIG, "instance-1");
    try (var member = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(config)) {
      member.subscribe(List.of(topic));
      KafkaTestSupport.await(Duration.ofSeconds(30), "the member gets its partitions", () -> {
        member.poll(Duration.ofMillis(100));
        return !member.assignment().isEmpty();
      });
      ConnectorGroup g = admin.describeGroup(group);
      assertThat(g.groupId()).isEqualTo(group);
      assertThat(g.state()).isEqualTo("STABLE");
      assertThat(g.members()).singleElement().satisfies(m -> {
        assertThat(m.clientId()).isEqualTo("instance-1");
        assertThat(m.host()).isEqualTo("/127.0.0.1");
        assertThat(m.describe()).isEqualTo("instance-1@/127.0.0.1");
        assertThat(m.assignmentText()).isEqualTo(topic + "[0,1]");
      });
    }
    assertThat(admin.describeGroup(group).hasMembers()).as("a closed consumer leaves the group").isFalse();
  }

  @Test
  void createsTheOffsetsTopicCompactedWithItsPartitions() {
    String topic = KafkaTestSupport.uniqueTopic("offsets");

    int partitions = admin.ensureOffsetsTopic(TopicSpec.offsets(topic, 4, (short) 1));

    assertThat(partitions).isEqualTo(4);
    assertThat(admin.cleanupPolicy(topic)).isEqualTo("compact");
    // A second start finds it and accepts it.
    assertThat(admin.ensureOffsetsTopic(TopicSpec.offsets(topic, 9, (short) 1))).isEqualTo(4);
  }

  @Test
  void refusesAnExistingOffsetsTopicThatIsNotCompacted() {
    String topic = KafkaTestSupport.uniqueTopic("offsets-delete");
    KafkaTestSupport.createTopic(bootstrap, topic, 1, Map.of("cleanup.policy", "delete"));

    assertThatThrownBy(() -> admin.ensureOffsetsTopic(TopicSpec.offsets(topic, 1, (short) 1)))
        .isInstanceOf(TopicConfigurationException.class)
        .hasMessageContaining("offsets topic '" + topic + "' has cleanup.policy=delete")
        .hasMessageContaining("needs a compacted topic")
        .hasMessageContaining("--add-config cleanup.policy=compact");
  }

  @Test
  void refusesCompactPlusDeleteToo() {
    String topic = KafkaTestSupport.uniqueTopic("offsets-both");
    KafkaTestSupport.createTopic(bootstrap, topic, 1, Map.of("cleanup.policy", "compact,delete"));

    assertThatThrownBy(() -> admin.ensureOffsetsTopic(TopicSpec.offsets(topic, 1, (short) 1)))
        .isInstanceOf(TopicConfigurationException.class)
        .hasMessageContaining("cleanup.policy=compact,delete");
  }

  @Test
  void missingDataTopicsAreListedWhenCreationIsOff() {
    String present = KafkaTestSupport.uniqueTopic("events");
    KafkaTestSupport.createTopic(bootstrap, present, 2, Map.of());
    String missingA = KafkaTestSupport.uniqueTopic("alerts");
    String missingB = KafkaTestSupport.uniqueTopic("dlq");

    assertThatThrownBy(() -> admin.ensureDataTopics(List.of(
        TopicSpec.data(present, 3, (short) 1), TopicSpec.data(missingA, 3, (short) 1),
        TopicSpec.data(missingB, 3, (short) 1)), false))
        .isInstanceOf(TopicConfigurationException.class)
        .hasMessageContaining("missing Kafka topics")
        .hasMessageContaining(missingA)
        .hasMessageContaining(missingB)
        .hasMessageNotContaining(present)
        .hasMessageContaining("topic creation is disabled");
    assertThat(KafkaTestSupport.topics(bootstrap)).doesNotContain(missingA, missingB);
  }

  @Test
  void createsMissingDataTopicsWhenAllowedAndReportsPartitions() {
    String present = KafkaTestSupport.uniqueTopic("events");
    KafkaTestSupport.createTopic(bootstrap, present, 2, Map.of());
    String missing = KafkaTestSupport.uniqueTopic("alerts");

    Map<String, Integer> partitions = admin.ensureDataTopics(List.of(
        TopicSpec.data(present, 6, (short) 1),
        new TopicSpec(missing, 3, (short) 1, Map.of("retention.ms", "3600000"))), true);

    assertThat(partitions).containsEntry(present, 2).containsEntry(missing, 3);
    assertThat(admin.partitionCount(missing)).contains(3);
    assertThat(admin.partitionCount(KafkaTestSupport.uniqueTopic("nope"))).isEmpty();
  }

  /**
   * Records sent by an idempotent producer right after the topic was created all arrive. Before the
   * creation waited for every partition's leader to answer, a first request could meet a partition
   * not yet open (NOT_LEADER_OR_FOLLOWER) while a later one was accepted; the retry of the first was
   * then refused as out of sequence until it expired (KAFKA-15591) — here, with a 20 s delivery
   * timeout, as lost records.
   */
  @Test
  void anIdempotentProducerCanWriteToEveryPartitionAsSoonAsTheTopicIsCreated() throws Exception {
    Map<String, Object> p = new java.util.HashMap<>();
    p.put(org.apache.kafka.clients.producer.ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(org.apache.kafka.clients.producer.ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(org.apache.kafka.clients.producer.ProducerConfig.LINGER_MS_CONFIG, 0);
    p.put(org.apache.kafka.clients.producer.ProducerConfig.BATCH_SIZE_CONFIG, 256);
    p.put(org.apache.kafka.clients.producer.ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000);
    p.put(org.apache.kafka.clients.producer.ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    int failed = 0;
    int sent = 0;
    try (org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]> producer =
        new org.apache.kafka.clients.producer.KafkaProducer<>(p, new org.apache.kafka.common.serialization.ByteArraySerializer(),
            new org.apache.kafka.common.serialization.ByteArraySerializer())) {
      for (int round = 0; round < 5; round++) {
        String topic = KafkaTestSupport.uniqueTopic("writable");
        admin.ensureDataTopics(List.of(TopicSpec.data(topic, 12, (short) 1)), true);
        List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> acks = new java.util.ArrayList<>();
        for (int i = 0; i < 600; i++) {
          acks.add(producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, i % 12, null,
              new byte[100])));
        }
        for (var ack : acks) {
          sent++;
          try {
            ack.get(60, java.util.concurrent.TimeUnit.SECONDS);
          } catch (java.util.concurrent.ExecutionException e) {
            failed++;
          }
        }
      }
    }
    assertThat(failed).as("records of %d not acknowledged", sent).isZero();
  }

  @Test
  void anUnreachableClusterIsAClearError() {
    try (TopicAdmin unreachable = TopicAdmin.create("127.0.0.1:1", KafkaClientProperties.empty(),
        Duration.ofSeconds(2))) {
      assertThatThrownBy(() -> unreachable.ensureDataTopics(List.of(TopicSpec.data("t", 1, (short) 1)), true))
          .isInstanceOf(TopicConfigurationException.class)
          .hasMessageContaining("127.0.0.1:1");
    }
  }

  @Test
  void specValidation() {
    assertThatThrownBy(() -> TopicSpec.data("bad name!", 1, (short) 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid topic name");
    assertThatThrownBy(() -> TopicSpec.data("t", 0, (short) 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("partitions");
    assertThat(TopicSpec.offsets("o", 1, (short) 1).configs()).containsEntry("cleanup.policy", "compact");
    assertThat(TopicSpec.data("t", TopicSpec.BROKER_DEFAULT, (short) TopicSpec.BROKER_DEFAULT).partitions())
        .isEqualTo(-1);
  }

  // ---- record size: max.message.bytes of the data topics (issue 12, defect 9) ------------------

  @Test
  void createsDataTopicsWithTheMaxMessageBytesTheirLargestRecordsNeed() {
    String topic = KafkaTestSupport.uniqueTopic("large-records");
    admin.ensureDataTopics(List.of(TopicSpec.data(topic, 1, (short) 1).withMaxRecordBytes(8 * 1024 * 1024)), true);

    assertThat(admin.maxMessageBytes(List.of(topic))).containsEntry(topic, 8 * 1024 * 1024 + 16 * 1024);
    TopicAdmin.RecordLimits limits = admin.checkRecordLimits(List.of(topic), 8 * 1024 * 1024);
    assertThat(limits.limits()).containsEntry(topic, 8 * 1024 * 1024);
    assertThat(limits.problems()).isEmpty();
  }

  @Test
  void anExistingTopicBelowTheRecordSizeIsReportedWithTheCommandThatFixesIt() {
    String small = KafkaTestSupport.uniqueTopic("small-records");
    KafkaTestSupport.createTopic(bootstrap, small, 1, Map.of()); // the broker's default: 1 MiB + 12
    String missing = KafkaTestSupport.uniqueTopic("never-created");

    TopicAdmin.RecordLimits limits = admin.checkRecordLimits(List.of(small, missing), 8 * 1024 * 1024);

    assertThat(limits.limits()).as("records up to what the topic surely takes after compression")
        .containsOnlyKeys(small).containsEntry(small, 1_048_588 - 16 * 1024);
    assertThat(limits.problems()).singleElement().asString()
        .contains("topic '" + small + "' has max.message.bytes=1048588")
        .contains("the broker's message.max.bytes is 1048588")
        .contains("records above 1032204 bytes")
        .contains("kafka-configs.sh --bootstrap-server " + bootstrap + " --alter --entity-type topics --entity-name "
            + small + " --add-config max.message.bytes=8404992")
        .contains("or set kafka.max-record-bytes to 1032204");
    assertThat(admin.brokerMessageMaxBytes()).hasValue(1_048_588);
  }
}

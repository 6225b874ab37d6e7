package com.qoder.kafka.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.qoder.kafka.IntegrationTest;
import com.qoder.kafka.kafka.EmbeddedKafka;
import com.qoder.kafka.kafka.KafkaTestSupport;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Fencing on a real broker: only the producer of another instance of the same connector whose open
 * transaction holds an assigned offsets partition is fenced, never this instance's own, another
 * connector's (even one whose name shares the prefix) or a foreign application's.
 */
@IntegrationTest
class ZombieFencerTest {

  @Test
  void fencesOnlyAnotherInstanceOfThisConnectorHoldingTheAssignedPartitions() throws Exception {
    EmbeddedKafka kafka = KafkaTestSupport.sharedBroker();
    String name = "fence-" + UUID.randomUUID().toString().substring(0, 8);
    String prefix = "qoder-kafka." + name + ".";
    String offsets = "qoder-kafka." + name + ".offsets";
    String cousinOffsets = "qoder-kafka." + name + ".b.offsets";
    List<KafkaProducer<byte[], byte[]>> producers = new ArrayList<>();
    try (Admin admin = KafkaTestSupport.admin(kafka.bootstrapServers())) {
      KafkaTestSupport.createTopic(admin, offsets, 2, Map.of("cleanup.policy", "compact"));
      KafkaTestSupport.createTopic(admin, cousinOffsets, 1, Map.of("cleanup.policy", "compact"));
      // Open transactions, each holding one partition.
      KafkaProducer<byte[], byte[]> dead = openTransaction(kafka, prefix + "dead", offsets, 0, producers);
      KafkaProducer<byte[], byte[]> own = openTransaction(kafka, prefix + "me", offsets, 0, producers);
      KafkaProducer<byte[], byte[]> elsewhere = openTransaction(kafka, prefix + "other", offsets, 1, producers);
      // Connector "<name>.b", instance "x": its id starts with this connector's prefix too.
      KafkaProducer<byte[], byte[]> cousin = openTransaction(kafka, prefix + "b.x", cousinOffsets, 0, producers);
      KafkaProducer<byte[], byte[]> stranger = openTransaction(kafka, "some-app-" + name, offsets, 0, producers);

      ZombieFencer fencer = new ZombieFencer(admin, offsets, prefix, prefix + "me", Duration.ofSeconds(10));
      assertThat(fencer.fence(Set.of(0))).containsExactly(prefix + "dead");

      assertThatThrownBy(dead::commitTransaction).as("the fenced producer cannot commit")
          .isInstanceOf(KafkaException.class);
      own.commitTransaction();
      elsewhere.commitTransaction();
      cousin.commitTransaction();
      stranger.commitTransaction();
      // Nothing open any more on partition 0: nothing more to fence.
      assertThat(fencer.fence(Set.of(0, 1))).isEmpty();
    } finally {
      for (KafkaProducer<byte[], byte[]> p : producers) {
        p.close(Duration.ofSeconds(5));
      }
    }
  }

  @Test
  void anUnreachableClusterIsAFencingFailureNotAHang() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 500, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 1000))) {
      ZombieFencer fencer = new ZombieFencer(admin, "t", "qoder-kafka.x.", "qoder-kafka.x.me", Duration.ofSeconds(1));
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> fencer.fence(Set.of(0))).isInstanceOf(ZombieFencer.FencingFailedException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    }
  }

  @Test
  void targetsNeedThePrefixAnotherIdAnOngoingTransactionAndAnAssignedPartition() {
    String prefix = "qoder-kafka.c.";
    Map<String, TransactionDescription> d = Map.of(
        prefix + "dead", ongoing(TransactionState.ONGOING, new TopicPartition("off", 3)),
        prefix + "me", ongoing(TransactionState.ONGOING, new TopicPartition("off", 3)),
        prefix + "done", ongoing(TransactionState.PREPARE_ABORT, new TopicPartition("off", 3)),
        prefix + "elsewhere", ongoing(TransactionState.ONGOING, new TopicPartition("off", 4)),
        prefix + "othertopic", ongoing(TransactionState.ONGOING, new TopicPartition("data", 3)),
        "qoder-kafka.cc.x", ongoing(TransactionState.ONGOING, new TopicPartition("off", 3)),
        prefix, ongoing(TransactionState.ONGOING, new TopicPartition("off", 3)));
    assertThat(ZombieFencer.targets(d, "off", Set.of(3), prefix, prefix + "me")).containsExactly(prefix + "dead");
    assertThatThrownBy(() -> new ZombieFencer(null, "off", prefix, "qoder-kafka.other.me", Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static TransactionDescription ongoing(TransactionState state, TopicPartition tp) {
    return new TransactionDescription(1, state, 7L, 0, 60_000, OptionalLong.of(0), Set.of(tp));
  }

  private static KafkaProducer<byte[], byte[]> openTransaction(EmbeddedKafka kafka, String transactionalId,
      String topic, int partition, List<KafkaProducer<byte[], byte[]>> all) throws Exception {
    KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId,
        ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 60_000,
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
    all.add(p);
    p.initTransactions();
    p.beginTransaction();
    p.send(new ProducerRecord<>(topic, partition, transactionalId.getBytes(StandardCharsets.UTF_8),
        "open".getBytes(StandardCharsets.UTF_8))).get();
    return p;
  }
}

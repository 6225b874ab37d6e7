package com.qoder.kafka.kafka;

import com.qoder.kafka.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Test support for every package that needs a real broker.
 *
 * <ul>
 *   <li>{@link #sharedBroker()}: one {@link EmbeddedKafka} for the whole test JVM (started on first
 *       use, closed by a shutdown hook). Tests that stop or restart a broker must start their own
 *       with {@link EmbeddedKafka#start(EmbeddedKafka.Options)} instead.
 *   <li>{@link #uniqueTopic(String)} so test classes sharing the broker never see each other's data.
 *   <li>{@link #consumeAll} / {@link #consumeAtLeast}: read a topic with a deadline, read_committed.
 *   <li>{@link #await}: poll a condition with a deadline instead of sleeping.
 * </ul>
 */
public final class KafkaTestSupport {

  private static EmbeddedKafka shared;

  private KafkaTestSupport() {}

  /**
   * The JVM-wide broker (3 partitions by default for auto-created topics; auto-creation off), tuned
   * so failures are detected in seconds: group sessions down to 1 s allowed (a test that kills a
   * member then waits its session timeout, not the broker's 6 s minimum), timed-out transactions
   * aborted within a second of their timeout.
   */
  public static synchronized EmbeddedKafka sharedBroker() {
    if (shared == null) {
      com.qoder.kafka.TestTier.requireIntegration("the shared Kafka broker");
      EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.defaults().withNumPartitions(3)
          .withBrokerProperty("group.min.session.timeout.ms", "1000")
          .withBrokerProperty("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000")
          .withBrokerProperty("transaction.remove.expired.transaction.cleanup.interval.ms", "60000"));
      Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "embedded-kafka-shutdown"));
      shared = kafka;
    }
    return shared;
  }

  public static String uniqueTopic(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  public static Admin admin(String bootstrapServers) {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
  }

  public static void createTopic(String bootstrapServers, String topic, int partitions, Map<String, String> configs) {
    try (Admin admin = admin(bootstrapServers)) {
      createTopic(admin, topic, partitions, configs);
    }
  }

  public static void createTopic(Admin admin, String topic, int partitions, Map<String, String> configs) {
    try {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(configs)))
          .all().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("cannot create topic " + topic, e.getCause());
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot create topic " + topic, e);
    }
  }

  /** Consumer properties reading committed data from the beginning, without a group. */
  public static Map<String, Object> consumerConfig(String bootstrapServers) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return config;
  }

  /**
   * Reads every committed record of {@code topic} present now (up to the end offsets taken at the
   * start), in partition order then offset order.
   */
  public static List<ConsumerRecord<byte[], byte[]>> consumeAll(String bootstrapServers, String topic, Duration deadline) {
    long until = System.nanoTime() + deadline.toNanos();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig(bootstrapServers))) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, deadline).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, deadline);
      List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp, deadline) < end.get(tp))) {
        if (System.nanoTime() > until) {
          throw new AssertionError("did not read " + topic + " to its end offsets " + end + " within " + deadline);
        }
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      out.sort((a, b) -> a.partition() != b.partition()
          ? Integer.compare(a.partition(), b.partition()) : Long.compare(a.offset(), b.offset()));
      return out;
    }
  }

  /** Polls {@code topic} from the beginning until at least {@code count} records arrived, or fails at the deadline. */
  public static List<ConsumerRecord<byte[], byte[]>> consumeAtLeast(
      String bootstrapServers, String topic, int count, Duration deadline) {
    long until = System.nanoTime() + deadline.toNanos();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig(bootstrapServers))) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, deadline).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
      while (out.size() < count) {
        if (System.nanoTime() > until) {
          throw new AssertionError("read only " + out.size() + " of " + count + " records from " + topic
              + " within " + deadline);
        }
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      return out;
    }
  }

  /** Topics present on the broker now. */
  public static Set<String> topics(String bootstrapServers) {
    try (Admin admin = admin(bootstrapServers)) {
      return admin.listTopics().names().get(30, TimeUnit.SECONDS).stream().collect(Collectors.toSet());
    } catch (Exception e) {
      throw new IllegalStateException("cannot list topics", e);
    }
  }

  /** Waits until {@code condition} holds, polling every 10 ms; fails with {@code what} at the deadline. */
  public static void await(Duration deadline, String what, BooleanSupplier condition) {
    await(deadline, () -> what, condition);
  }

  public static void await(Duration deadline, Supplier<String> what, BooleanSupplier condition) {
    Await.until(deadline, what, condition);
  }
}

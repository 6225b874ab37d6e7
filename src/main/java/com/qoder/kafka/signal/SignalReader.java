package com.qoder.kafka.signal;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reader thread of {@link Signals}: reads the whole signals topic from the beginning, without a
 * group (every instance sees every signal; the owner of a target acts on it), hands each record's
 * value to {@code accept} and calls {@code afterPoll} after every poll, until {@code closing}.
 */
final class SignalReader {

  // Logged under Signals, the name operators know for the signals' work.
  private static final Logger log = LoggerFactory.getLogger(Signals.class);

  private final SignalOptions options;
  private final BooleanSupplier closing;
  private final Consumer<byte[]> accept;
  private final Runnable afterPoll;
  private final Thread thread;

  SignalReader(SignalOptions options, BooleanSupplier closing, Consumer<byte[]> accept, Runnable afterPoll) {
    this.options = options;
    this.closing = closing;
    this.accept = accept;
    this.afterPoll = afterPoll;
    this.thread = new Thread(this::read, "qoder-kafka-signals-" + options.instanceId());
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  void join(long millis) throws InterruptedException {
    thread.join(millis);
  }

  private void read() {
    Map<String, Object> c = new HashMap<>(options.clientConfig());
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers());
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, "qoder-kafka-signals-" + options.instanceId());
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.remove(ConsumerConfig.GROUP_ID_CONFIG); // every instance reads every signal: no group
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
      List<TopicPartition> tps = consumer.partitionsFor(options.signalsTopic(), Duration.ofSeconds(30)).stream()
          .map(p -> new TopicPartition(options.signalsTopic(), p.partition())).toList();
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      log.info("reading signals from topic '{}' ({} partitions); answers go to '{}'", options.signalsTopic(),
          tps.size(), options.notificationsTopic());
      while (!closing.getAsBoolean()) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          accept.accept(r.value());
        }
        afterPoll.run();
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      if (!closing.getAsBoolean()) {
        log.error("reading signals from topic '{}' stopped: {}; signals are not acted on by instance {} until it"
            + " restarts", options.signalsTopic(), e.toString(), options.instanceId(), e);
      }
    }
  }
}

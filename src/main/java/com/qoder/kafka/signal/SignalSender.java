package com.qoder.kafka.signal;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes signals to the signals topic (the {@code signal} command): keyed by target, so the signals
 * of one session stay in order; acknowledged by all in-sync replicas before it returns.
 */
public final class SignalSender {

  private SignalSender() {}

  /**
   * Writes {@code signal}; returns where it went.
   *
   * @throws IllegalStateException naming the bootstrap servers when Kafka did not acknowledge it
   *     within {@code timeout}
   */
  public static RecordMetadata send(String bootstrapServers, Map<String, Object> clientConfig, String topic,
      Signal signal, Duration timeout) {
    Map<String, Object> c = new HashMap<>(clientConfig);
    c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    c.put(ProducerConfig.CLIENT_ID_CONFIG, "qoder-kafka-signal-cli");
    c.put(ProducerConfig.ACKS_CONFIG, "all");
    c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) timeout.toMillis());
    c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(timeout.toMillis(), 1000));
    c.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 1000 * 30));
    c.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    c.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(c)) {
      return producer.send(new ProducerRecord<>(topic, signal.target().getBytes(StandardCharsets.UTF_8),
          signal.toJson())).get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new IllegalStateException("signal " + signal.id() + " not written to topic '" + topic + "' at "
          + bootstrapServers + ": " + cause.getMessage() + " (is the connector running with signals enabled, so the"
          + " topic exists?)", cause);
    } catch (TimeoutException e) {
      throw new IllegalStateException("signal " + signal.id() + " not acknowledged by Kafka at " + bootstrapServers
          + " within " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while writing signal " + signal.id(), e);
    } catch (org.apache.kafka.common.KafkaException e) {
      throw new IllegalStateException("signal " + signal.id() + " not written to topic '" + topic + "' at "
          + bootstrapServers + ": " + e.getMessage(), e);
    }
  }
}

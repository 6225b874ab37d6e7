package com.qoder.kafka.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Immutable settings of a {@link KafkaSink}; every {@code with*} method returns a changed copy and
 * the constructor validates all fields together, listing every problem at once.
 *
 * <table>
 *   <caption>Defaults</caption>
 *   <tr><th>field</th><th>default</th><th>why</th></tr>
 *   <tr><td>clientId</td><td>{@value #DEFAULT_CLIENT_ID}</td><td>shows up in broker logs and quotas</td></tr>
 *   <tr><td>compression</td><td>{@value #DEFAULT_COMPRESSION}</td><td>lowest CPU per byte of the
 *       codecs with a useful ratio on Avro with text payloads, and the fastest for every
 *       downstream consumer to decompress; choose zstd when storage or network costs more than CPU</td></tr>
 *   <tr><td>linger</td><td>10 ms</td><td>fills batches under load, adds at most 10 ms when idle</td></tr>
 *   <tr><td>batchSizeBytes</td><td>256 KiB</td><td>large batches compress better; Kafka's 16 KiB is tuned for tiny records</td></tr>
 *   <tr><td>maxRequestSizeBytes</td><td>1 MiB</td><td>Kafka's own default, matching the broker's
 *       {@code message.max.bytes}; the largest record the sink sends (the connector sets it from
 *       {@code kafka.max-record-bytes}, 8 MiB, and creates its topics with a matching
 *       {@code max.message.bytes}, see {@link TopicSpec#maxMessageBytesFor})</td></tr>
 *   <tr><td>maxInFlightRecords</td><td>10 000</td><td>bound on records accepted but not yet acknowledged</td></tr>
 *   <tr><td>maxInFlightBytes</td><td>32 MiB</td><td>bound on their bytes: the heap the sink may hold during an outage</td></tr>
 *   <tr><td>deliveryTimeout</td><td>{@code Integer.MAX_VALUE} ms (~24.8 days)</td><td>a broker outage
 *       must hold records (bounded by the two limits above), never fail them</td></tr>
 *   <tr><td>requestTimeout</td><td>30 s</td><td>Kafka's default; a timed-out request is retried, not failed</td></tr>
 *   <tr><td>maxBlock</td><td>60 s</td><td>how long one {@code send} waits for metadata or buffer space
 *       before the sink logs and tries again</td></tr>
 *   <tr><td>transactionalId</td><td>null</td><td>set only in exactly-once mode</td></tr>
 * </table>
 *
 * <p>Fixed, not configurable, because the connector's guarantees rest on them: {@code acks=all},
 * {@code enable.idempotence=true}, {@code max.in.flight.requests.per.connection=5} (the most
 * idempotence keeps in order), unlimited {@code retries}, byte-array serializers.
 */
public record KafkaSinkOptions(
    String bootstrapServers,
    String clientId,
    KafkaClientProperties clientProperties,
    String compression,
    Duration linger,
    int batchSizeBytes,
    int maxRequestSizeBytes,
    int maxInFlightRecords,
    long maxInFlightBytes,
    Duration deliveryTimeout,
    Duration requestTimeout,
    Duration maxBlock,
    String transactionalId) {

  public static final String DEFAULT_CLIENT_ID = "qoder-kafka-connector";
  public static final String DEFAULT_COMPRESSION = "lz4";
  public static final Duration DEFAULT_LINGER = Duration.ofMillis(10);
  public static final int DEFAULT_BATCH_SIZE_BYTES = 256 * 1024;
  public static final int DEFAULT_MAX_REQUEST_SIZE_BYTES = 1024 * 1024;
  public static final int DEFAULT_MAX_IN_FLIGHT_RECORDS = 10_000;
  public static final long DEFAULT_MAX_IN_FLIGHT_BYTES = 32L * 1024 * 1024;
  public static final Duration DEFAULT_DELIVERY_TIMEOUT = Duration.ofMillis(Integer.MAX_VALUE);
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_MAX_BLOCK = Duration.ofSeconds(60);

  /** The producer settings the guarantees depend on; pass-through properties may not change them. */
  static final Set<String> PROTECTED_KEYS = Set.of(
      ProducerConfig.ACKS_CONFIG,
      ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
      ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION,
      ProducerConfig.RETRIES_CONFIG,
      ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
      ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
      ProducerConfig.TRANSACTIONAL_ID_CONFIG,
      ProducerConfig.BOOTSTRAP_SERVERS_CONFIG);

  private static final Set<String> COMPRESSIONS = Set.of("none", "gzip", "snappy", "lz4", "zstd");

  public KafkaSinkOptions {
    List<String> problems = new ArrayList<>();
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      problems.add("bootstrapServers is required (host:port[,host:port...])");
    }
    if (clientId == null || clientId.isBlank()) {
      problems.add("clientId must not be blank");
    }
    Objects.requireNonNull(clientProperties, "clientProperties");
    for (String key : clientProperties.keys()) {
      if (PROTECTED_KEYS.contains(key)) {
        problems.add("Kafka client property '" + key + "' cannot be overridden: the connector's "
            + "no-loss and ordering guarantees depend on it (remove it from the client properties)");
      }
    }
    if (compression == null || !COMPRESSIONS.contains(compression)) {
      problems.add("compression must be one of " + COMPRESSIONS + ", was '" + compression + "'");
    }
    checkDuration(problems, "linger", linger, true);
    if (batchSizeBytes < 1) {
      problems.add("batchSizeBytes must be >= 1, was " + batchSizeBytes);
    }
    if (maxRequestSizeBytes < 1024) {
      problems.add("maxRequestSizeBytes must be >= 1024, was " + maxRequestSizeBytes);
    }
    if (maxInFlightRecords < 1) {
      problems.add("maxInFlightRecords must be >= 1, was " + maxInFlightRecords);
    }
    if (maxInFlightBytes < 1) {
      problems.add("maxInFlightBytes must be >= 1, was " + maxInFlightBytes);
    }
    checkDuration(problems, "deliveryTimeout", deliveryTimeout, false);
    checkDuration(problems, "requestTimeout", requestTimeout, false);
    checkDuration(problems, "maxBlock", maxBlock, true);
    if (deliveryTimeout != null && requestTimeout != null && linger != null
        && deliveryTimeout.compareTo(requestTimeout.plus(linger)) < 0) {
      // Kafka's own rule (ProducerConfig): a batch must get at least one full request attempt.
      problems.add("deliveryTimeout (" + deliveryTimeout + ") must be >= requestTimeout + linger ("
          + requestTimeout.plus(linger) + ")");
    }
    if (transactionalId != null && transactionalId.isBlank()) {
      problems.add("transactionalId must be null (at-least-once) or non-blank (exactly-once)");
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("invalid Kafka sink settings:\n  - " + String.join("\n  - ", problems));
    }
  }

  private static void checkDuration(List<String> problems, String name, Duration d, boolean zeroAllowed) {
    if (d == null) {
      problems.add(name + " is required");
    } else if (d.isNegative() || (!zeroAllowed && d.isZero())) {
      problems.add(name + " must be " + (zeroAllowed ? ">= 0" : "> 0") + ", was " + d);
    } else if (d.toMillis() > Integer.MAX_VALUE && !name.equals("maxBlock")) {
      problems.add(name + " must be at most " + Integer.MAX_VALUE + " ms (Kafka's limit), was " + d);
    }
  }

  /** Defaults for everything but the bootstrap servers. */
  public static KafkaSinkOptions defaults(String bootstrapServers) {
    return new KafkaSinkOptions(bootstrapServers, DEFAULT_CLIENT_ID, KafkaClientProperties.empty(),
        DEFAULT_COMPRESSION, DEFAULT_LINGER, DEFAULT_BATCH_SIZE_BYTES, DEFAULT_MAX_REQUEST_SIZE_BYTES,
        DEFAULT_MAX_IN_FLIGHT_RECORDS, DEFAULT_MAX_IN_FLIGHT_BYTES, DEFAULT_DELIVERY_TIMEOUT,
        DEFAULT_REQUEST_TIMEOUT, DEFAULT_MAX_BLOCK, null);
  }

  public KafkaSinkOptions withClientId(String v) {
    return new KafkaSinkOptions(bootstrapServers, v, clientProperties, compression, linger, batchSizeBytes,
        maxRequestSizeBytes, maxInFlightRecords, maxInFlightBytes, deliveryTimeout, requestTimeout, maxBlock,
        transactionalId);
  }

  public KafkaSinkOptions withClientProperties(KafkaClientProperties v) {
    return new KafkaSinkOptions(bootstrapServers, clientId, v, compression, linger, batchSizeBytes,
        maxRequestSizeBytes, maxInFlightRecords, maxInFlightBytes, deliveryTimeout, requestTimeout, maxBlock,
        transactionalId);
  }

  public KafkaSinkOptions withCompression(String v) {
    return new KafkaSinkOptions(bootstrapServers, clientId, clientProperties, v, linger, batchSizeBytes,
        maxRequestSizeBytes, maxInFlightRecords, maxInFlightBytes, deliveryTimeout, requestTimeout, maxBlock,
        transactionalId);
  }

  public KafkaSinkOptions withLinger(Duration v) {
    return new KafkaSinkOptions(bootstrapServers, clientId, clientProperties, compression, v, batchSizeBytes,
        maxRequestSizeBytes, maxInFlightRecords, maxInFlightBytes, deliveryTimeout, requestTimeout, maxBlock,
        transactionalId);
  }

  public KafkaSinkOptions withBatchSizeBytes(int v) {
    return new KafkaSinkOptions(bootstrapServers, clientId, clientProperties, compression, linger, v,
        maxRequestSizeBytes, maxInFlightRecords, maxInFlightBytes, deliveryTimeout, requestTimeout, maxBlock,
        transactionalId);
  }

  public KafkaSinkOptions withMaxRequestSizeBytes(int v) {
    return new KafkaSinkOptions(bootstrapServers, clientId, clientProperties, compression, linger, batchSizeBytes,
        v, maxInFlightRecords, maxInFlightBytes, deliveryTimeout, requestTimeout, maxBlock, transactionalId);
  }

  public KafkaSinkOptions withMaxInFlight(int records, long bytes) {
    return new KafkaSinkOptions(bootstrapServers, clientId, clientProperties, compression, linger, batchSizeBytes,
        maxRequestSizeBytes, records, bytes, deliveryTimeout, requestTimeout, maxBlock, transactionalId);
  }

  public KafkaSinkOptions withDeliveryTimeout(Duration v) {
    return new KafkaSinkOptions(bootstrapServers, clientId, clientProperties, compression, linger, batchSizeBytes,
        maxRequestSizeBytes, maxInFlightRecords, maxInFlightBytes, v, requestTimeout, maxBlock, transactionalId);
  }

  public KafkaSinkOptions withRequestTimeout(Duration v) {
    return new KafkaSinkOptions(bootstrapServers, clientId, clientProperties, compression, linger, batchSizeBytes,
        maxRequestSizeBytes, maxInFlightRecords, maxInFlightBytes, deliveryTimeout, v, maxBlock, transactionalId);
  }

  public KafkaSinkOptions withMaxBlock(Duration v) {
    return new KafkaSinkOptions(bootstrapServers, clientId, clientProperties, compression, linger, batchSizeBytes,
        maxRequestSizeBytes, maxInFlightRecords, maxInFlightBytes, deliveryTimeout, requestTimeout, v,
        transactionalId);
  }

  public KafkaSinkOptions withTransactionalId(String v) {
    return new KafkaSinkOptions(bootstrapServers, clientId, clientProperties, compression, linger, batchSizeBytes,
        maxRequestSizeBytes, maxInFlightRecords, maxInFlightBytes, deliveryTimeout, requestTimeout, maxBlock, v);
  }

  public boolean transactional() {
    return transactionalId != null;
  }

  /**
   * The producer configuration: pass-through properties first, then the settings above (which
   * therefore win), then the protected ones.
   */
  Map<String, Object> producerConfig() {
    Map<String, Object> c = new HashMap<>(clientProperties.toClientConfig());
    c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    c.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    c.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
    c.put(ProducerConfig.LINGER_MS_CONFIG, (int) linger.toMillis());
    c.put(ProducerConfig.BATCH_SIZE_CONFIG, batchSizeBytes);
    c.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxRequestSizeBytes);
    c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) deliveryTimeout.toMillis());
    c.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) requestTimeout.toMillis());
    c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, maxBlock.toMillis());
    // The in-flight limit bounds what the sink hands over; the producer's pool must hold all of it
    // plus one open batch per partition, or send() would block on buffer space (see KafkaSink). A
    // record larger than the in-flight limit is let through alone (InFlightLimiter), so the pool also
    // needs room for a few maximal records. buffer.memory is a ceiling, not an allocation: the pool
    // only keeps batch.size buffers, larger batches are ordinary heap arrays freed after their ack.
    c.put(ProducerConfig.BUFFER_MEMORY_CONFIG,
        Math.max(64L * 1024 * 1024, 2 * maxInFlightBytes + 4L * Math.max(batchSizeBytes, maxRequestSizeBytes)));
    c.put(ProducerConfig.ACKS_CONFIG, "all");
    c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    c.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    c.put(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE);
    c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    if (transactionalId != null) {
      c.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    }
    return c;
  }
}

package com.qoder.kafka.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.qoder.kafka.IntegrationTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** KafkaSink against a real broker. The class owns its broker because some tests stop and restart it. */
@IntegrationTest
class KafkaSinkTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void closeBroker() {
    kafka.close();
  }

  private static KafkaSinkOptions options() {
    return KafkaSinkOptions.defaults(kafka.bootstrapServers()).withClientId("sink-test");
  }

  private static OutboundRecord record(String topic, String key, String value) {
    return OutboundRecord.of(topic, key, value.getBytes(StandardCharsets.UTF_8),
        CloudEventsHeaders.of(value, "test.event", "/tests", Instant.now()), value);
  }

  private static OutboundRecord sized(String topic, String key, String id, int valueBytes) {
    byte[] value = new byte[valueBytes];
    Arrays.fill(value, (byte) 'x');
    byte[] prefix = id.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(prefix, 0, value, 0, prefix.length);
    return OutboundRecord.of(topic, key, value, List.of(), id);
  }

  /** Random bytes: compression cannot shrink them below the topic's limit. */
  private static OutboundRecord incompressible(String topic, String key, String id, int valueBytes) {
    byte[] value = new byte[valueBytes];
    new java.util.Random(42).nextBytes(value);
    return OutboundRecord.of(topic, key, value, List.of(), id);
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Test
  void acknowledgesEveryRecordInOrderPerKeyOnTheKeysPartition() {
    String topic = KafkaTestSupport.uniqueTopic("order");
    KafkaTestSupport.createTopic(kafka.bootstrapServers(), topic, 3, Map.of());
    List<String> keys = List.of("sess_a", "sess_b", "sess_c", "sess_d");
    List<List<OutboundRecord>> batches = new ArrayList<>();
    for (int b = 0; b < 40; b++) {
      List<OutboundRecord> batch = new ArrayList<>();
      for (int i = 0; i < 25; i++) {
        String key = keys.get((b + i) % keys.size());
        batch.add(record(topic, key, key + "#" + (b * 25 + i)));
      }
      batches.add(batch);
    }

    try (KafkaSink sink = KafkaSink.create(options().withMaxInFlight(100, 1024 * 1024))) {
      // Submissions overlap (concurrency 8) but are issued in order: the sink must keep that order.
      List<SendResult> results = Flux.fromIterable(batches)
          .flatMapSequential(sink::sendAll, 8)
          .flatMapIterable(list -> list)
          .collectList()
          .block(WAIT);

      assertThat(results).hasSize(1000).allMatch(SendResult::acknowledged);
      assertThat(sink.maxObservedInFlightRecords()).isLessThanOrEqualTo(100);
      KafkaTestSupport.await(Duration.ofSeconds(10), "in-flight back to 0",
          () -> sink.inFlightRecords() == 0 && sink.inFlightBytes() == 0);
    }

    List<ConsumerRecord<byte[], byte[]>> consumed = KafkaTestSupport.consumeAll(kafka.bootstrapServers(), topic, WAIT);
    assertThat(consumed).hasSize(1000);
    Map<String, List<Integer>> perKey = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : consumed) {
      String key = text(r.key());
      // The default partitioner: murmur2 of the key bytes, like every Kafka client.
      assertThat(r.partition()).isEqualTo(Utils.toPositive(Utils.murmur2(r.key())) % 3);
      perKey.computeIfAbsent(key, k -> new ArrayList<>()).add(Integer.parseInt(text(r.value()).split("#")[1]));
      assertThat(CloudEventsHeaders.value(r.headers(), CloudEventsHeaders.ID)).isEqualTo(text(r.value()));
    }
    perKey.forEach((key, seq) -> assertThat(seq).as("order of %s", key).isSorted());
  }

  @Test
  void brokerOutageHoldsRecordsWithinTheBoundThenDeliversEveryOneOnce() {
    String topic = KafkaTestSupport.uniqueTopic("outage");
    KafkaTestSupport.createTopic(kafka.bootstrapServers(), topic, 2, Map.of());
    long boundBytes = 64 * 1024;
    int recordValueBytes = 2000;
    KafkaSinkOptions opts = options().withClientId("outage").withMaxInFlight(10_000, boundBytes);

    try (KafkaSink sink = KafkaSink.create(opts)) {
      // Learn the topic's metadata while the broker is up, as a running connector would have.
      sink.send(sized(topic, "sess_warm", "warm-0", recordValueBytes)).block(WAIT);

      List<Mono<List<SendResult>>> acks = new CopyOnWriteArrayList<>();
      List<Disposable> submissions = new ArrayList<>();
      int oneRecord = sized(topic, "sess_0", "r-0", recordValueBytes).estimatedSizeInBytes();
      for (int b = 0; b < 20; b++) {
        if (b == 3) {
          // The first batches may be in flight while the broker goes away: the idempotent
          // producer retries them after the restart without duplicating them.
          kafka.stop();
        }
        List<OutboundRecord> batch = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          batch.add(sized(topic, "sess_" + (i % 3), "r-" + (b * 10 + i), recordValueBytes));
        }
        submissions.add(sink.submit(batch).subscribe(s -> acks.add(s.acknowledged().cache())));
      }

      // The in-flight window fills up; the rest waits for capacity instead of piling up in the producer.
      KafkaTestSupport.await(WAIT, () -> "in-flight=" + sink.inFlightBytes() + " waiting=" + sink.waitingRecords(),
          () -> sink.inFlightBytes() + oneRecord > boundBytes && sink.waitingRecords() > 0);
      assertThat(sink.waitingRecords()).isGreaterThanOrEqualTo(200 - 3 * 10 - (int) (boundBytes / oneRecord));
      assertThat(acks.size()).as("batches fully handed over").isLessThan(20);
      assertThat(sink.maxObservedInFlightBytes()).isLessThanOrEqualTo(boundBytes + oneRecord);

      kafka.restart();

      KafkaTestSupport.await(WAIT, () -> "handed-over batches " + acks.size(), () -> acks.size() == 20);
      List<SendResult> results = Flux.concat(acks).flatMapIterable(l -> l).collectList().block(WAIT);
      assertThat(results).hasSize(200).allMatch(SendResult::acknowledged);
      assertThat(sink.maxObservedInFlightBytes()).isLessThanOrEqualTo(boundBytes + oneRecord);
      KafkaTestSupport.await(Duration.ofSeconds(10), "in-flight back to 0", () -> sink.inFlightRecords() == 0);
      submissions.forEach(Disposable::dispose);
    }

    List<ConsumerRecord<byte[], byte[]>> consumed = KafkaTestSupport.consumeAll(kafka.bootstrapServers(), topic, WAIT);
    List<String> ids = consumed.stream().map(r -> text(r.value()).replaceAll("x+$", "")).toList();
    assertThat(ids).hasSize(201).doesNotHaveDuplicates().contains("warm-0", "r-0", "r-199");
    Map<String, List<Integer>> perKey = new LinkedHashMap<>();
    consumed.stream().filter(r -> !text(r.key()).equals("sess_warm")).forEach(r -> perKey
        .computeIfAbsent(text(r.key()), k -> new ArrayList<>())
        .add(Integer.parseInt(text(r.value()).replaceAll("x+$", "").substring(2))));
    perKey.forEach((key, seq) -> assertThat(seq).as("order of %s", key).isSorted());
  }

  /**
   * An outage longer than the request timeout and than max.block.ms: neither may fail a record.
   * Scaled down (request timeout 1 s, max.block 1 s, outage 3 s) to keep the test fast; the
   * defaults (30 s, 60 s, unbounded delivery timeout) behave the same way for a 30 s+ outage.
   */
  @Test
  void anOutageLongerThanTheRequestAndMetadataTimeoutsFailsNothing() {
    String known = KafkaTestSupport.uniqueTopic("known");
    String unseen = KafkaTestSupport.uniqueTopic("unseen");
    KafkaTestSupport.createTopic(kafka.bootstrapServers(), known, 1, Map.of());
    KafkaTestSupport.createTopic(kafka.bootstrapServers(), unseen, 1, Map.of());
    KafkaSinkOptions opts = options().withClientId("long-outage")
        .withRequestTimeout(Duration.ofSeconds(1)).withMaxBlock(Duration.ofSeconds(1));

    try (KafkaSink sink = KafkaSink.create(opts)) {
      sink.send(record(known, "k", "warm")).block(WAIT);
      kafka.stop();
      Mono<List<SendResult>> knownAck = sink.sendAll(List.of(record(known, "k", "during-outage"))).cache();
      // This producer never fetched metadata for 'unseen': send() waits max.block.ms, times out, and the sink retries.
      Mono<List<SendResult>> unseenAck = sink.sendAll(List.of(record(unseen, "k", "new-topic"))).cache();
      knownAck.subscribe(r -> { }, e -> { });
      unseenAck.subscribe(r -> { }, e -> { });

      StepVerifier.create(Mono.when(knownAck, unseenAck))
          .expectSubscription()
          .expectNoEvent(Duration.ofSeconds(3))
          .then(kafka::restart)
          .expectComplete()
          .verify(WAIT);

      assertThat(knownAck.block(WAIT)).allMatch(SendResult::acknowledged);
      assertThat(unseenAck.block(WAIT)).allMatch(SendResult::acknowledged);
    }
    assertThat(KafkaTestSupport.consumeAll(kafka.bootstrapServers(), known, WAIT)).hasSize(2);
    assertThat(KafkaTestSupport.consumeAll(kafka.bootstrapServers(), unseen, WAIT)).hasSize(1);
  }

  /**
   * A topic whose max.message.bytes is below max.request.size gets a lower record limit: its larger
   * records are refused before the producer sees them (never by the broker after later ones), the
   * limit of other topics is untouched.
   */
  @Test
  void aLimitedTopicRefusesItsLargerRecordsBeforeTheBrokerSeesThem() {
    String small = KafkaTestSupport.uniqueTopic("limited");
    String large = KafkaTestSupport.uniqueTopic("unlimited");
    KafkaTestSupport.createTopic(kafka.bootstrapServers(), small, 1, Map.of("max.message.bytes", "40000"));
    KafkaTestSupport.createTopic(kafka.bootstrapServers(), large, 1, Map.of("max.message.bytes", "200000"));

    try (KafkaSink sink = KafkaSink.create(options().withMaxRequestSizeBytes(100_000))) {
      sink.limitRecordSize(small, TopicSpec.maxRecordBytesWithin(40_000));
      assertThat(sink.maxRecordBytes(small)).isEqualTo(23_616);
      assertThat(sink.maxRecordBytes(large)).isEqualTo(100_000);

      List<SendResult> results = sink.sendAll(List.of(
          incompressible(small, "sess_1", "small-fits", 20_000),
          incompressible(small, "sess_1", "small-too-large", 30_000),
          incompressible(large, "sess_1", "large-fits", 30_000))).block(WAIT);

      assertThat(results.get(0).acknowledged()).isTrue();
      assertThat(results.get(1).rejection().reason()).isEqualTo(RecordRejectedException.Reason.RECORD_TOO_LARGE);
      assertThat(results.get(1).rejection().getMessage()).contains("limited by the topic's max.message.bytes")
          .contains("23616 bytes topic '" + small + "'");
      assertThat(results.get(1).rejection().getCause()).as("refused by the sink, not by the broker")
          .hasMessageStartingWith("the record is");
      assertThat(results.get(2).acknowledged()).isTrue();
    }
  }

  @Test
  void recordsKafkaCanNeverTakeAreRejectedAloneAndTheRestIsDelivered() {
    String topic = KafkaTestSupport.uniqueTopic("too-large");
    // The broker-side limit is smaller than the producer's: that rejection arrives in the callback.
    KafkaTestSupport.createTopic(kafka.bootstrapServers(), topic, 1, Map.of("max.message.bytes", "20000"));

    try (KafkaSink sink = KafkaSink.create(options().withMaxRequestSizeBytes(100_000))) {
      List<OutboundRecord> batch = List.of(
          sized(topic, "sess_1", "ok-1", 100),
          sized(topic, "sess_1", "too-large-for-producer", 200_000),
          sized(topic, "sess_1", "ok-2", 100),
          incompressible(topic, "sess_2", "too-large-for-topic", 50_000));

      List<SendResult> results = sink.sendAll(batch).block(WAIT);

      assertThat(results).extracting(SendResult::correlation)
          .containsExactly("ok-1", "too-large-for-producer", "ok-2", "too-large-for-topic");
      assertThat(results.get(0).acknowledged()).isTrue();
      assertThat(results.get(2).acknowledged()).isTrue();
      assertThat(results.get(1).rejection().reason()).isEqualTo(RecordRejectedException.Reason.RECORD_TOO_LARGE);
      assertThat(results.get(1).rejection().getMessage()).contains("max.request.size");
      assertThat(results.get(3).rejection().reason()).isEqualTo(RecordRejectedException.Reason.RECORD_TOO_LARGE);
      assertThat(results.get(3).rejection().topic()).isEqualTo(topic);

      StepVerifier.create(sink.send(sized(topic, "sess_3", "alone", 200_000)))
          .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(RecordRejectedException.class)
              .hasMessageContaining(topic))
          .verify(WAIT);
      KafkaTestSupport.await(Duration.ofSeconds(10), "in-flight back to 0",
          () -> sink.inFlightRecords() == 0 && sink.inFlightBytes() == 0);
    }
    assertThat(KafkaTestSupport.consumeAll(kafka.bootstrapServers(), topic, WAIT)).hasSize(2);
  }

  @Test
  void aRecordLargerThanTheWholeInFlightBoundStillGoesThroughAlone() {
    String topic = KafkaTestSupport.uniqueTopic("oversize");
    KafkaTestSupport.createTopic(kafka.bootstrapServers(), topic, 1, Map.of());
    try (KafkaSink sink = KafkaSink.create(options().withMaxInFlight(10, 4096))) {
      List<SendResult> results = sink.sendAll(List.of(
          sized(topic, "k", "small", 100), sized(topic, "k", "big", 50_000), sized(topic, "k", "small-2", 100)))
          .block(WAIT);
      assertThat(results).allMatch(SendResult::acknowledged);
      assertThat(sink.maxObservedInFlightBytes()).isLessThan(4096 + 50_000 + 200);
    }
  }

  @Test
  void flushWaitsForAcknowledgementsAndCloseIsBoundedEvenWithTheBrokerDown() {
    String topic = KafkaTestSupport.uniqueTopic("close");
    KafkaTestSupport.createTopic(kafka.bootstrapServers(), topic, 1, Map.of());
    KafkaSink sink = KafkaSink.create(options().withClientId("close-test"));
    AtomicReference<List<SendResult>> first = new AtomicReference<>();
    sink.sendAll(List.of(record(topic, "k", "a"), record(topic, "k", "b"))).subscribe(first::set);
    sink.flush().block(WAIT);
    assertThat(first.get()).hasSize(2).allMatch(SendResult::acknowledged);
    assertThat(sink.inFlightRecords()).isZero();

    kafka.stop();
    try {
      AtomicReference<Throwable> failure = new AtomicReference<>();
      sink.sendAll(List.of(record(topic, "k", "never-acked"))).subscribe(r -> { }, failure::set);
      KafkaTestSupport.await(WAIT, "record handed to the producer", () -> sink.inFlightRecords() == 1);

      long start = System.nanoTime();
      sink.close(Duration.ofSeconds(2));
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));

      KafkaTestSupport.await(Duration.ofSeconds(10), "unacknowledged record failed", () -> failure.get() != null);
      assertThat(failure.get()).isInstanceOf(KafkaDeliveryException.class);
      assertThat(sink.inFlightRecords()).isZero();
      StepVerifier.create(sink.send(record(topic, "k", "after-close")))
          .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(KafkaDeliveryException.class)
              .hasMessageContaining("closed"))
          .verify(WAIT);
    } finally {
      kafka.restart();
    }
  }

  @Test
  void transactionsCommitAbortAndFenceZombies() {
    String topic = KafkaTestSupport.uniqueTopic("tx");
    KafkaTestSupport.createTopic(kafka.bootstrapServers(), topic, 1, Map.of());
    KafkaSinkOptions txOptions = options().withClientId("tx-1").withTransactionalId("qoder-test-tx");

    KafkaSink first = KafkaSink.create(txOptions);
    try {
      first.beginTransaction()
          .then(first.sendAll(List.of(record(topic, "k", "committed"))))
          .then(first.commitTransaction())
          .block(WAIT);
      first.beginTransaction()
          .then(first.sendAll(List.of(record(topic, "k", "aborted"))))
          .then(first.abortTransaction())
          .block(WAIT);
      first.beginTransaction().block(WAIT);
      first.sendAll(List.of(record(topic, "k", "zombie"))).block(WAIT);

      // A new instance with the same transactional id fences the old one.
      try (KafkaSink second = KafkaSink.create(txOptions.withClientId("tx-2"))) {
        StepVerifier.create(first.commitTransaction())
            .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(KafkaFatalException.class)
                .hasMessageContaining("fenced"))
            .verify(WAIT);
        assertThat(first.isFailed()).isTrue();
        StepVerifier.create(first.send(record(topic, "k", "refused")))
            .expectError(KafkaFatalException.class)
            .verify(WAIT);

        second.beginTransaction()
            .then(second.sendAll(List.of(record(topic, "k", "second"))))
            .then(second.commitTransaction())
            .block(WAIT);
      }
    } finally {
      first.close(Duration.ofSeconds(5));
    }

    List<String> visible = KafkaTestSupport.consumeAll(kafka.bootstrapServers(), topic, WAIT).stream()
        .map(r -> text(r.value())).toList();
    assertThat(visible).containsExactly("committed", "second");
  }

  /**
   * Closing inside a transaction aborts it and is prompt: before, an open empty transaction (begun,
   * never written to, as the cluster member leaves it after each commit) kept the producer's close
   * waiting its whole timeout, 30 s by default.
   */
  @Test
  void closeInsideATransactionAbortsItPromptly() {
    String topic = KafkaTestSupport.uniqueTopic("tx-close");
    KafkaTestSupport.createTopic(kafka.bootstrapServers(), topic, 1, Map.of());
    KafkaSinkOptions txOptions = options().withClientId("tx-close").withTransactionalId("qoder-test-tx-close");

    KafkaSink empty = KafkaSink.create(txOptions);
    empty.beginTransaction().block(WAIT);
    assertThat(timedClose(empty)).as("close with an empty transaction open").isLessThan(Duration.ofSeconds(5));

    KafkaSink written = KafkaSink.create(txOptions);
    written.beginTransaction().then(written.sendAll(List.of(record(topic, "k", "never committed")))).block(WAIT);
    assertThat(timedClose(written)).as("close with a written transaction open").isLessThan(Duration.ofSeconds(5));

    try (KafkaSink next = KafkaSink.create(txOptions)) {
      next.beginTransaction().then(next.sendAll(List.of(record(topic, "k", "committed")))).then(next.commitTransaction())
          .block(WAIT);
    }
    // read_committed: the aborted record is invisible, and the transaction did not stay open (the
    // last stable offset moved past it, or the committed record would not be readable).
    List<String> visible = KafkaTestSupport.consumeAll(kafka.bootstrapServers(), topic, WAIT).stream()
        .map(r -> text(r.value())).toList();
    assertThat(visible).containsExactly("committed");
  }

  private static Duration timedClose(KafkaSink sink) {
    long t0 = System.nanoTime();
    sink.close(); // the default timeout, 30 s
    return Duration.ofNanos(System.nanoTime() - t0);
  }

  @Test
  void transactionMethodsNeedATransactionalId() {
    try (KafkaSink sink = KafkaSink.create(options())) {
      assertThatThrownBy(sink::beginTransaction)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("transactionalId");
    }
  }

  @Test
  void sendResultCarriesTheBrokerOffset() {
    String topic = KafkaTestSupport.uniqueTopic("meta");
    KafkaTestSupport.createTopic(kafka.bootstrapServers(), topic, 1, Map.of());
    try (KafkaSink sink = KafkaSink.create(options())) {
      RecordMetadata first = sink.send(record(topic, "k", "1")).block(WAIT);
      RecordMetadata second = sink.send(record(topic, "k", "2")).block(WAIT);
      assertThat(first.topic()).isEqualTo(topic);
      assertThat(second.offset()).isEqualTo(first.offset() + 1);
    }
  }
}

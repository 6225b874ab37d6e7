package com.qoder.kafka.offsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.qoder.kafka.IntegrationTest;
import com.qoder.kafka.kafka.EmbeddedKafka;
import com.qoder.kafka.kafka.KafkaClientProperties;
import com.qoder.kafka.kafka.KafkaSink;
import com.qoder.kafka.kafka.KafkaSinkOptions;
import com.qoder.kafka.kafka.KafkaTestSupport;
import com.qoder.kafka.kafka.OutboundRecord;
import com.qoder.kafka.kafka.TopicAdmin;
import com.qoder.kafka.kafka.TopicSpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The offsets store against a real broker; the class owns it because one test restarts it. */
@IntegrationTest
class OffsetStoreTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int PARTITIONS = 5;
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void closeBroker() {
    kafka.close();
  }

  private static String offsetsTopic() {
    String topic = KafkaTestSupport.uniqueTopic("offsets");
    try (TopicAdmin admin = TopicAdmin.create(kafka.bootstrapServers(), KafkaClientProperties.empty())) {
      assertThat(admin.ensureOffsetsTopic(TopicSpec.offsets(topic, PARTITIONS, (short) 1))).isEqualTo(PARTITIONS);
    }
    return topic;
  }

  private static KafkaSink sink() {
    return KafkaSink.create(KafkaSinkOptions.defaults(kafka.bootstrapServers()).withClientId("offsets-test"));
  }

  private static OffsetRecord events(String session, String cursor, List<String> recent, long delivered) {
    return new OffsetRecord(OffsetKey.events(session), cursor, recent, "ACTIVE",
        new OffsetRecord.Counters(delivered, 0, 1), Instant.parse("2025-06-01T12:00:00.123456789Z"),
        Map.of());
  }

  @Test
  void restoreAfterABrokerAndConnectorRestartGivesTheLatestValuePerKey() {
    String topic = offsetsTopic();
    OffsetRecord a2 = events("sess_aaaa", "evt_2", List.of("evt_1", "evt_2"), 2);
    OffsetRecord b1 = events("sess_bbbb", "evt_9", List.of("evt_9"), 1);
    OffsetRecord files = new OffsetRecord(OffsetKey.files("all"), "file_7", List.of(), null,
        OffsetRecord.Counters.ZERO, Instant.parse("2025-06-01T12:00:00Z"), Map.of("next_page", "opaque=="));
    try (KafkaSink sink = sink()) {
      OffsetStore store = OffsetStore.create(topic, PARTITIONS, sink);
      store.write(events("sess_aaaa", "evt_1", List.of("evt_1"), 1)).block(WAIT);
      store.write(b1).block(WAIT);
      store.write(a2).block(WAIT);
      store.write(files).block(WAIT);
    }

    kafka.restart();

    try (KafkaSink sink = sink()) {
      Map<OffsetKey, OffsetRecord> restored = OffsetStore.create(topic, PARTITIONS, sink).restore();
      assertThat(restored).hasSize(3)
          .containsEntry(a2.key(), a2)
          .containsEntry(b1.key(), b1)
          .containsEntry(files.key(), files);
    }
  }

  @Test
  void aTombstoneRemovesTheKey() {
    String topic = offsetsTopic();
    try (KafkaSink sink = sink()) {
      OffsetStore store = OffsetStore.create(topic, PARTITIONS, sink);
      store.write(events("sess_gone", "evt_1", List.of("evt_1"), 1)).block(WAIT);
      store.write(events("sess_kept", "evt_5", List.of("evt_5"), 1)).block(WAIT);
      store.delete(OffsetKey.events("sess_gone")).block(WAIT);

      assertThat(store.restore()).containsOnlyKeys(OffsetKey.events("sess_kept"));

      // Writing again after the tombstone brings the key back.
      store.write(events("sess_gone", "evt_100", List.of(), 0)).block(WAIT);
      assertThat(store.restore().get(OffsetKey.events("sess_gone")).cursor()).isEqualTo("evt_100");
    }
  }

  @Test
  void recordsLandInThePartitionKafkasDefaultPartitionerPicksForTheSessionId() {
    String topic = offsetsTopic();
    String dataTopic = KafkaTestSupport.uniqueTopic("events");
    KafkaTestSupport.createTopic(kafka.bootstrapServers(), dataTopic, PARTITIONS, Map.of());
    try (KafkaSink sink = sink()) {
      OffsetStore store = OffsetStore.create(topic, PARTITIONS, sink);
      Set<Integer> seen = new HashSet<>();
      for (int i = 0; i < 30; i++) {
        String session = "sess_" + String.format("%032x", i * 7919L);
        int expected = Utils.toPositive(Utils.murmur2(session.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;

        RecordMetadata offsetAck = store.write(events(session, "evt", List.of(), 0)).block(WAIT);
        // An event keyed by the session id, partitioned by the producer's default partitioner.
        RecordMetadata eventAck = sink.send(OutboundRecord.of(dataTopic, session, new byte[] {1}, List.of(), i))
            .block(WAIT);

        assertThat(store.partitionFor(OffsetKey.events(session))).isEqualTo(expected);
        assertThat(store.partitionFor(OffsetKey.resources(session))).isEqualTo(expected);
        assertThat(offsetAck.partition()).isEqualTo(expected);
        assertThat(eventAck.partition()).isEqualTo(expected);
        seen.add(expected);
      }
      assertThat(seen).as("30 sessions spread over the partitions").hasSizeGreaterThan(1);
    }
  }

  @Test
  void restoreOfSomePartitionsReturnsOnlyTheirKeys() {
    String topic = offsetsTopic();
    try (KafkaSink sink = sink()) {
      OffsetStore store = OffsetStore.create(topic, PARTITIONS, sink);
      for (int i = 0; i < 20; i++) {
        store.write(events("sess_" + i, "evt_" + i, List.of(), i)).block(WAIT);
      }
      Set<Integer> owned = Set.of(0, 2);

      Map<OffsetKey, OffsetRecord> restored = store.restore(owned);

      assertThat(restored).isNotEmpty();
      assertThat(restored.keySet()).allMatch(k -> owned.contains(store.partitionFor(k)));
      long expected = java.util.stream.IntStream.range(0, 20)
          .filter(i -> owned.contains(store.partitionFor(OffsetKey.events("sess_" + i)))).count();
      assertThat(restored).hasSize((int) expected);
      assertThatThrownBy(() -> store.restore(Set.of(PARTITIONS)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a partition");
    }
  }

  @Test
  void aCorruptLatestValueFailsTheRestoreButASupersededOneDoesNot() {
    String topic = offsetsTopic();
    try (KafkaSink sink = sink()) {
      OffsetStore store = OffsetStore.create(topic, PARTITIONS, sink);
      OffsetKey healed = OffsetKey.events("sess_healed");
      OffsetKey broken = OffsetKey.events("sess_broken");
      sink.send(raw(store, healed, "{not json")).block(WAIT);
      store.write(events("sess_healed", "evt_3", List.of(), 3)).block(WAIT);
      store.write(events("sess_broken", "evt_1", List.of(), 1)).block(WAIT);
      sink.send(raw(store, broken, "{\"v\":2,\"updated_at\":\"2025-01-01T00:00:00Z\"}")).block(WAIT);

      assertThatThrownBy(store::restore)
          .isInstanceOfSatisfying(OffsetStoreException.class, e -> {
            assertThat(e.corruptEntries()).hasSize(1);
            assertThat(e.corruptEntries().get(0).key()).isEqualTo("events/sess_broken");
            assertThat(e.corruptEntries().get(0).partition()).isEqualTo(store.partitionFor(broken));
          })
          .hasMessageContaining("events/sess_broken")
          .hasMessageContaining("version 2 is not supported")
          .hasMessageContaining("qoder-kafka offsets delete");

      // Resetting the broken key (a tombstone) makes the store readable again.
      store.delete(broken).block(WAIT);
      assertThat(store.restore()).containsOnlyKeys(healed);
    }
  }

  @Test
  void anEmptyTopicRestoresToNothing() {
    String topic = offsetsTopic();
    try (KafkaSink sink = sink()) {
      assertThat(OffsetStore.create(topic, PARTITIONS, sink).restore()).isEmpty();
    }
  }

  private static OutboundRecord raw(OffsetStore store, OffsetKey key, String value) {
    return new OutboundRecord(store.topic(), store.partitionFor(key),
        key.asString().getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8), List.of(), key);
  }
}

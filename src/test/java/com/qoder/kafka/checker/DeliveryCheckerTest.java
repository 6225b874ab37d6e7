package com.qoder.kafka.checker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.qoder.kafka.IntegrationTest;
import com.qoder.kafka.avro.AvroCodec;
import com.qoder.kafka.avro.EventMapper;
import com.qoder.kafka.avro.MappingResult;
import com.qoder.kafka.avro.Schemas;
import com.qoder.kafka.avro.v1.SessionEvent;
import com.qoder.kafka.kafka.KafkaTestSupport;
import com.qoder.kafka.offsets.OffsetStore;
import com.qoder.kafka.registry.ConfluentWireFormat;
import com.qoder.kafka.registry.RegistryOptions;
import com.qoder.kafka.registry.SchemaRegistries;
import com.qoder.kafka.registry.SchemaRegistry;
import com.qoder.kafka.sim.EventSpec;
import com.qoder.kafka.sim.QoderSimulator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The checker finds what it claims to find: records written by hand (a plain producer, not the
 * connector) with every kind of fault are counted exactly, and a faithful copy is clean.
 */
@IntegrationTest
class DeliveryCheckerTest {

  private static QoderSimulator sim;
  private static String bootstrap;
  private static String scope;
  private static SchemaRegistry registry;
  private static int schemaId;
  private static String a;
  private static String b;

  @BeforeAll
  static void setUp() {
    bootstrap = KafkaTestSupport.sharedBroker().bootstrapServers();
    sim = QoderSimulator.builder().seed(11).sessions(2).eventsPerSession(20).releasedFraction(0)
        .terminatedFraction(0).files(0).agents(0).maxResourcesPerSession(0).build().start();
    a = sim.sessionIds().get(0);
    b = sim.sessionIds().get(1);
    sim.appendEvents(a, 1, EventSpec.ofType("session.error"));
    sim.appendEvents(b, 1, EventSpec.ofType("session.error"));
    sim.appendEvents(a, 4);
    sim.appendEvents(b, 4);
    scope = "checker-" + UUID.randomUUID().toString().substring(0, 8);
    registry = SchemaRegistries.create(RegistryOptions.of("mock://" + scope));
    schemaId = registry.register("events-value", Schemas.sessionEvent());
  }

  @AfterAll
  static void tearDown() {
    registry.close();
    SchemaRegistries.dropMockScope(scope);
    sim.close();
  }

  private record Topics(String events, String errors, String dlq) {
    static Topics create() {
      Topics t = new Topics(KafkaTestSupport.uniqueTopic("chk-events"), KafkaTestSupport.uniqueTopic("chk-errors"),
          KafkaTestSupport.uniqueTopic("chk-dlq"));
      for (String topic : List.of(t.events, t.errors, t.dlq)) {
        KafkaTestSupport.createTopic(bootstrap, topic, 3, Map.of());
      }
      return t;
    }

    DeliveryChecker checker() {
      return DeliveryChecker.builder(bootstrap).eventsTopic(events).errorsTopic(errors).deadLetterTopic(dlq)
          .schemaById(registry::schemaById).expectSchemaId(schemaId).retainValues(true).build();
    }
  }

  @Test
  void aFaithfulCopyIsClean() {
    Topics t = Topics.create();
    try (KafkaProducer<byte[], byte[]> p = producer()) {
      for (String s : List.of(a, b)) {
        for (ObjectNode json : sim.eventsJson(s)) {
          SessionEvent e = map(json);
          p.send(eventRecord(t.events, s, e, schemaId));
          if ("session.error".equals(e.getType())) {
            p.send(eventRecord(t.errors, s, e, schemaId));
          }
        }
      }
    }
    try (DeliveryChecker checker = t.checker()) {
      DeliveryReport r = checker.check(Expected.all(sim.groundTruth()));
      assertThat(r.isClean()).as("%s", r).isTrue();
      assertThat(r.requiredEvents()).isEqualTo(sim.totalEvents());
      assertThat(r.delivered()).isEqualTo(sim.totalEvents());
      assertThat(r.errorRecords()).isGreaterThanOrEqualTo(2);
      assertThat(checker.decoded(sim.groundTruth(a).eventIds().get(0))).isPresent();
    }
  }

  @Test
  void everyKindOfFaultIsCountedExactly() {
    Topics t = Topics.create();
    List<ObjectNode> ea = sim.eventsJson(a);
    List<ObjectNode> eb = sim.eventsJson(b);
    List<String> errorIdsOfB = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> p = producer()) {
      // Session a: event 3 missing, event 5 twice, events 7 and 8 swapped; its session.error copies kept.
      for (int i = 0; i < ea.size(); i++) {
        int j = i == 7 ? 8 : i == 8 ? 7 : i;
        if (j == 3) {
          continue;
        }
        SessionEvent e = map(ea.get(j));
        p.send(eventRecord(t.events, a, e, schemaId));
        if (j == 5) {
          p.send(eventRecord(t.events, a, e, schemaId));
        }
        if ("session.error".equals(e.getType())) {
          p.send(eventRecord(t.errors, a, e, schemaId));
        }
      }
      // Session b: event 2 keyed by a, event 4 framed with an unknown schema id, event 6 only as a
      // dead letter without a reason header, session.error copies missing; plus garbage and an
      // event id the API never served.
      for (int i = 0; i < eb.size(); i++) {
        SessionEvent e = map(eb.get(i));
        if ("session.error".equals(e.getType()) && i != 4 && i != 6) {
          errorIdsOfB.add(e.getEventId()); // in the events topic, so its copy is due
        }
        if (i == 2) { // on b's partition, so only the key is wrong
          ProducerRecord<byte[], byte[]> r = eventRecord(t.events, a, e, schemaId);
          p.send(new ProducerRecord<>(t.events, OffsetStore.partitionForSession(b, 3), r.key(), r.value(), r.headers()));
        } else if (i == 4) {
          p.send(eventRecord(t.events, b, e, 999));
        } else if (i == 6) {
          ProducerRecord<byte[], byte[]> dl = new ProducerRecord<>(t.dlq, bytes(b), bytes(eb.get(i).toString()));
          dl.headers().add("dlq.event-id", bytes(e.getEventId())).add("dlq.session-id", bytes(b));
          p.send(dl);
        } else {
          p.send(eventRecord(t.events, b, e, schemaId));
        }
      }
      p.send(new ProducerRecord<>(t.events, bytes(b), bytes("not avro")));
      ObjectNode bogus = eb.get(0).deepCopy();
      bogus.put("id", "evt_" + "f".repeat(32));
      p.send(eventRecord(t.events, b, map(bogus), schemaId));
    }
    try (DeliveryChecker checker = t.checker()) {
      DeliveryReport r = checker.check(Expected.all(sim.groundTruth()));
      assertThat(r.missing()).as("%s", r).isEqualTo(1 + 1); // a's event 3, b's event 4 (undecodable)
      assertThat(r.duplicated()).as("%s", r).isEqualTo(1);
      assertThat(r.outOfOrder()).as("%s", r).isEqualTo(1);
      assertThat(r.undecodable()).as("%s", r).isEqualTo(2); // unknown schema id, "not avro"
      assertThat(r.wrongSchemaId()).as("%s", r).isEqualTo(1);
      assertThat(r.wrongKey()).as("%s", r).isEqualTo(1);
      assertThat(r.splitSessions()).as("%s", r).isZero();
      assertThat(r.unexpected()).as("%s", r).isEqualTo(1);
      assertThat(r.deadLettered()).as("%s", r).isEqualTo(1);
      assertThat(r.deadLettersWithoutReason()).as("%s", r).isEqualTo(1);
      assertThat(r.missingErrorCopies()).as("%s", r).isEqualTo(errorIdsOfB.size());
      assertThat(r.duplicatedErrorCopies()).isZero();
      assertThat(r.duplicatesBySession()).containsOnlyKeys(a);
      assertThat(r.isClean()).isFalse();
      assertThat(r.toString()).contains("missing 2", a + "/" + ea.get(3).get("id").asText());
    }
  }

  @Test
  void readingIsIncrementalAndLateRecordsFillTheGap() {
    Topics t = Topics.create();
    List<ObjectNode> ea = sim.eventsJson(a);
    try (DeliveryChecker checker = t.checker(); KafkaProducer<byte[], byte[]> p = producer()) {
      for (int i = 0; i < 10; i++) {
        p.send(eventRecord(t.events, a, map(ea.get(i)), schemaId));
      }
      p.flush();
      List<Expected> onlyA = List.of(Expected.of(sim.groundTruth(a)));
      DeliveryReport first = checker.check(onlyA);
      assertThat(first.delivered()).isEqualTo(10);
      assertThat(first.missing()).isEqualTo(ea.size() - 10);
      for (int i = 10; i < ea.size(); i++) {
        SessionEvent e = map(ea.get(i));
        p.send(eventRecord(t.events, a, e, schemaId));
        if ("session.error".equals(e.getType())) {
          p.send(eventRecord(t.errors, a, e, schemaId));
        }
      }
      p.flush();
      DeliveryReport second = checker.check(onlyA);
      assertThat(second.isClean()).as("%s", second).isTrue();
      assertThat(second.eventRecords()).isEqualTo(ea.size());
    }
  }

  private static SessionEvent map(ObjectNode json) {
    MappingResult<SessionEvent> r = new EventMapper().map(json);
    if (r instanceof MappingResult.Mapped<SessionEvent> m) {
      return m.record();
    }
    throw new AssertionError("the simulator's event does not map: " + r);
  }

  private static ProducerRecord<byte[], byte[]> eventRecord(String topic, String key, SessionEvent e, int id) {
    byte[] value = AvroCodec.encodeWithPrefix(e, ConfluentWireFormat.frame(id, new byte[0]));
    ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, bytes(key), value);
    r.headers().add("ce_id", bytes(e.getEventId()));
    return r;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static KafkaProducer<byte[], byte[]> producer() {
    return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.ACKS_CONFIG, "all"));
  }
}

package com.qoder.kafka.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.qoder.kafka.avro.v1.SessionEvent;
import com.qoder.kafka.avro.v1.UnknownEvent;
import com.qoder.kafka.avro.v1.UserMessage;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class AvroCodecTest {

  private static SessionEvent event(String id, String content, Instant createdAt) {
    return new SessionEvent(id, "sess_1", null, "user.message", "1.0", createdAt, null,
        new UserMessage(content), null);
  }

  @Test
  void encodesAndDecodesASpecificRecord() {
    SessionEvent event = event("evt_1", "hello", Instant.parse("2026-05-18T03:40:48.888851795Z"));

    byte[] bytes = AvroCodec.encode(event);

    assertThat(AvroCodec.decode(bytes, Schemas.sessionEvent(), SessionEvent.class)).isEqualTo(event);
  }

  @Test
  void theBodyIsPlainAvroBinaryAsAnyAvroReaderReadsIt() throws Exception {
    SessionEvent event = event("evt_1", "hello", Instant.parse("2026-05-18T03:40:48.888851795Z"));

    byte[] ours = AvroCodec.encode(event);
    // Avro's own single-object encoding is a 10-byte header followed by the same binary body.
    byte[] avros = event.toByteBuffer().array();

    assertThat(Arrays.copyOfRange(avros, 10, avros.length)).isEqualTo(ours);
  }

  @Test
  void aPrefixIsWrittenInFrontAndDecodingCanSkipIt() {
    SessionEvent event = event("evt_1", "hello", Instant.parse("2026-05-18T03:40:48Z"));
    byte[] header = {0, 0, 0, 0, 42};

    byte[] framed = AvroCodec.encodeWithPrefix(event, header);

    assertThat(Arrays.copyOf(framed, 5)).isEqualTo(header);
    assertThat(Arrays.copyOfRange(framed, 5, framed.length)).isEqualTo(AvroCodec.encode(event));
    assertThat(AvroCodec.decode(framed, 5, framed.length - 5, Schemas.sessionEvent(), SessionEvent.class))
        .isEqualTo(event);
  }

  @Test
  void encodesToAStream() {
    SessionEvent event = event("evt_1", "hello", Instant.parse("2026-05-18T03:40:48Z"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    AvroCodec.encodeTo(event, out);

    assertThat(out.toByteArray()).isEqualTo(AvroCodec.encode(event));
  }

  @Test
  void timestampsBeforeTheEpochKeepEveryNanosecond() {
    // Avro 1.12.1's own conversion writes 1969-12-31T23:59:59.999999999Z as +998999999 ns (AVRO-4269).
    for (Instant at : List.of(Instant.ofEpochSecond(-1, 999_999_999), Instant.ofEpochSecond(-2, 1),
        Instant.ofEpochSecond(-1), Instant.EPOCH, Instant.parse("1677-09-21T00:12:43.145224192Z"),
        Instant.parse("2262-04-11T23:47:16.854775807Z"))) {
      SessionEvent event = event("evt_1", "x", at);
      SessionEvent back = AvroCodec.decode(AvroCodec.encode(event), Schemas.sessionEvent(), SessionEvent.class);
      assertThat(back.getCreatedAt()).as(at.toString()).isEqualTo(at);
      GenericRecord generic = AvroCodec.decodeGeneric(AvroCodec.encode(event), 0,
          AvroCodec.encode(event).length, Schemas.sessionEvent(), null);
      assertThat(generic.get("created_at")).isEqualTo(Members.epochNanos(at));
    }
  }

  @Test
  void decodesDataOfAnOlderWriterSchemaWithTheCurrentReader() {
    // Version 0 of the envelope: no schema_version, no processed_at, no extra_json, fewer payloads.
    Schema older = new Schema.Parser().parse("""
        {"type": "record", "name": "SessionEvent", "namespace": "com.qoder.kafka.avro.v1", "fields": [
          {"name": "event_id", "type": "string"},
          {"name": "session_id", "type": "string"},
          {"name": "turn_id", "type": ["null", "string"], "default": null},
          {"name": "type", "type": "string"},
          {"name": "created_at", "type": {"type": "long", "logicalType": "timestamp-nanos"}},
          {"name": "payload", "type": [
            {"type": "record", "name": "UserMessage", "fields": [
              {"name": "content", "type": ["null", "string"], "default": null}]},
            {"type": "record", "name": "UnknownEvent", "fields": [{"name": "raw_json", "type": "string"}]}]}
        ]}""");
    org.apache.avro.generic.GenericData.Record payload =
        new org.apache.avro.generic.GenericData.Record(older.getField("payload").schema().getTypes().get(0));
    payload.put("content", "from the past");
    org.apache.avro.generic.GenericData.Record old = new org.apache.avro.generic.GenericData.Record(older);
    old.put("event_id", "evt_0");
    old.put("session_id", "sess_0");
    old.put("type", "user.message");
    old.put("created_at", 1_747_539_648_888_851_795L);
    old.put("payload", payload);
    byte[] bytes = genericBytes(older, old);

    SessionEvent current = AvroCodec.decode(bytes, older, SessionEvent.class);

    assertThat(current).isEqualTo(new SessionEvent("evt_0", "sess_0", null, "user.message", null,
        Instant.parse("2025-05-18T03:40:48.888851795Z"), null, new UserMessage("from the past"), null));
    GenericRecord generic = AvroCodec.decodeGeneric(bytes, 0, bytes.length, older, Schemas.sessionEvent());
    assertThat(generic.get("schema_version")).isNull();
    assertThat(generic.get("event_id").toString()).isEqualTo("evt_0");
  }

  @Test
  void decodesCurrentDataWithAnOlderReaderThatLacksNewFields() {
    Schema olderReader = new Schema.Parser().parse("""
        {"type": "record", "name": "SessionEvent", "namespace": "com.qoder.kafka.avro.v1", "fields": [
          {"name": "event_id", "type": "string"},
          {"name": "type", "type": "string"}]}""");
    byte[] bytes = AvroCodec.encode(event("evt_9", "hi", Instant.parse("2026-01-01T00:00:00Z")));

    GenericRecord old = AvroCodec.decodeGeneric(bytes, 0, bytes.length, Schemas.sessionEvent(), olderReader);

    assertThat(old.get("event_id").toString()).isEqualTo("evt_9");
    assertThat(old.getSchema().getFields()).hasSize(2);
  }

  @Test
  void corruptOrMismatchedBytesFailWithTheSchemaNamed() {
    byte[] good = AvroCodec.encode(event("evt_1", "hello", Instant.parse("2026-05-18T03:40:48Z")));

    assertThatThrownBy(() -> AvroCodec.decode(Arrays.copyOf(good, good.length - 3), Schemas.sessionEvent(),
        SessionEvent.class))
        .isInstanceOf(AvroCodecException.class)
        .hasMessageStartingWith("cannot decode " + (good.length - 3)
            + " bytes as Avro data of schema com.qoder.kafka.avro.v1.SessionEvent");
    byte[] longer = Arrays.copyOf(good, good.length + 2);
    assertThatThrownBy(() -> AvroCodec.decode(longer, Schemas.sessionEvent(), SessionEvent.class))
        .isInstanceOf(AvroCodecException.class)
        .hasMessageContaining("has trailing bytes after the record");
    byte[] garbage = new byte[64];
    Arrays.fill(garbage, (byte) 0xff);
    assertThatThrownBy(() -> AvroCodec.decode(garbage, Schemas.sessionEvent(), SessionEvent.class))
        .isInstanceOf(AvroCodecException.class);
    assertThatThrownBy(() -> AvroCodec.decode(good, 3, good.length, Schemas.sessionEvent(), SessionEvent.class))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void aRecordMissingARequiredFieldFailsWithTheSchemaNamed() {
    SessionEvent broken = event(null, "x", Instant.EPOCH);

    assertThatThrownBy(() -> AvroCodec.encode(broken))
        .isInstanceOf(AvroCodecException.class)
        .hasMessageStartingWith("cannot encode a record of schema com.qoder.kafka.avro.v1.SessionEvent as Avro");
    // The thread's encoder is still usable afterwards.
    SessionEvent fine = event("evt_2", "y", Instant.EPOCH);
    assertThat(AvroCodec.decode(AvroCodec.encode(fine), Schemas.sessionEvent(), SessionEvent.class)).isEqualTo(fine);
  }

  @Test
  void aLargeRecordIsEncodedAndTheNextSmallOneIsNotAffected() {
    String big = "y".repeat(3 * AvroCodec.RETAINED_BUFFER_BYTES);
    SessionEvent large = new SessionEvent("evt_big", "sess_1", null, "x.y", null, Instant.EPOCH, null,
        new UnknownEvent(big), null);
    SessionEvent small = event("evt_small", "z", Instant.EPOCH);

    byte[] largeBytes = AvroCodec.encode(large);
    byte[] smallBytes = AvroCodec.encode(small);

    assertThat(largeBytes.length).isGreaterThan(big.length());
    assertThat(AvroCodec.decode(largeBytes, Schemas.sessionEvent(), SessionEvent.class)).isEqualTo(large);
    assertThat(AvroCodec.decode(smallBytes, Schemas.sessionEvent(), SessionEvent.class)).isEqualTo(small);
  }

  @Test
  void encodesAndDecodesFromManyThreadsAtOnce() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<Boolean>> tasks = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int thread = t;
        tasks.add(() -> {
          for (int i = 0; i < 2_000; i++) {
            SessionEvent e = event("evt_" + thread + "_" + i, "c".repeat(i % 300), Instant.ofEpochSecond(i, thread));
            if (!AvroCodec.decode(AvroCodec.encode(e), Schemas.sessionEvent(), SessionEvent.class).equals(e)) {
              return false;
            }
          }
          return true;
        });
      }
      for (Future<Boolean> f : pool.invokeAll(tasks, 60, TimeUnit.SECONDS)) {
        assertThat(f.get()).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static byte[] genericBytes(Schema schema, GenericRecord record) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      var encoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(out, null);
      new org.apache.avro.generic.GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
      encoder.flush();
      return out.toByteArray();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}

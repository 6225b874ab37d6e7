package com.qoder.kafka.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RegistryAvroCodecTest {

  private static final String SCOPE = "codec-test";
  private static final RegisteredSchema PING_AS_7 =
      new RegisteredSchema("pings-value", 7, TestSchemas.PING);

  @AfterEach
  void drop() {
    SchemaRegistries.dropMockScope(SCOPE);
  }

  @Test
  void knownRecordWithId7GivesExactBytes() {
    byte[] bytes = new RegistryAvroEncoder(PING_AS_7).encode(TestSchemas.ping("ab", 3));
    // 0x00 magic, id 7 big-endian, then Avro: string = zigzag length 2 (0x04) + "ab", int 3 = 0x06.
    assertThat(bytes).containsExactly(0x00, 0x00, 0x00, 0x00, 0x07, 0x04, 'a', 'b', 0x06);
  }

  /** A hand-written specific record: what avro-maven-plugin generates, reduced to the contract. */
  public static final class Ping extends SpecificRecordBase {
    public static final Schema SCHEMA$ = TestSchemas.PING;
    private CharSequence name;
    private int count;

    public Ping() {}

    Ping(String name, int count) {
      this.name = name;
      this.count = count;
    }

    @Override
    public Schema getSchema() {
      return SCHEMA$;
    }

    @Override
    public Object get(int field) {
      return field == 0 ? name : count;
    }

    @Override
    public void put(int field, Object value) {
      if (field == 0) {
        name = (CharSequence) value;
      } else {
        count = (Integer) value;
      }
    }
  }

  @Test
  void specificAndGenericRecordsEncodeAlike() {
    RegistryAvroEncoder encoder = new RegistryAvroEncoder(PING_AS_7);
    assertThat(encoder.encode(new Ping("ab", 3))).isEqualTo(encoder.encode(TestSchemas.ping("ab", 3)));
    assertThat(encoder.serialize("pings", null)).isNull();
  }

  @Test
  void refusesARecordOfAnotherSchema() {
    GenericRecord other = new GenericData.Record(TestSchemas.OTHER);
    other.put("x", 1L);
    assertThatThrownBy(() -> new RegistryAvroEncoder(PING_AS_7).encode(other))
        .isInstanceOf(SerializationException.class)
        .hasMessage("a com.qoder.test.Other record does not have the schema registered as id 7"
            + " for subject 'pings-value'; encode it with a RegisteredSchema of its own schema");
    // An equal schema parsed separately is fine.
    GenericRecord sameSchema = new GenericData.Record(TestSchemas.parse(TestSchemas.PING_JSON));
    sameSchema.put("name", "ab");
    sameSchema.put("count", 3);
    assertThat(new RegistryAvroEncoder(PING_AS_7).encode(sameSchema)).hasSize(9);
  }

  @Test
  void aFailedEncodingLeavesNoGarbageForTheNextRecord() {
    RegistryAvroEncoder encoder = new RegistryAvroEncoder(PING_AS_7);
    assertThatThrownBy(() -> encoder.encode(TestSchemas.ping(null, 5)))
        .isInstanceOf(SerializationException.class)
        .hasMessageStartingWith("cannot encode a com.qoder.test.Ping record for subject"
            + " 'pings-value' (schema id 7): ");
    assertThat(encoder.encode(TestSchemas.ping("ab", 3)))
        .containsExactly(0x00, 0x00, 0x00, 0x00, 0x07, 0x04, 'a', 'b', 0x06);
  }

  @Test
  void hugeRecordsThenSmallOnesOnTheSameThread() {
    RegistryAvroEncoder encoder = new RegistryAvroEncoder(PING_AS_7);
    String big = "x".repeat(3 << 20);
    SchemaRegistry registry = SchemaRegistries.create(RegistryOptions.of("mock://" + SCOPE));
    int id = registry.register("pings-value", TestSchemas.PING);
    RegistryAvroEncoder real = new RegistryAvroEncoder(
        new RegisteredSchema("pings-value", id, TestSchemas.PING));
    byte[] bytes = real.encode(TestSchemas.ping(big, 1));
    assertThat(new RegistryAvroDecoder(registry).decode(bytes).get("name").toString())
        .hasSize(3 << 20);
    assertThat(encoder.encode(TestSchemas.ping("ab", 3))).hasSize(9);
  }

  @Test
  void encodingIsThreadSafe() throws Exception {
    RegistryAvroEncoder encoder = new RegistryAvroEncoder(PING_AS_7);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        results.add(pool.submit(() -> {
          for (int i = 0; i < 2_000; i++) {
            String name = "t" + thread + "-" + i;
            byte[] got = encoder.encode(TestSchemas.ping(name, i));
            byte[] expected = ConfluentWireFormat.frame(7, avroOf(name, i));
            if (!java.util.Arrays.equals(got, expected)) {
              return false;
            }
          }
          return true;
        }));
      }
      for (Future<Boolean> f : results) {
        assertThat(f.get(30, TimeUnit.SECONDS)).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  // Reference encoding without the encoder under test: Avro's own writer on a fresh stream.
  private static byte[] avroOf(String name, int count) throws java.io.IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    org.apache.avro.io.BinaryEncoder enc =
        org.apache.avro.io.EncoderFactory.get().binaryEncoder(out, null);
    new org.apache.avro.generic.GenericDatumWriter<GenericRecord>(TestSchemas.PING)
        .write(TestSchemas.ping(name, count), enc);
    enc.flush();
    return out.toByteArray();
  }

  @Test
  void decoderReadsWriterSchemaByIdOnceAndReportsBadInput() {
    SchemaRegistry registry = SchemaRegistries.create(RegistryOptions.of("mock://" + SCOPE));
    RegisteredSchema registered =
        new SchemaRegistration(registry, true, SubjectNameStrategy.TOPIC)
            .forValue("pings", TestSchemas.PING);
    RegistryAvroEncoder encoder = new RegistryAvroEncoder(registered);
    RegistryAvroDecoder decoder = new RegistryAvroDecoder(registry);

    byte[] bytes = encoder.encode(TestSchemas.ping("hello", 42));
    GenericRecord back = decoder.decode(bytes);
    assertThat(back.get("name").toString()).isEqualTo("hello");
    assertThat(back.get("count")).isEqualTo(42);
    assertThat(RegistryAvroDecoder.schemaId(bytes)).isEqualTo(registered.id());
    assertThat(decoder.writerSchema(bytes)).isEqualTo(TestSchemas.PING);
    assertThat(decoder.deserialize("pings", null)).isNull();

    byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 1);
    assertThatThrownBy(() -> decoder.decode(truncated))
        .isInstanceOf(SerializationException.class)
        .hasMessage("cannot decode a value written with schema id 1 (6 body bytes): EOFException;"
            + " the value is truncated or was not written with that schema");
    assertThatThrownBy(() -> decoder.decode(new byte[] {1, 0, 0, 0, 1}))
        .isInstanceOf(SerializationException.class)
        .hasMessageStartingWith("unknown magic byte 0x01");
    assertThatThrownBy(() -> decoder.decode(ConfluentWireFormat.frame(55, new byte[] {2})))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageStartingWith("schema id 55 is not in the registry at mock://" + SCOPE);

    int stringId = registry.register("names-value", Schema.create(Schema.Type.STRING));
    byte[] aString = ConfluentWireFormat.frame(stringId, new byte[] {0x02, 'z'});
    assertThat(decoder.decodeDatum(aString).toString()).isEqualTo("z");
    assertThatThrownBy(() -> decoder.decode(aString))
        .isInstanceOf(SerializationException.class)
        .hasMessage("schema id 2 is not a record schema; use decodeDatum for Utf8 values");
  }
}

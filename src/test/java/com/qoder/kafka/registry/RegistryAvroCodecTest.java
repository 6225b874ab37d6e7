package com.qoder.kafka.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Reading Confluent-framed Avro back through the registry (the connector writes it with AvroCodec). */
class RegistryAvroCodecTest {

  private static final String SCOPE = "codec-test";

  @AfterEach
  void drop() {
    SchemaRegistries.dropMockScope(SCOPE);
  }

  @Test
  void decoderReadsHugeRecordsThenSmallOnes() throws Exception {
    String big = "x".repeat(3 << 20);
    SchemaRegistry registry = SchemaRegistries.create(RegistryOptions.of("mock://" + SCOPE));
    int id = registry.register("pings-value", TestSchemas.PING);
    RegistryAvroDecoder decoder = new RegistryAvroDecoder(registry);
    assertThat(decoder.decode(ConfluentWireFormat.frame(id, avroOf(big, 1))).get("name").toString())
        .hasSize(3 << 20);
    assertThat(decoder.decode(ConfluentWireFormat.frame(id, avroOf("ab", 3))).get("name").toString())
        .isEqualTo("ab");
  }

  // The Avro body of a ping: Avro's own writer on a fresh stream (the connector's records are
  // generated classes, encoded by AvroCodec; these tests need a plain record).
  static byte[] avroOf(String name, int count) throws java.io.IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    org.apache.avro.io.BinaryEncoder enc =
        org.apache.avro.io.EncoderFactory.get().binaryEncoder(out, null);
    new org.apache.avro.generic.GenericDatumWriter<GenericRecord>(TestSchemas.PING)
        .write(TestSchemas.ping(name, count), enc);
    enc.flush();
    return out.toByteArray();
  }

  @Test
  void decoderReadsWriterSchemaByIdOnceAndReportsBadInput() throws Exception {
    SchemaRegistry registry = SchemaRegistries.create(RegistryOptions.of("mock://" + SCOPE));
    RegisteredSchema registered =
        new SchemaRegistration(registry, true, SubjectNameStrategy.TOPIC)
            .forValue("pings", TestSchemas.PING);
    RegistryAvroDecoder decoder = new RegistryAvroDecoder(registry);

    byte[] bytes = ConfluentWireFormat.frame(registered.id(), avroOf("hello", 42));
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

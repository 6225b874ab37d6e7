package com.qoder.kafka.registry;

import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Decodes Confluent-framed Avro into {@link GenericRecord}s: reads the schema id, fetches the
 * writer schema by id from the registry (once per id, then cached), and reads the body with it.
 * For tests, admin commands, the demo's printed records and the delivery checker.
 *
 * <p>The first value with a new id asks the registry and so blocks (see {@link SchemaRegistry});
 * after that decoding is local. Thread-safe.
 */
public final class RegistryAvroDecoder implements Deserializer<GenericRecord> {

  private static final ThreadLocal<BinaryDecoder> DECODER = new ThreadLocal<>();

  private final SchemaRegistry registry;
  private final Map<Integer, DatumReader<Object>> readers = new ConcurrentHashMap<>();

  public RegistryAvroDecoder(SchemaRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /** The schema id in the header of {@code framed}. */
  public static int schemaId(byte[] framed) {
    return ConfluentWireFormat.parse(framed).schemaId();
  }

  /** The writer schema of {@code framed}, from the registry. */
  public Schema writerSchema(byte[] framed) {
    return registry.schemaById(schemaId(framed));
  }

  /** Decodes a value whose schema is a record. */
  public GenericRecord decode(byte[] framed) {
    Object datum = decodeDatum(framed);
    if (datum instanceof GenericRecord record) {
      return record;
    }
    throw new SerializationException("schema id " + schemaId(framed) + " is not a record schema;"
        + " use decodeDatum for " + (datum == null ? "null" : datum.getClass().getSimpleName())
        + " values");
  }

  /** Decodes a value of any Avro schema (record, string, union, ...). */
  public Object decodeDatum(byte[] framed) {
    ConfluentWireFormat.Framed header = ConfluentWireFormat.parse(framed);
    DatumReader<Object> reader = readerFor(header.schemaId());
    BinaryDecoder decoder = DecoderFactory.get()
        .binaryDecoder(framed, header.bodyOffset(), header.bodyLength(), DECODER.get());
    DECODER.set(decoder);
    try {
      return reader.read(null, decoder);
    } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException e) {
      throw new SerializationException("cannot decode a value written with schema id "
          + header.schemaId() + " (" + header.bodyLength() + " body bytes): "
          + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
          + "; the value is truncated or was not written with that schema", e);
    }
  }

  /** Kafka {@link Deserializer} view: {@code null} stays {@code null} (a tombstone). */
  @Override
  public GenericRecord deserialize(String topic, byte[] data) {
    return data == null ? null : decode(data);
  }

  // Not computeIfAbsent: the registry call may block, and must not do so under the map's lock.
  private DatumReader<Object> readerFor(int id) {
    DatumReader<Object> reader = readers.get(id);
    if (reader == null) {
      Schema writer = registry.schemaById(id);
      reader = new GenericDatumReader<>(writer, writer, GenericData.get());
      DatumReader<Object> raced = readers.putIfAbsent(id, reader);
      reader = raced == null ? reader : raced;
    }
    return reader;
  }
}

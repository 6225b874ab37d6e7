package com.qoder.kafka.registry;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Objects;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Encodes Avro records (generated {@link SpecificRecord}s or {@code GenericRecord}s) into the
 * Confluent wire format with the id of a {@link RegisteredSchema}, without calling the registry.
 *
 * <p>Hot path: one {@link DatumWriter} per kind of record, shared (Avro's writers keep no per-call
 * state); a per-thread buffer and {@link BinaryEncoder} reused across calls; the header written
 * into the same buffer as the body, so the only copy is the final {@code byte[]}. Thread-safe.
 *
 * <p>A record must have the registered schema: bytes labelled with an id must have been written
 * with that id's schema, or every consumer would misread them.
 */
public final class RegistryAvroEncoder implements Serializer<IndexedRecord> {

  /** Buffers that grew past this size for one huge record are dropped, not kept per thread. */
  private static final int RETAINED_BUFFER_LIMIT = 1 << 20;
  private static final int INITIAL_BUFFER = 8 << 10;

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private final RegisteredSchema registered;
  private final Schema schema;
  private final DatumWriter<Object> genericWriter;
  private volatile DatumWriter<Object> specificWriter;
  // The last record schema found equal (not identical) to the registered one: equals() is a deep
  // comparison, so it runs once per distinct Schema instance, not per record.
  private volatile Schema lastEqualSchema;

  public RegistryAvroEncoder(RegisteredSchema registered) {
    this.registered = Objects.requireNonNull(registered, "registered");
    this.schema = registered.schema();
    this.genericWriter = new GenericDatumWriter<>(schema, GenericData.get());
  }

  public RegisteredSchema registeredSchema() {
    return registered;
  }

  /** Magic byte, schema id, Avro binary of {@code record}. */
  public byte[] encode(IndexedRecord record) {
    Objects.requireNonNull(record, "record");
    checkSchema(record.getSchema());
    DatumWriter<Object> writer = record instanceof SpecificRecord ? specificWriter() : genericWriter;
    Scratch scratch = SCRATCH.get();
    try {
      byte[] bytes = scratch.encode(registered.id(), writer, record);
      scratch.trimIfHuge();
      return bytes;
    } catch (IOException | AvroRuntimeException | ClassCastException | NullPointerException e) {
      SCRATCH.remove(); // the encoder may hold half a record
      throw new SerializationException("cannot encode a " + schema.getFullName()
          + " record for subject '" + registered.subject() + "' (schema id " + registered.id()
          + "): " + e.getMessage(), e);
    }
  }

  /** Kafka {@link Serializer} view: {@code null} stays {@code null} (a tombstone). */
  @Override
  public byte[] serialize(String topic, IndexedRecord data) {
    return data == null ? null : encode(data);
  }

  private void checkSchema(Schema recordSchema) {
    if (recordSchema == schema || recordSchema == lastEqualSchema) {
      return;
    }
    if (!schema.equals(recordSchema)) {
      throw new SerializationException("a " + recordSchema.getFullName() + " record does not have"
          + " the schema registered as id " + registered.id() + " for subject '"
          + registered.subject() + "'; encode it with a RegisteredSchema of its own schema");
    }
    lastEqualSchema = recordSchema;
  }

  private DatumWriter<Object> specificWriter() {
    DatumWriter<Object> w = specificWriter;
    if (w == null) {
      // SpecificDatumWriter(Schema) picks the generated class's SpecificData (logical types).
      w = new SpecificDatumWriter<>(schema);
      specificWriter = w;
    }
    return w;
  }

  /** Per-thread buffer and encoder. */
  private static final class Scratch {
    private final Buffer buffer = new Buffer(INITIAL_BUFFER);
    private BinaryEncoder encoder;

    byte[] encode(int schemaId, DatumWriter<Object> writer, Object datum) throws IOException {
      // Configure before reset: reconfiguring a reused encoder flushes what it still holds.
      encoder = EncoderFactory.get().binaryEncoder(buffer, encoder);
      buffer.reset();
      buffer.ensure(ConfluentWireFormat.HEADER_SIZE);
      ConfluentWireFormat.writeHeader(buffer.bytes, schemaId);
      buffer.count = ConfluentWireFormat.HEADER_SIZE;
      writer.write(datum, encoder);
      encoder.flush();
      return Arrays.copyOf(buffer.bytes, buffer.count);
    }

    void trimIfHuge() {
      if (buffer.bytes.length > RETAINED_BUFFER_LIMIT) {
        buffer.bytes = new byte[INITIAL_BUFFER];
        buffer.count = 0;
      }
    }
  }

  /** A growable byte array without ByteArrayOutputStream's locking. */
  private static final class Buffer extends OutputStream {
    byte[] bytes;
    int count;

    Buffer(int size) {
      bytes = new byte[size];
    }

    void reset() {
      count = 0;
    }

    void ensure(int extra) {
      int needed = count + extra;
      if (needed > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(needed, bytes.length * 2));
      }
    }

    @Override
    public void write(int b) {
      ensure(1);
      bytes[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      ensure(len);
      System.arraycopy(b, off, bytes, count, len);
      count += len;
    }
  }
}

package com.qoder.kafka.avro;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.time.Instant;
import org.apache.avro.Conversion;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.Encoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro binary encoding of records, without any framing: the Schema Registry wire format (magic
 * byte and schema id) is the {@code registry} package's business; {@link #encodeWithPrefix} lets it put its header in front without copying the body again.
 *
 * <p>Fast on the hot path: one {@link SpecificDatumWriter} per record class, one reader per pair
 * of writer and reader schema (both are thread-safe once built, as Confluent's serializers rely
 * on), and per thread a reused encoder, decoder and output buffer. A buffer that grew for one large
 * record is dropped afterwards, so an idle thread keeps at most {@link #RETAINED_BUFFER_BYTES}.
 *
 * <p>Decoding resolves the writer's schema against the reader's (Avro schema resolution), so data
 * written with an older or newer version of a schema is read with the current one. Timestamps
 * decode to {@link java.time.Instant} in specific records and to {@code long} epoch nanoseconds in
 * generic records.
 *
 * <p>Thread-safe. Every failure is an {@link AvroCodecException} naming the schema.
 */
public final class AvroCodec {

  /** Largest output buffer a thread keeps between calls; a record larger than this gets its own. */
  static final int RETAINED_BUFFER_BYTES = 1 << 20;

  /** Bounds the reader cache; schemas come from a registry, so the real count is small. */
  private static final int MAX_CACHED_READERS = 1024;

  private static final ClassValue<SpecificDatumWriter<SpecificRecord>> WRITERS = new ClassValue<>() {
    @Override
    protected SpecificDatumWriter<SpecificRecord> computeValue(Class<?> type) {
      SpecificData generated = SpecificData.getForClass(type);
      SpecificData model = new SpecificData(type.getClassLoader());
      for (Conversion<?> conversion : generated.getConversions()) {
        model.addLogicalTypeConversion(conversion instanceof TimeConversions.TimestampNanosConversion
            ? new ExactTimestampNanosConversion() : conversion);
      }
      return new ModelConversionsWriter(generated.getSchema(type), model);
    }
  };

  private record ReaderKey(Schema writer, Schema reader, Class<?> type) {}

  private static final ConcurrentHashMap<ReaderKey, DatumReader<?>> READERS = new ConcurrentHashMap<>();

  private static final ThreadLocal<EncodeState> ENCODE = ThreadLocal.withInitial(EncodeState::new);
  private static final ThreadLocal<BinaryDecoder[]> DECODER = ThreadLocal.withInitial(() -> new BinaryDecoder[1]);

  private AvroCodec() {}

  /** The record's Avro binary encoding under its own schema. */
  public static byte[] encode(SpecificRecord record) {
    return encodeWithPrefix(record, null);
  }

  /**
   * {@code prefix} followed by the record's Avro binary encoding, in one array: for a wire-format
   * header without a second copy of the body.
   *
   * @param prefix bytes to put first, or null for none
   */
  public static byte[] encodeWithPrefix(SpecificRecord record, byte[] prefix) {
    Objects.requireNonNull(record, "record");
    EncodeState state = ENCODE.get();
    try {
      state.buffer.reset();
      if (prefix != null) {
        state.buffer.write(prefix, 0, prefix.length);
      }
      WRITERS.get(record.getClass()).write(record, state.bufferEncoder());
      // The one copy: the record's own array; the buffer is reused for the thread's next record.
      return state.buffer.toByteArray();
    } catch (IOException | RuntimeException e) {
      throw AvroCodecException.encoding(record.getSchema(), e);
    } finally {
      state.trim();
    }
  }

  /** Writes the record's Avro binary encoding to a stream. */
  public static void encodeTo(SpecificRecord record, OutputStream out) {
    Objects.requireNonNull(record, "record");
    Objects.requireNonNull(out, "out");
    try {
      write(record, out, ENCODE.get());
    } catch (IOException | RuntimeException e) {
      throw AvroCodecException.encoding(record.getSchema(), e);
    }
  }

  private static void write(SpecificRecord record, OutputStream out, EncodeState state)
      throws IOException {
    state.encoder = EncoderFactory.get().binaryEncoder(out, state.encoder);
    WRITERS.get(record.getClass()).write(record, state.encoder);
    state.encoder.flush();
  }

  /**
   * Decodes a whole array into a specific record, resolving {@code writerSchema} (the schema the
   * bytes were written with, e.g. looked up by registry id) against the class's own schema.
   */
  public static <T extends SpecificRecord> T decode(byte[] body, Schema writerSchema, Class<T> type) {
    return decode(body, 0, body.length, writerSchema, type);
  }

  /** Decodes {@code length} bytes at {@code offset}, e.g. after a wire-format header. */
  public static <T extends SpecificRecord> T decode(byte[] buffer, int offset, int length,
      Schema writerSchema, Class<T> type) {
    Objects.requireNonNull(type, "type");
    Schema readerSchema = SpecificData.getForClass(type).getSchema(type);
    DatumReader<?> reader = reader(writerSchema, readerSchema, type);
    return type.cast(read(reader, buffer, offset, length, writerSchema));
  }

  /** Decodes into a generic record of {@code readerSchema} (or of the writer's schema when null). */
  public static GenericRecord decodeGeneric(byte[] buffer, int offset, int length, Schema writerSchema,
      Schema readerSchema) {
    Schema reader = readerSchema == null ? writerSchema : readerSchema;
    Object value = read(reader(writerSchema, reader, null), buffer, offset, length, writerSchema);
    if (!(value instanceof GenericRecord record)) {
      throw new AvroCodecException("Avro data of schema " + name(writerSchema)
          + " is not a record but " + (value == null ? "null" : value.getClass().getSimpleName()), null);
    }
    return record;
  }

  private static DatumReader<?> reader(Schema writer, Schema reader, Class<?> type) {
    Objects.requireNonNull(writer, "writerSchema");
    ReaderKey key = new ReaderKey(writer, reader, type);
    DatumReader<?> cached = READERS.get(key);
    if (cached != null) {
      return cached;
    }
    if (READERS.size() >= MAX_CACHED_READERS) {
      READERS.clear(); // a pathological stream of schemas must not grow the heap without bound
    }
    return READERS.computeIfAbsent(key, k -> k.type == null
        ? new GenericDatumReader<>(k.writer, k.reader, GenericData.get())
        : new SpecificDatumReader<>(k.writer, k.reader, SpecificData.getForClass(k.type)));
  }

  private static Object read(DatumReader<?> reader, byte[] buffer, int offset, int length, Schema writer) {
    Objects.requireNonNull(buffer, "buffer");
    Objects.checkFromIndexSize(offset, length, buffer.length);
    BinaryDecoder[] slot = DECODER.get();
    BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(buffer, offset, length, slot[0]);
    slot[0] = decoder;
    Object value;
    try {
      value = reader.read(null, decoder);
      if (!decoder.isEnd()) {
        throw new AvroCodecException("Avro data of schema " + name(writer) + " has trailing bytes after "
            + "the record: the writer schema is not the one the bytes were written with, or the data "
            + "is corrupt", null);
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof AvroCodecException codec) {
        throw codec;
      }
      throw new AvroCodecException("cannot decode " + length + " bytes as Avro data of schema "
          + name(writer) + ": " + e, e);
    }
    return value;
  }

  /**
   * Writes logical types with the data model's conversions instead of those the generated class
   * carries per field: Avro 1.12.1's {@code TimestampNanosConversion.toLong} is wrong for instants
   * before 1970 with a fraction of a second (AVRO-4269, fixed after 1.12.1), and the generated
   * classes hold that conversion. Reading needs no fix: {@code fromLong} is right.
   */
  private static final class ModelConversionsWriter extends SpecificDatumWriter<SpecificRecord> {
    ModelConversionsWriter(Schema schema, SpecificData model) {
      super(schema, model);
    }

    @Override
    protected void writeField(Object datum, Schema.Field f, Encoder out, Object state) throws IOException {
      // GenericDatumWriter.write converts a logical-type value with getData()'s conversion.
      write(f.schema(), getData().getField(datum, f.name(), f.pos()), out);
    }
  }

  /** timestamp-nanos with an exact {@code toLong} for every instant a long can hold. */
  static final class ExactTimestampNanosConversion extends TimeConversions.TimestampNanosConversion {
    @Override
    public Long toLong(Instant instant, Schema schema, LogicalType type) {
      return Members.epochNanos(instant);
    }
  }

  static String name(Schema schema) {
    return schema.getType() == Schema.Type.RECORD ? schema.getFullName() : schema.getType().getName();
  }

  /** Per-thread encoding state. */
  private static final class EncodeState {
    GrowableBuffer buffer = new GrowableBuffer();
    /** For {@link #encodeTo}'s streams. */
    BinaryEncoder encoder;
    /**
     * Bound to {@link #buffer} for good: unbuffered, as the buffer is memory already, so
     * reconfiguring it per record (a buffered encoder allocates a sink and a channel each time) and
     * flushing cost nothing. The bytes are those of any binary encoder.
     */
    private BinaryEncoder bufferEncoder;

    BinaryEncoder bufferEncoder() {
      if (bufferEncoder == null) {
        bufferEncoder = EncoderFactory.get().directBinaryEncoder(buffer, null);
      }
      return bufferEncoder;
    }

    void trim() {
      if (buffer.capacity() > RETAINED_BUFFER_BYTES) {
        buffer = new GrowableBuffer();
        bufferEncoder = null;
      }
    }
  }

  /** A growable byte buffer; unlike ByteArrayOutputStream not synchronized, as it is per thread. */
  private static final class GrowableBuffer extends OutputStream {
    private byte[] bytes = new byte[4096];
    private int count;

    void reset() {
      count = 0;
    }

    int capacity() {
      return bytes.length;
    }

    byte[] toByteArray() {
      return Arrays.copyOf(bytes, count);
    }

    @Override
    public void write(int b) {
      ensure(1);
      bytes[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      Objects.checkFromIndexSize(off, len, b.length);
      ensure(len);
      System.arraycopy(b, off, bytes, count, len);
      count += len;
    }

    private void ensure(int more) {
      int needed = count + more;
      if (needed < 0) {
        throw new OutOfMemoryError("Avro record larger than 2 GiB");
      }
      if (needed > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(needed, (int) Math.min(Integer.MAX_VALUE - 8L, bytes.length * 2L)));
      }
    }
  }
}

package com.qoder.kafka.registry;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The Confluent wire format: magic byte {@code 0}, the schema id as a 4-byte big-endian int, then
 * the Avro binary encoding of the datum.
 *
 * <p>This is the framing Confluent's {@code AbstractKafkaSchemaSerDe} writes and reads
 * ({@code MAGIC_BYTE = 0x0}, {@code idSize = 4}); every Confluent-compatible consumer (Kafka
 * Connect sinks, ksqlDB, Flink's {@code avro-confluent} format) expects exactly these five bytes in
 * front of the Avro body. Stateless and thread-safe.
 */
public final class ConfluentWireFormat {

  /** First byte of every framed value (Confluent's {@code MAGIC_BYTE}). */
  public static final byte MAGIC_BYTE = 0x0;

  /** Magic byte plus the 4-byte schema id. */
  public static final int HEADER_SIZE = 1 + Integer.BYTES;

  private ConfluentWireFormat() {}

  /** Where the Avro body of a framed value starts, and which schema wrote it. */
  public record Framed(int schemaId, int bodyOffset, int bodyLength) {}

  /** Returns a new array: the 5-byte header followed by {@code avroBody}. */
  public static byte[] frame(int schemaId, byte[] avroBody) {
    byte[] out = new byte[HEADER_SIZE + avroBody.length];
    writeHeader(out, schemaId);
    System.arraycopy(avroBody, 0, out, HEADER_SIZE, avroBody.length);
    return out;
  }

  /** Writes the header into {@code target[0..5)}; the caller writes the body after it. */
  public static void writeHeader(byte[] target, int schemaId) {
    if (target.length < HEADER_SIZE) {
      throw new IllegalArgumentException(
          "target has " + target.length + " bytes; the header needs " + HEADER_SIZE);
    }
    target[0] = MAGIC_BYTE;
    target[1] = (byte) (schemaId >>> 24);
    target[2] = (byte) (schemaId >>> 16);
    target[3] = (byte) (schemaId >>> 8);
    target[4] = (byte) schemaId;
  }

  /**
   * Puts the header at the buffer's position (relative put, big-endian whatever the buffer's
   * order), so a caller can encode the body straight after it without another copy.
   */
  public static ByteBuffer writeHeader(ByteBuffer target, int schemaId) {
    if (target.remaining() < HEADER_SIZE) {
      throw new IllegalArgumentException(
          "buffer has " + target.remaining() + " bytes left; the header needs " + HEADER_SIZE);
    }
    target.put(MAGIC_BYTE);
    target.put((byte) (schemaId >>> 24));
    target.put((byte) (schemaId >>> 16));
    target.put((byte) (schemaId >>> 8));
    target.put((byte) schemaId);
    return target;
  }

  /** Reads the header of a framed value. */
  public static Framed parse(byte[] framed) {
    if (framed == null) {
      throw new SerializationException(
          "cannot read a null value as Confluent wire format (a tombstone has no schema)");
    }
    return parse(framed, 0, framed.length);
  }

  /** Reads the header of the framed value in {@code bytes[offset, offset + length)}. */
  public static Framed parse(byte[] bytes, int offset, int length) {
    if (length < HEADER_SIZE) {
      throw new SerializationException(
          "value of " + length + " bytes is too short for the Confluent wire format, which needs "
              + HEADER_SIZE + " header bytes (magic byte 0 + 4-byte schema id)");
    }
    byte magic = bytes[offset];
    if (magic != MAGIC_BYTE) {
      throw new SerializationException(String.format(
          "unknown magic byte 0x%02x: the value was not written by a Confluent-compatible "
              + "Avro serializer (expected 0x00 then a 4-byte schema id)", magic & 0xff));
    }
    int id = ((bytes[offset + 1] & 0xff) << 24)
        | ((bytes[offset + 2] & 0xff) << 16)
        | ((bytes[offset + 3] & 0xff) << 8)
        | (bytes[offset + 4] & 0xff);
    return new Framed(id, offset + HEADER_SIZE, length - HEADER_SIZE);
  }
}

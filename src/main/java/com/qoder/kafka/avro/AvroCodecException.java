package com.qoder.kafka.avro;

import org.apache.avro.Schema;

/** A record could not be encoded, or bytes could not be decoded, as Avro binary data. */
public final class AvroCodecException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public AvroCodecException(String message, Throwable cause) {
    super(message, cause);
  }

  static AvroCodecException encoding(Schema schema, Exception cause) {
    return new AvroCodecException("cannot encode a record of schema " + AvroCodec.name(schema)
        + " as Avro: " + cause + " (a required field is null, or a value does not fit the schema)", cause);
  }
}

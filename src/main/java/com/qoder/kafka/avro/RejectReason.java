package com.qoder.kafka.avro;

/** Why an item could not be mapped to its Avro record; each goes to the dead-letter topic. */
public enum RejectReason {
  /** A member the record cannot do without (an id, the type, the creation time) is absent or null. */
  MISSING_FIELD,
  /** A required member has the wrong JSON type, e.g. a numeric {@code id}. */
  INVALID_FIELD,
  /** A required timestamp is not RFC 3339 or lies outside the years 1677–2262 (epoch nanos in a long). */
  INVALID_TIMESTAMP,
  /** A required string holds a lone UTF-16 surrogate, which UTF-8 (and so Avro) cannot encode. */
  UNENCODABLE_STRING,
  /** The item nests arrays and objects deeper than the JSON writer allows (1000 levels). */
  TOO_DEEP,
  /** A defect of the mapper itself; the message names the exception. Please report it. */
  UNEXPECTED
}

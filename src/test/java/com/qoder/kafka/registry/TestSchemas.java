package com.qoder.kafka.registry;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/** Small hand-written schemas, independent of the project's generated classes. */
final class TestSchemas {

  /** Exactly what Confluent's AvroSchema.canonicalString() (Schema.toString()) sends. */
  static final String PING_JSON = "{\"type\":\"record\",\"name\":\"Ping\",\"namespace\":"
      + "\"com.qoder.test\",\"fields\":[{\"name\":\"name\",\"type\":\"string\"},"
      + "{\"name\":\"count\",\"type\":\"int\"}]}";

  static final Schema PING = parse("{\n  \"type\": \"record\", \"name\": \"Ping\","
      + " \"namespace\": \"com.qoder.test\",\n  \"fields\": [\n"
      + "    {\"name\": \"name\", \"type\": \"string\"},\n"
      + "    {\"name\": \"count\", \"type\": \"int\"}\n  ]\n}");

  /** Adds a field with a default: BACKWARD compatible with PING. */
  static final Schema PING_V2 = parse("{\"type\":\"record\",\"name\":\"Ping\",\"namespace\":"
      + "\"com.qoder.test\",\"fields\":[{\"name\":\"name\",\"type\":\"string\"},"
      + "{\"name\":\"count\",\"type\":\"int\"},"
      + "{\"name\":\"note\",\"type\":[\"null\",\"string\"],\"default\":null}]}");

  /** Adds a field without a default: not BACKWARD compatible with PING. */
  static final Schema PING_BREAKING = parse("{\"type\":\"record\",\"name\":\"Ping\",\"namespace\":"
      + "\"com.qoder.test\",\"fields\":[{\"name\":\"name\",\"type\":\"string\"},"
      + "{\"name\":\"count\",\"type\":\"int\"},{\"name\":\"owner\",\"type\":\"string\"}]}");

  static final Schema OTHER = parse("{\"type\":\"record\",\"name\":\"Other\",\"namespace\":"
      + "\"com.qoder.test\",\"fields\":[{\"name\":\"x\",\"type\":\"long\"}]}");

  private TestSchemas() {}

  static Schema parse(String json) {
    return new Schema.Parser().parse(json);
  }

  static GenericRecord ping(String name, int count) {
    GenericRecord r = new GenericData.Record(PING);
    r.put("name", name);
    r.put("count", count);
    return r;
  }
}

/**
 * The Avro contract of the connector's topics and the lossless mapping of API items to it.
 *
 * <p>The schemas live in the project's {@code schemas/*.avsc} (shipped in the jar under
 * {@code /schemas/}); their classes are generated into {@code com.qoder.kafka.avro.v1}, a namespace
 * that never changes. {@link com.qoder.kafka.avro.Schemas} exposes them.
 *
 * <ul>
 *   <li>{@link com.qoder.kafka.avro.EventMapper} maps a session event to a
 *       {@code v1.SessionEvent}, {@link com.qoder.kafka.avro.ItemMapper} maps resources, files and
 *       sessions to their change records. Both return a
 *       {@link com.qoder.kafka.avro.MappingResult}: the record, or a rejection with a
 *       {@link com.qoder.kafka.avro.RejectReason} and the original JSON for the dead-letter topic.
 *   <li>{@link com.qoder.kafka.avro.EventJson} and {@link com.qoder.kafka.avro.ItemJson} rebuild the
 *       original JSON from a record.
 *   <li>{@link com.qoder.kafka.avro.AvroCodec} encodes records to Avro binary and decodes them,
 *       resolving writer against reader schema; framing (Schema Registry wire format) is not its
 *       business.
 * </ul>
 *
 * <p>The mapping is lossless by one rule: a typed field takes a JSON member only when the value has
 * exactly the documented shape; every other member (unknown, unexpected shape, explicit null) is
 * kept in the {@code extra_json} of its object, and an event of an undocumented type is kept whole
 * in {@code UnknownEvent.raw_json}. Timestamps are epoch nanoseconds ({@code timestamp-nanos}); the
 * reverse mapping writes them as {@code Timestamps.format} does, so they compare as instants.
 */
package com.qoder.kafka.avro;

/**
 * The offset record of every source: its key, its JSON form, where it is stored and how it is read
 * back, and the translation from each source's state. The only package that makes or encodes an
 * offset record ({@code ArchitectureRulesTest.onlyOffsetsEncodesOffsetRecords}).
 *
 * <ul>
 *   <li>{@link com.qoder.kafka.offsets.OffsetKey} ({@code <source>/<entity>}, the Kafka record key),
 *       {@link com.qoder.kafka.offsets.OffsetSource} (its first segment) and
 *       {@link com.qoder.kafka.offsets.OffsetRecord} (one entity's position).
 *   <li>{@code OffsetCodec} (package-private): the versioned JSON value, written field by field.
 *   <li>{@link com.qoder.kafka.offsets.OffsetStore}: the compacted offsets topic — the partition of a
 *       key (session ownership in scale-out), writes through the connector's
 *       {@link com.qoder.kafka.kafka.KafkaSink}, restore of assigned partitions;
 *       {@link com.qoder.kafka.offsets.OffsetStoreException} when they cannot be read.
 *   <li>The translations: {@link com.qoder.kafka.offsets.SessionOffsetRecords} (a session's
 *       {@code SessionState.Snapshot}, its pause mark and {@code offsets reset}),
 *       {@link com.qoder.kafka.offsets.CheckpointRecords} (a change source's {@code Checkpoint}) and
 *       {@link com.qoder.kafka.offsets.SignalRecords} (a live signal's progress).
 * </ul>
 *
 * <p>Direction: {@code offsets} uses {@code kafka} (the sink it writes through) and {@code source}
 * (the state it translates); {@code cluster}, {@code signal}, {@code runtime}, {@code audit} and
 * {@code cli} use {@code offsets}, never the other way round. The sources themselves do not know
 * it: they write through {@code source.OffsetWriter} and {@code source.CheckpointWriter}, which
 * {@code cluster} and {@code runtime} implement with the classes here.
 */
package com.qoder.kafka.offsets;

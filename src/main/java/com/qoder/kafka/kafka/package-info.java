/**
 * The Kafka side of the connector.
 *
 * <ul>
 *   <li>{@link com.qoder.kafka.kafka.KafkaSink}: the only way records reach Kafka — one idempotent
 *       producer, a global in-flight bound (records and bytes) that turns a slow or absent broker
 *       into backpressure, typed failures ({@link com.qoder.kafka.kafka.KafkaSinkException}),
 *       optional transactions for exactly-once.
 *   <li>{@link com.qoder.kafka.kafka.TopicAdmin}: start-up creation and checks of the topics
 *       (the offsets topic included; its records are the {@code offsets} package's).
 *   <li>{@link com.qoder.kafka.kafka.EmbeddedKafka}: a single-node KRaft broker in this JVM for the
 *       demo, the tests and the benchmark.
 *   <li>{@link com.qoder.kafka.kafka.CloudEventsHeaders}: CloudEvents Kafka binding headers.
 * </ul>
 */
package com.qoder.kafka.kafka;

/**
 * An independent delivery checker for end-to-end, reliability and soak tests: what reached Kafka
 * against what the API (the simulator) holds.
 *
 * <pre>{@code
 * try (SchemaRegistry registry = SchemaRegistries.create(RegistryOptions.of(registryUrl));
 *     DeliveryChecker checker = DeliveryChecker.builder(bootstrap)
 *         .eventsTopic("qoder.session-events").errorsTopic("qoder.session-errors")
 *         .deadLetterTopic("qoder.dead-letter")
 *         .registryUrl(registryUrl)                 // or schemaById(lookup), fixedSchema(schema)
 *         .expectSchemaId(registry.latest("qoder.session-events-value").id())
 *         .build()) {
 *   DeliveryReport r = checker.awaitDelivered(Duration.ofSeconds(60), () -> Expected.all(sim.groundTruth()));
 *   assertThat(r.isClean()).as("%s", r).isTrue();   // or isCleanApartFromDuplicates() after a crash
 * }
 * }</pre>
 *
 * <p>{@link com.qoder.kafka.checker.Expected} says what must arrive per session (in API order)
 * and what may; {@link com.qoder.kafka.checker.DeliveryReport} counts what is missing,
 * duplicated, out of order, undecodable, wrongly keyed, unexpected, the {@code session.error}
 * copies and dead letters, each with examples, and prints as a readable summary.
 */
package com.qoder.kafka.checker;

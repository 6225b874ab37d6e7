/**
 * The Confluent Schema Registry protocol, spoken by the connector itself (Confluent's Java client
 * is not on Maven Central).
 *
 * <p>Start-up: {@link com.qoder.kafka.registry.SchemaRegistries#create} a
 * {@link com.qoder.kafka.registry.SchemaRegistry} from
 * {@link com.qoder.kafka.registry.RegistryOptions}, then
 * {@link com.qoder.kafka.registry.SchemaRegistration} resolves each topic's schema to a
 * {@link com.qoder.kafka.registry.RegisteredSchema} (register, or look up when auto-register is
 * off). Hot path: the publishers write the {@link com.qoder.kafka.registry.ConfluentWireFormat}
 * header with that id in front of the record's Avro body ({@code AvroCodec.encodeWithPrefix}),
 * never calling the registry.
 * Reading back: {@link com.qoder.kafka.registry.RegistryAvroDecoder}.
 *
 * <p>Works against Confluent Schema Registry, Redpanda, Karapace and Apicurio's Confluent API;
 * {@code mock://scope} selects an in-process registry shared per scope, for the demo and tests.
 */
package com.qoder.kafka.registry;

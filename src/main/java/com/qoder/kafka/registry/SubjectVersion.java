package com.qoder.kafka.registry;

import org.apache.avro.Schema;

/** One registered version of a subject: its version number, global schema id and schema. */
public record SubjectVersion(String subject, int version, int id, Schema schema) {}

package com.qoder.kafka.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;

/** The contract's rules: documented, evolvable, stable names, shipped as the .avsc files say. */
class SchemasTest {

  @Test
  void theResourceListIsExactlyTheSchemasDirectory() throws IOException {
    List<String> files;
    try (Stream<Path> dir = Files.list(Path.of("schemas"))) {
      // Every schema file, not the contributors' notes beside them.
      files = dir.filter(p -> p.toString().endsWith(".avsc")).map(p -> "/schemas/" + p.getFileName()).sorted().toList();
    }
    assertThat(Schemas.RESOURCES).containsExactlyElementsOf(files);
  }

  @Test
  void everyShippedFileParsesToTheSchemaTheGeneratedClassesWriteWith() {
    Map<String, Schema> generated = Schemas.all();
    assertThat(generated).containsOnlyKeys("com.qoder.kafka.avro.v1.SessionEvent",
        "com.qoder.kafka.avro.v1.SessionResourceRecord", "com.qoder.kafka.avro.v1.FileRecord",
        "com.qoder.kafka.avro.v1.SessionLifecycleRecord");
    for (String resource : Schemas.RESOURCES) {
      Schema shipped = Schemas.parseResource(resource);
      assertThat(resource).endsWith("/" + shipped.getName() + ".avsc");
      Schema own = generated.get(shipped.getFullName());
      assertThat(SchemaNormalization.parsingFingerprint64(shipped))
          .as(resource).isEqualTo(SchemaNormalization.parsingFingerprint64(own));
      // Both directions compatible: the shipped text and SCHEMA$ differ only in Java string props.
      assertThat(SchemaCompatibility.checkReaderWriterCompatibility(shipped, own).getType())
          .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
      assertThat(SchemaCompatibility.checkReaderWriterCompatibility(own, shipped).getType())
          .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
    }
    assertThat(Schemas.sessionEvent().getFullName()).isEqualTo("com.qoder.kafka.avro.v1.SessionEvent");
    assertThat(Schemas.sessionResource().getName()).isEqualTo("SessionResourceRecord");
    assertThat(Schemas.file().getName()).isEqualTo("FileRecord");
    assertThat(Schemas.sessionLifecycle().getName()).isEqualTo("SessionLifecycleRecord");
  }

  @Test
  void anUnknownResourceIsNamedInTheError() {
    assertThatThrownBy(() -> Schemas.parseResource("/schemas/Nope.avsc"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("no schema resource /schemas/Nope.avsc on the class path");
  }

  @Test
  void everyRecordAndFieldHasADocAndTheStableNamespace() {
    List<String> problems = new ArrayList<>();
    for (String resource : Schemas.RESOURCES) {
      visitRecords(Schemas.parseResource(resource), new IdentityHashMap<>(), record -> {
        if (!"com.qoder.kafka.avro.v1".equals(record.getNamespace())) {
          problems.add(record.getFullName() + " is not in namespace com.qoder.kafka.avro.v1");
        }
        if (isBlank(record.getDoc())) {
          problems.add(record.getFullName() + " has no doc");
        }
        for (Schema.Field field : record.getFields()) {
          if (isBlank(field.doc())) {
            problems.add(record.getFullName() + "." + field.name() + " has no doc");
          }
        }
      });
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void everyOptionalFieldIsNullFirstWithANullDefaultAndOpenSetsAreNeverEnums() {
    List<String> problems = new ArrayList<>();
    int optional = 0;
    for (String resource : Schemas.RESOURCES) {
      List<Schema.Field> fields = new ArrayList<>();
      visitRecords(Schemas.parseResource(resource), new IdentityHashMap<>(), r -> fields.addAll(r.getFields()));
      for (Schema.Field field : fields) {
        Schema type = field.schema();
        if (type.getType() == Schema.Type.ENUM) {
          problems.add(field.name() + " is an enum");
        }
        if (type.getType() != Schema.Type.UNION || !type.isNullable()) {
          continue;
        }
        optional++;
        if (type.getTypes().get(0).getType() != Schema.Type.NULL) {
          problems.add(field.name() + ": null is not the first branch of " + type);
        }
        if (!field.hasDefaultValue() || field.defaultVal() != org.apache.avro.JsonProperties.NULL_VALUE) {
          problems.add(field.name() + ": default is not null");
        }
      }
    }
    assertThat(problems).isEmpty();
    assertThat(optional).isGreaterThan(30);
  }

  @Test
  void timestampsAreTimestampNanosLongs() {
    int timestamps = 0;
    for (Schema schema : Schemas.all().values()) {
      List<Schema.Field> fields = new ArrayList<>();
      visitRecords(schema, new IdentityHashMap<>(), r -> fields.addAll(r.getFields()));
      for (Schema.Field field : fields) {
        if (field.name().endsWith("_at")) {
          Schema type = field.schema().isNullable() ? field.schema().getTypes().get(1) : field.schema();
          assertThat(type.getType()).as(field.name()).isEqualTo(Schema.Type.LONG);
          assertThat(type.getLogicalType().getName()).as(field.name()).isEqualTo("timestamp-nanos");
          timestamps++;
        }
      }
    }
    assertThat(timestamps).isEqualTo(11);
  }

  @Test
  void thePayloadUnionHasOneRecordPerDocumentedTypeAndUnknownEvent() {
    Schema payload = Schemas.sessionEvent().getField("payload").schema();
    assertThat(payload.getTypes()).extracting(Schema::getName).containsExactly("UserMessage",
        "AgentMessage", "AgentThinking", "SessionStatusRescheduled", "SessionStatusIdle", "SessionError",
        "SpanModelRequestStart", "SpanModelRequestEnd", "Terminated", "UnknownEvent");
  }

  @Test
  void addingAnOptionalFieldIsCompatibleBothWaysAsTheEvolutionRuleClaims() {
    String current = Schemas.resourceText("/schemas/SessionResourceRecord.avsc");
    Schema next = new Schema.Parser().parse(current.replace("\"fields\": [",
        "\"fields\": [{\"name\": \"region\", \"type\": [\"null\", \"string\"], \"default\": null, \"doc\": \"x\"},"));
    Schema now = new Schema.Parser().parse(current);

    assertThat(SchemaCompatibility.checkReaderWriterCompatibility(next, now).getType())
        .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
    assertThat(SchemaCompatibility.checkReaderWriterCompatibility(now, next).getType())
        .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
  }

  private static void visitRecords(Schema schema, IdentityHashMap<Schema, Boolean> seen,
      java.util.function.Consumer<Schema> onRecord) {
    if (seen.put(schema, Boolean.TRUE) != null) {
      return;
    }
    switch (schema.getType()) {
      case RECORD -> {
        onRecord.accept(schema);
        schema.getFields().forEach(f -> visitRecords(f.schema(), seen, onRecord));
      }
      case UNION -> schema.getTypes().forEach(t -> visitRecords(t, seen, onRecord));
      case ARRAY -> visitRecords(schema.getElementType(), seen, onRecord);
      case MAP -> visitRecords(schema.getValueType(), seen, onRecord);
      default -> { }
    }
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }
}

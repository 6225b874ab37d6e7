package com.qoder.kafka.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.qoder.kafka.IntegrationTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.qoder.kafka.avro.EventMapper;
import com.qoder.kafka.avro.MappingResult;
import com.qoder.kafka.avro.Schemas;
import com.qoder.kafka.avro.v1.SessionEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Schema evolution of the connector's subjects against a real registry (Apicurio), under the level
 * the README recommends (FULL_TRANSITIVE) and the registry default most users have (BACKWARD): the
 * current schema is v1; what may become v2, what may not, and the exact error a refused change gives
 * at start-up (the connector's own finding, by field, not the registry's 409 text).
 */
@IntegrationTest
class SchemaEvolutionTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  static final String ADVICE = "; add fields only with a default, never remove or retype a field without one"
      + " (schemas/README.md), or publish the change under a new subject";

  static ApicurioRegistry apicurio;
  static SchemaRegistry registry;

  @BeforeAll
  static void start() {
    apicurio = ApicurioRegistry.get();
    registry = SchemaRegistries.create(RegistryOptions.of(apicurio.url()));
  }

  @AfterAll
  static void stop() {
    registry.close();
  }

  /** A subject of its own holding the current schema as version 1, under {@code level}. */
  private static String subjectWithV1(String level) {
    String subject = "evolution-" + UUID.randomUUID().toString().substring(0, 8) + "-value";
    registry.register(subject, v1());
    apicurio.setCompatibility(subject, level);
    assertThat(registry.compatibilityLevel(subject)).isEqualTo(level);
    return subject;
  }

  private static Schema v1() {
    return Schemas.sessionEvent();
  }

  private static int v1Id(String subject) {
    return registry.versions(subject).get(0).id();
  }

  private static SchemaRegistration registration() {
    return new SchemaRegistration(registry, true, SubjectNameStrategy.TOPIC);
  }

  @ParameterizedTest
  @ValueSource(strings = {"FULL_TRANSITIVE", "BACKWARD"})
  void anOptionalFieldWithADefaultRegistersAndOldAndNewReadersReadEachOther(String level) throws IOException {
    String subject = subjectWithV1(level);
    Schema v2 = edit(v1(), fields -> fields.add(JSON.readTree(
        "{\"name\":\"tenant\",\"type\":[\"null\",\"string\"],\"default\":null}")));

    RegisteredSchema registered = registration().resolve(subject, v2);
    assertThat(registry.versions(subject)).hasSize(2);
    assertThat(registry.schemaById(registered.id()).getField("tenant")).isNotNull();

    // A consumer still on v1 reads a v2 record; a consumer on v2 reads a v1 record (default null).
    SessionEvent event = sampleEvent();
    byte[] v1Bytes = specific(event);
    GenericRecord asV2 = read(v1Bytes, v1(), v2);
    assertThat(asV2.get("tenant")).isNull();
    asV2.put("tenant", "acme");
    GenericRecord backToV1 = read(generic(asV2, v2), v2, v1());
    assertThat(backToV1.getSchema().getField("tenant")).isNull();
    assertThat(backToV1.get("event_id").toString()).isEqualTo(event.getEventId());
    assertThat(GenericData.get().compare(backToV1, read(v1Bytes, v1(), v1()), v1())).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"FULL_TRANSITIVE", "BACKWARD"})
  void aFieldAddedWithoutADefaultIsRefusedNamingSubjectLevelAndField(String level) throws IOException {
    String subject = subjectWithV1(level);
    Schema v2 = edit(v1(), fields -> fields.add(JSON.readTree("{\"name\":\"tenant\",\"type\":\"string\"}")));

    SchemaRegistryException e = catchThrowableOfType(SchemaRegistryException.class,
        () -> registration().resolve(subject, v2));

    assertThat(e.reason()).isEqualTo(SchemaRegistryException.Reason.INCOMPATIBLE);
    assertThat(e.getMessage()).isEqualTo("schema for subject '" + subject + "' breaks compatibility level " + level
        + ": field 'tenant' is new and has no default, so the new schema cannot read records written with version 1"
        + " (id " + v1Id(subject) + ")" + ADVICE);
    assertThat(registry.versions(subject)).hasSize(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"FULL_TRANSITIVE", "BACKWARD"})
  void aTypeChangeIsRefused(String level) throws IOException {
    String subject = subjectWithV1(level);
    // created_at: timestamp-nanos long -> string
    Schema v2 = edit(v1(), fields -> ((ObjectNode) fields.get(5)).put("type", "string"));

    SchemaRegistryException e = catchThrowableOfType(SchemaRegistryException.class,
        () -> registration().resolve(subject, v2));

    assertThat(e.getMessage()).isEqualTo("schema for subject '" + subject + "' breaks compatibility level " + level
        + ": field 'created_at' changed its type (reader type: STRING not compatible with writer type: LONG), so the"
        + " new schema cannot read records written with version 1 (id " + v1Id(subject) + ")" + ADVICE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"FULL_TRANSITIVE", "BACKWARD"})
  void removingAFieldWithoutADefaultIsRefusedUnderFullTransitiveOnly(String level) throws IOException {
    String subject = subjectWithV1(level);
    Schema v2 = edit(v1(), fields -> fields.remove(3)); // type: string, no default

    if (level.equals("BACKWARD")) {
      registration().resolve(subject, v2); // the new schema ignores the field old records carry
      assertThat(registry.versions(subject)).hasSize(2);
      return;
    }
    SchemaRegistryException e = catchThrowableOfType(SchemaRegistryException.class,
        () -> registration().resolve(subject, v2));
    int id = v1Id(subject);
    assertThat(e.getMessage()).isEqualTo("schema for subject '" + subject + "' breaks compatibility level "
        + "FULL_TRANSITIVE: field 'type' is removed but version 1 (id " + id + ") declares it without a default, so"
        + " consumers still on version 1 (id " + id + ") cannot read the new records" + ADVICE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"FULL_TRANSITIVE"})
  void transitiveLevelsCheckEveryVersionNotOnlyTheLatest(String level) throws IOException {
    String subject = subjectWithV1(level);
    Schema v2 = edit(v1(), fields -> fields.add(JSON.readTree(
        "{\"name\":\"tenant\",\"type\":[\"null\",\"string\"],\"default\":null}")));
    registration().resolve(subject, v2);
    // v3 drops v2's optional field (fine against v2: it has a default) but retypes a v1 field.
    Schema v3 = edit(v1(), fields -> ((ObjectNode) fields.get(5)).put("type", "string"));
    SubjectCheck check = SubjectCheck.of(registry, subject, v3);
    assertThat(check.state()).isEqualTo(SubjectCheck.State.INCOMPATIBLE);
    assertThat(check.messages()).singleElement().asString().contains("field 'created_at' changed its type");
  }

  // ---- helpers ------------------------------------------------------------------------------

  interface FieldsEdit {
    void apply(ArrayNode fields) throws IOException;
  }

  static Schema edit(Schema base, FieldsEdit edit) throws IOException {
    ObjectNode json = (ObjectNode) JSON.readTree(base.toString());
    edit.apply((ArrayNode) json.get("fields"));
    return new Schema.Parser().parse(json.toString());
  }

  static SessionEvent sampleEvent() throws IOException {
    ObjectNode json = (ObjectNode) JSON.readTree("{\"id\":\"evt_1\",\"session_id\":\"sess_1\",\"type\":\"user.message\","
        + "\"created_at\":\"2026-01-01T00:00:00.123456789Z\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]}");
    MappingResult<SessionEvent> r = new EventMapper().map(json);
    if (r instanceof MappingResult.Mapped<SessionEvent> m) {
      return m.record();
    }
    throw new AssertionError("sample does not map: " + r);
  }

  static byte[] specific(SessionEvent e) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
    new SpecificDatumWriter<>(SessionEvent.class).write(e, enc);
    enc.flush();
    return out.toByteArray();
  }

  static byte[] generic(GenericRecord r, Schema schema) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(schema).write(r, enc);
    enc.flush();
    return out.toByteArray();
  }

  static GenericRecord read(byte[] bytes, Schema writer, Schema reader) throws IOException {
    return new GenericDatumReader<GenericRecord>(writer, reader).read(null, DecoderFactory.get().binaryDecoder(bytes, null));
  }
}

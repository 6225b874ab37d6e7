package com.qoder.kafka.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility.SchemaIncompatibilityType;
import org.junit.jupiter.api.Test;

/** The connector's own compatibility verdict, without a registry: levels, directions, nested fields. */
class SchemaEvolutionCheckTest {

  static final Schema V1 = parse("{\"type\":\"record\",\"name\":\"E\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"},"
      + "{\"name\":\"payload\",\"type\":[\"null\",{\"type\":\"record\",\"name\":\"P\",\"fields\":["
      + "{\"name\":\"text\",\"type\":\"string\"}]}],\"default\":null}]}");
  static final Schema NESTED_RETYPED = parse(V1.toString().replace("{\"name\":\"text\",\"type\":\"string\"}",
      "{\"name\":\"text\",\"type\":\"int\"}"));
  static final Schema ID_REMOVED = parse("{\"type\":\"record\",\"name\":\"E\",\"fields\":[{\"name\":\"payload\","
      + "\"type\":[\"null\",{\"type\":\"record\",\"name\":\"P\",\"fields\":[{\"name\":\"text\",\"type\":\"string\"}]}],"
      + "\"default\":null}]}");

  static List<SubjectVersion> versions(Schema... schemas) {
    return java.util.stream.IntStream.range(0, schemas.length)
        .mapToObj(i -> new SubjectVersion("s", i + 1, 10 + i, schemas[i])).toList();
  }

  @Test
  void aNestedFieldIsNamedByItsDottedPath() {
    SchemaEvolution.Refusal r = SchemaEvolution.check("s", "BACKWARD", NESTED_RETYPED, versions(V1)).orElseThrow();
    assertThat(r.field()).isEqualTo("payload.text");
    assertThat(r.type()).isEqualTo(SchemaIncompatibilityType.TYPE_MISMATCH);
    assertThat(r.version()).isEqualTo(1);
    assertThat(r.id()).isEqualTo(10);
  }

  @Test
  void directionFollowsTheLevel() {
    assertThat(SchemaEvolution.check("s", "BACKWARD", ID_REMOVED, versions(V1))).isEmpty();
    SchemaEvolution.Refusal forward = SchemaEvolution.check("s", "FORWARD", ID_REMOVED, versions(V1)).orElseThrow();
    assertThat(forward.backward()).isFalse();
    assertThat(forward.field()).isEqualTo("id");
    assertThat(SchemaEvolution.check("s", "NONE", NESTED_RETYPED, versions(V1))).isEmpty();
    assertThat(SchemaEvolution.check("s", "FULL", V1, versions())).isEmpty();
  }

  @Test
  void onlyTransitiveLevelsLookPastTheLatestVersion() {
    // v1 has id, v2 dropped it (refused only if checked against v1): FORWARD looks at v2 alone.
    Schema v2 = ID_REMOVED;
    assertThat(SchemaEvolution.check("s", "FORWARD", ID_REMOVED, versions(V1, v2))).isEmpty();
    SchemaEvolution.Refusal r = SchemaEvolution.check("s", "FORWARD_TRANSITIVE", ID_REMOVED, versions(V1, v2))
        .orElseThrow();
    assertThat(r.version()).isEqualTo(1);
    assertThat(r.field()).isEqualTo("id");
  }

  @Test
  void anAlreadyRegisteredSchemaIsNeverRefused() {
    assertThat(SchemaEvolution.check("s", "FULL_TRANSITIVE", V1, versions(V1))).isEmpty();
  }

  private static Schema parse(String json) {
    return new Schema.Parser().parse(json);
  }
}

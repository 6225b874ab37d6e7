package com.qoder.kafka.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.qoder.kafka.registry.SchemaRegistryException.Reason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MockSchemaRegistryTest {

  private static final String SCOPE = "mock-registry-test";

  @AfterEach
  void drop() {
    SchemaRegistries.dropMockScope(SCOPE);
  }

  private static SchemaRegistry client() {
    return SchemaRegistries.create(RegistryOptions.of("mock://" + SCOPE));
  }

  @Test
  void clientsOfOneScopeShareIdsAndSchemas() {
    SchemaRegistry producer = client();
    SchemaRegistry consumer = client();

    assertThat(producer.register("events-value", TestSchemas.PING)).isEqualTo(1);
    assertThat(consumer.lookup("events-value", TestSchemas.PING)).isEqualTo(1);
    assertThat(consumer.schemaById(1)).isEqualTo(TestSchemas.PING);
    assertThat(consumer.describe()).isEqualTo("mock://" + SCOPE);

    try (SchemaRegistry otherScope = SchemaRegistries.create(RegistryOptions.of("mock://else"))) {
      assertThatThrownBy(() -> otherScope.schemaById(1))
          .isInstanceOfSatisfying(SchemaRegistryException.class,
              e -> assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND))
          .hasMessage("schema id 1 is not in the registry at mock://else; the record was written"
              + " with another registry, or the schema was deleted (HTTP 404, error 40403:"
              + " Schema 1 not found)");
    } finally {
      SchemaRegistries.dropMockScope("else");
    }
  }

  @Test
  void idsAreGlobalFromOneAndRegistrationIsIdempotent() {
    SchemaRegistry r = client();
    assertThat(r.register("a-value", TestSchemas.PING)).isEqualTo(1);
    assertThat(r.register("b-value", TestSchemas.OTHER)).isEqualTo(2);
    // Same schema text under another subject: same id, as in Confluent's registry.
    assertThat(r.register("c-value", TestSchemas.PING)).isEqualTo(1);
    assertThat(client().register("a-value", TestSchemas.parse(TestSchemas.PING_JSON)))
        .isEqualTo(1);
    assertThat(r.latest("a-value")).isEqualTo(new SubjectVersion("a-value", 1, 1, TestSchemas.PING));
  }

  @Test
  void backwardCompatibleEvolutionGetsANewVersion() {
    SchemaRegistry r = client();
    r.register("s", TestSchemas.PING);
    assertThat(r.checkCompatibility("s", TestSchemas.PING_V2).compatible()).isTrue();
    assertThat(r.register("s", TestSchemas.PING_V2)).isEqualTo(2);
    assertThat(r.latest("s")).isEqualTo(new SubjectVersion("s", 2, 2, TestSchemas.PING_V2));
    assertThat(r.compatibilityLevel("s")).isEqualTo("BACKWARD");
  }

  @Test
  void backwardIncompatibleSchemaIsRejectedLikeA409() {
    SchemaRegistry r = client();
    r.register("qoder.session-events-value", TestSchemas.PING);

    CompatibilityCheck check = r.checkCompatibility("qoder.session-events-value",
        TestSchemas.PING_BREAKING);
    assertThat(check.compatible()).isFalse();
    assertThat(check.messages()).containsExactly(
        "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', location:'/fields/2', description:"
            + "'owner', direction:'BACKWARD', oldSchemaVersion: 1}",
        "{compatibility: 'BACKWARD'}");

    assertThatThrownBy(() -> r.register("qoder.session-events-value", TestSchemas.PING_BREAKING))
        .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.INCOMPATIBLE);
          assertThat(e.httpStatus()).isEqualTo(409);
          assertThat(e.errorCode()).isEqualTo(40901);
        })
        .hasMessage("schema for subject 'qoder.session-events-value' is incompatible with the"
            + " latest registered version under compatibility level BACKWARD: Schema being"
            + " registered is incompatible with an earlier schema for subject"
            + " \"qoder.session-events-value\", details: " + check.messages());
    assertThat(r.latest("qoder.session-events-value").version()).isEqualTo(1);
  }

  @Test
  void levelsFollowConfluentSemantics() {
    MockSchemaRegistry mock = MockSchemaRegistry.forScope(SCOPE);
    mock.register("s", TestSchemas.PING_V2);
    // Dropping a field that has a default: old readers fill it in, so FORWARD holds.
    mock.setCompatibilityLevel("s", "FORWARD");
    assertThat(mock.checkCompatibility("s", TestSchemas.PING).compatible()).isTrue();
    // Adding a required field: FORWARD (old schema reads new data) holds, BACKWARD does not.
    assertThat(mock.checkCompatibility("s", TestSchemas.PING_BREAKING).compatible()).isTrue();
    mock.setCompatibilityLevel("s", "FULL");
    assertThat(mock.checkCompatibility("s", TestSchemas.PING_BREAKING).compatible()).isFalse();
    mock.setCompatibilityLevel("s", "NONE");
    assertThat(mock.register("s", TestSchemas.OTHER)).isEqualTo(2);
    mock.setCompatibilityLevel(null, "FULL_TRANSITIVE");
    assertThat(mock.compatibilityLevel("t")).isEqualTo("FULL_TRANSITIVE");
    assertThatThrownBy(() -> mock.setCompatibilityLevel("s", "SIDEWAYS"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void lookupOfAnAbsentSchemaSaysHowToRegisterIt() {
    SchemaRegistry r = client();
    assertThatThrownBy(() -> r.lookup("orders-value", TestSchemas.PING))
        .isInstanceOfSatisfying(SchemaRegistryException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.NOT_REGISTERED))
        .hasMessage("subject 'orders-value' has no version matching the connector's schema;"
            + " register it (qoder-kafka schemas register) or enable"
            + " schema-registry.auto-register (HTTP 404, error 40401: Subject 'orders-value'"
            + " not found.)");
    r.register("orders-value", TestSchemas.OTHER);
    assertThatThrownBy(() -> r.lookup("orders-value", TestSchemas.PING))
        .isInstanceOfSatisfying(SchemaRegistryException.class,
            e -> assertThat(e.errorCode()).isEqualTo(40403));
    assertThatThrownBy(() -> r.latest("nothing"))
        .hasMessage("subject 'nothing' has no registered version in the registry at mock://"
            + SCOPE + " (HTTP 404, error 40401: Subject 'nothing' not found.)");
  }

  @Test
  void droppingAScopeStartsOver() {
    client().register("a", TestSchemas.OTHER);
    SchemaRegistries.dropMockScope(SCOPE);
    assertThat(client().register("a", TestSchemas.PING)).isEqualTo(1);
    assertThat(client().schemaById(1)).isEqualTo(TestSchemas.PING);
  }
}

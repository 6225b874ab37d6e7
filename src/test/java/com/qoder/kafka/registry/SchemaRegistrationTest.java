package com.qoder.kafka.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.qoder.kafka.registry.SchemaRegistryException.Reason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SchemaRegistrationTest {

  private static final String SCOPE = "schema-registration-test";
  private static final RegistryOptions OPTIONS = RegistryOptions.of("mock://" + SCOPE);

  @AfterEach
  void drop() {
    SchemaRegistries.dropMockScope(SCOPE);
  }

  @Test
  void autoRegisterRegistersOnceAndKeepsTheId() {
    SchemaRegistry registry = SchemaRegistries.create(OPTIONS);
    SchemaRegistration registration = new SchemaRegistration(registry, OPTIONS);

    RegisteredSchema value = registration.forValue("qoder.session-events", TestSchemas.PING);
    RegisteredSchema again = new SchemaRegistration(SchemaRegistries.create(OPTIONS), OPTIONS)
        .forValue("qoder.session-events", TestSchemas.PING);
    RegisteredSchema key = registration.forKey("qoder.session-events", TestSchemas.OTHER);

    assertThat(value).isEqualTo(
        new RegisteredSchema("qoder.session-events-value", 1, TestSchemas.PING));
    assertThat(again).isEqualTo(value);
    assertThat(key).isEqualTo(new RegisteredSchema("qoder.session-events-key", 2, TestSchemas.OTHER));
    assertThat(value.toString()).isEqualTo(
        "RegisteredSchema[subject=qoder.session-events-value, id=1, schema=com.qoder.test.Ping]");
  }

  @Test
  void withoutAutoRegisterAnAbsentSchemaFailsClearly() {
    RegistryOptions off = OPTIONS.withAutoRegister(false);
    SchemaRegistration registration = new SchemaRegistration(SchemaRegistries.create(off), off);

    assertThatThrownBy(() -> registration.forValue("qoder.session-events", TestSchemas.PING))
        .isInstanceOfSatisfying(SchemaRegistryException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.NOT_REGISTERED))
        .hasMessageStartingWith("subject 'qoder.session-events-value' has no version matching the"
            + " connector's schema; register it (qoder-kafka schemas register) or enable"
            + " schema-registry.auto-register");

    // Once an operator registered it, start-up finds it without registering anything.
    SchemaRegistries.create(OPTIONS).register("qoder.session-events-value", TestSchemas.PING);
    assertThat(registration.forValue("qoder.session-events", TestSchemas.PING).id()).isEqualTo(1);
  }

  @Test
  void subjectFollowsTheConfiguredStrategy() {
    RegistryOptions byRecord = OPTIONS.withSubjectNameStrategy(SubjectNameStrategy.TOPIC_RECORD);
    RegisteredSchema r = new SchemaRegistration(SchemaRegistries.create(byRecord), byRecord)
        .forValue("alerts", TestSchemas.PING);
    assertThat(r.subject()).isEqualTo("alerts-com.qoder.test.Ping");
  }
}

package com.qoder.kafka.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.avro.Schemas;
import com.qoder.kafka.registry.FakeConfluentRegistry;
import com.qoder.kafka.registry.RegistryOptions;
import com.qoder.kafka.registry.SchemaRegistries;
import com.qoder.kafka.registry.SchemaRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

class SchemasCommandTest {

  /** An older SessionEvent that the connector's cannot read: its fields have no defaults. */
  private static final Schema INCOMPATIBLE_EVENT = SchemaBuilder.record("SessionEvent")
      .namespace("com.qoder.kafka.avro.v1").fields().requiredString("legacy").endRecord();

  private final String scope = "schemas-" + UUID.randomUUID().toString().substring(0, 8);

  @Test
  void printShowsEverySchemaAsJsonWithItsTopicsAndSubjects() {
    Cli.Result r = Cli.run(Map.of(), "schemas", "print", "--set", "schema-registry.url=mock://" + scope,
        "--set", "sources.resources.enabled=false");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("// topic qoder.session-events -> subject qoder.session-events-value (strategy topic)\n")
        .contains("// topic qoder.session-errors -> subject qoder.session-errors-value (strategy topic)\n")
        .contains("// topic qoder.session-resources -> subject qoder.session-resources-value (strategy topic)"
            + "  [not produced: sources.resources.enabled=false]\n");

    // Each block: comment lines, then the pretty JSON of one schema, in the order of Schemas.all().
    List<Schema> printed = new ArrayList<>();
    for (String block : r.out().split("\n\n")) {
      String json = block.lines().filter(l -> !l.startsWith("//")).collect(Collectors.joining("\n"));
      printed.add(new Schema.Parser().parse(json));
      assertThat(json).contains("\n  \"type\" : \"record\""); // pretty, not one line
    }
    assertThat(printed).containsExactlyElementsOf(Schemas.all().values());

    Cli.Result record = Cli.run(Map.of(), "schemas", "print", "--set", "schema-registry.subject-name-strategy=record");
    assertThat(record.out()).contains(
        "// topic qoder.session-events -> subject com.qoder.kafka.avro.v1.SessionEvent (strategy record)");
  }

  @Test
  void registerThenCheckAgainstTheInProcessRegistry() {
    String url = "schema-registry.url=mock://" + scope;
    Cli.Result before = Cli.run(Map.of(), "schemas", "check", "--set", url, "--set", "sources.resources.enabled=false");
    assertThat(before.exit()).as(before.toString()).isZero();
    assertThat(before.out())
        .contains("qoder.session-events-value  NOT REGISTERED  (run registers it at start-up: auto-register is on)")
        .contains("qoder.session-errors-value  NOT REGISTERED")
        .doesNotContain("qoder.session-resources-value"); // source disabled: not checked
    Cli.Result strict = Cli.run(Map.of(), "schemas", "check", "--set", url, "--set", "schema-registry.auto-register=false");
    assertThat(strict.exit()).as(strict.toString()).isEqualTo(1);
    assertThat(strict.out()).contains("(run will refuse to start: auto-register is off; use schemas register)");

    Cli.Result register = Cli.run(Map.of(), "schemas", "register", "--set", url, "--set", "sources.files.enabled=true");
    assertThat(register.exit()).as(register.toString()).isZero();
    assertThat(register.out())
        .containsPattern("qoder.session-events-value  REGISTERED  id \\d+  \\(com.qoder.kafka.avro.v1.SessionEvent, "
            + "topics qoder.session-events\\)")
        .contains("qoder.session-errors-value  REGISTERED")
        .contains("qoder.files-value  REGISTERED")
        .contains("# registry mock://" + scope);

    try (SchemaRegistry registry = SchemaRegistries.create(RegistryOptions.of("mock://" + scope))) {
      int id = registry.lookup("qoder.session-events-value", Schemas.sessionEvent());
      Cli.Result after = Cli.run(Map.of(), "schemas", "check", "--set", url);
      assertThat(after.exit()).as(after.toString()).isZero();
      assertThat(after.out()).contains("qoder.session-events-value  COMPATIBLE  with version 1 (BACKWARD), "
          + "this schema is registered as id " + id);
    }
  }

  @Test
  void incompatibleSubjectsFailCheckAndRegisterInTheInProcessRegistry() {
    try (SchemaRegistry registry = SchemaRegistries.create(RegistryOptions.of("mock://" + scope))) {
      registry.register("qoder.session-events-value", INCOMPATIBLE_EVENT);
    }
    String url = "schema-registry.url=mock://" + scope;
    Cli.Result check = Cli.run(Map.of(), "schemas", "check", "--set", url);
    assertThat(check.exit()).as(check.toString()).isEqualTo(1);
    assertThat(check.out()).contains("qoder.session-events-value  INCOMPATIBLE  with version 1 (BACKWARD)")
        .contains("qoder.session-errors-value  NOT REGISTERED");
    assertThat(messagesAfter(check.out(), "qoder.session-events-value  INCOMPATIBLE")).isNotEmpty();

    Cli.Result register = Cli.run(Map.of(), "schemas", "register", "--set", url);
    assertThat(register.exit()).as(register.toString()).isEqualTo(1);
    assertThat(register.out()).contains("qoder.session-events-value  REFUSED  ")
        .contains("qoder.session-errors-value  REGISTERED")
        .contains("1 subject(s) refused");
  }

  @Test
  void checkSpeaksTheRegistryHttpProtocolWithAuthentication() {
    try (FakeConfluentRegistry fake = FakeConfluentRegistry.start()) {
      fake.requireAuthorization("Basic " + Base64.getEncoder().encodeToString("svc:pw".getBytes(StandardCharsets.UTF_8)));
      fake.preload("qoder.session-events-value", INCOMPATIBLE_EVENT);
      int errorsId = fake.preload("qoder.session-errors-value", Schemas.sessionEvent());

      Cli.Result r = Cli.run(Map.of("SCHEMA_REGISTRY_URL", fake.url(), "SCHEMA_REGISTRY_BASIC_AUTH", "svc:pw"),
          "schemas", "check", "--set", "sources.resources.enabled=true");

      assertThat(r.exit()).as(r.toString()).isEqualTo(1);
      assertThat(r.out())
          .contains("qoder.session-events-value  INCOMPATIBLE  with version 1 (BACKWARD)")
          .contains("qoder.session-errors-value  COMPATIBLE  with version 1 (BACKWARD), this schema is registered as id "
              + errorsId)
          .contains("qoder.session-resources-value  NOT REGISTERED")
          .contains("# registry " + fake.url());
      assertThat(messagesAfter(r.out(), "qoder.session-events-value  INCOMPATIBLE"))
          .anySatisfy(m -> assertThat(m).contains("READER_FIELD_MISSING_DEFAULT_VALUE"))
          .anySatisfy(m -> assertThat(m).isEqualTo("{compatibility: 'BACKWARD'}"));
      assertThat(fake.requests().stream().map(q -> q.method() + " " + q.uri()).toList())
          .anySatisfy(u -> assertThat(u)
              .startsWith("POST /compatibility/subjects/qoder.session-events-value/versions/latest?")
              .contains("verbose=true"));
      assertThat(r.out() + r.err()).doesNotContain("svc:pw");
    }
  }

  /** The indented message lines under a subject's line. */
  private static List<String> messagesAfter(String out, String line) {
    List<String> lines = out.lines().toList();
    int i = 0;
    while (i < lines.size() && !lines.get(i).startsWith(line)) {
      i++;
    }
    List<String> messages = new ArrayList<>();
    for (i++; i < lines.size() && lines.get(i).startsWith("    "); i++) {
      messages.add(lines.get(i).trim());
    }
    return messages;
  }
}

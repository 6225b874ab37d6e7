package com.qoder.kafka.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.IntegrationTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.qoder.kafka.avro.Schemas;
import com.qoder.kafka.registry.ApicurioRegistry;
import com.qoder.kafka.registry.RegistryOptions;
import com.qoder.kafka.registry.SchemaRegistries;
import com.qoder.kafka.registry.SchemaRegistry;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/**
 * A schema the registry refuses stops {@code run} at start-up with the connector's own finding
 * (subject, level, field), and {@code schemas check} says the same before deployment — against
 * Apicurio, whose 409 names only a JSON pointer.
 */
@IntegrationTest
class EvolutionCliTest {

  @Test
  void runAndSchemasCheckNameSubjectLevelAndFieldOfARefusedSchema() throws Exception {
    ApicurioRegistry apicurio = ApicurioRegistry.get();
    String topic = "evo-cli-" + UUID.randomUUID().toString().substring(0, 8);
    String subject = topic + "-value";
    // The subject already holds a newer schema with a required field this connector's schema lacks
    // (a downgrade, or a producer that added a field without a default): FULL_TRANSITIVE refuses it.
    ObjectNode json = (ObjectNode) new ObjectMapper().readTree(Schemas.sessionEvent().toString());
    ((ArrayNode) json.get("fields")).addObject().put("name", "tenant").put("type", "string");
    int id;
    try (SchemaRegistry registry = SchemaRegistries.create(RegistryOptions.of(apicurio.url()))) {
      id = registry.register(subject, new Schema.Parser().parse(json.toString()));
    }
    apicurio.setCompatibility(subject, "FULL_TRANSITIVE");
    String expected = "schema for subject '" + subject + "' breaks compatibility level FULL_TRANSITIVE: field"
        + " 'tenant' is removed but version 1 (id " + id + ") declares it without a default, so consumers still on"
        + " version 1 (id " + id + ") cannot read the new records; add fields only with a default, never remove or"
        + " retype a field without one (schemas/README.md), or publish the change under a new subject";
    String[] settings = {"--set", "schema-registry.url=" + apicurio.url(), "--set", "kafka.topics.events=" + topic,
        "--set", "kafka.topics.errors=" + topic + ".errors", "--set", "sources.resources.enabled=false"};

    Cli.Result check = Cli.run(Map.of(), concat(new String[] {"schemas", "check"}, settings));
    assertThat(check.exit()).as("%s", check).isEqualTo(1);
    assertThat(check.out()).contains(subject + "  INCOMPATIBLE  with version 1 (FULL_TRANSITIVE)\n    " + expected + "\n");

    Cli.Result run = Cli.run(Map.of(), concat(new String[] {"run", "--ops-port", "0", "--set", "qoder.token=t",
        "--set", "kafka.bootstrap-servers=127.0.0.1:9"}, settings));
    assertThat(run.exit()).as("%s", run).isEqualTo(1);
    assertThat(run.err()).isEqualTo("qoder-kafka could not start: " + expected + "\n");
  }

  private static String[] concat(String[] a, String[] b) {
    String[] r = new String[a.length + b.length];
    System.arraycopy(a, 0, r, 0, a.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}

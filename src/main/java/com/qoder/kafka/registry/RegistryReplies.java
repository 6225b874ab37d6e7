package com.qoder.kafka.registry;

import static com.qoder.kafka.registry.RegistryResponse.abbreviate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.qoder.kafka.registry.RegistryResponse.ErrorBody;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * What the registry's JSON means: the request body {@link HttpSchemaRegistry} sends, the fields an
 * operation reads from a 200, and the {@link SchemaRegistryException} an answer no operation claimed
 * maps to. Every error names the registry and the operation.
 */
final class RegistryReplies {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String registryName;
  private final RegistryAuth auth;

  RegistryReplies(String registryName, RegistryAuth auth) {
    this.registryName = registryName;
    this.auth = auth;
  }

  /** {@code {"schema": "<Schema.toString()>"}}: the compact JSON Confluent's AvroSchema sends. */
  static byte[] schemaBody(Schema schema) {
    ObjectNode node = JSON.createObjectNode();
    node.put("schema", schema.toString());
    try {
      return JSON.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON string", e);
    }
  }

  int requiredInt(RegistryResponse r, String op, String field) {
    try {
      JsonNode node = r.json().get(field);
      if (node == null || !node.canConvertToInt()) {
        throw RegistryErrors.unreadable(registryName, op,
            "no integer '" + field + "' in " + abbreviate(r.body(), 200), null);
      }
      return node.intValue();
    } catch (JsonProcessingException e) {
      throw RegistryErrors.unreadable(registryName, op, e.getOriginalMessage(), e);
    }
  }

  Schema parseAvro(RegistryResponse r, String op, JsonNode body) {
    String type = body.path("schemaType").asText("AVRO");
    if (!"AVRO".equalsIgnoreCase(type)) {
      throw RegistryErrors.unreadable(registryName, op,
          "the schema is of type " + type + "; this connector reads Avro only", null);
    }
    JsonNode schema = body.get("schema");
    if (schema == null || !schema.isTextual()) {
      throw RegistryErrors.unreadable(registryName, op,
          "no 'schema' string in " + abbreviate(r.body(), 200), null);
    }
    try {
      // Defaults of already-registered schemas are not re-validated (as Confluent's AvroSchema
      // for schemas it did not create): a reader must accept what the registry holds.
      return new Schema.Parser().setValidateDefaults(false).parse(schema.asText());
    } catch (SchemaParseException e) {
      throw RegistryErrors.unreadable(registryName, op,
          "the schema is not valid Avro: " + e.getMessage(), e);
    }
  }

  CompatibilityCheck parseCompatibility(RegistryResponse r, String op)
      throws JsonProcessingException {
    JsonNode body = r.json();
    JsonNode flag = body.get("is_compatible");
    if (flag == null || !flag.isBoolean()) {
      throw RegistryErrors.unreadable(registryName, op,
          "no boolean 'is_compatible' in " + abbreviate(r.body(), 200), null);
    }
    List<String> messages = new ArrayList<>();
    body.path("messages").forEach(m -> messages.add(m.asText()));
    if (!flag.booleanValue() && messages.isEmpty()) {
      messages.add("Schemas are incompatible"); // what Confluent's RestService reports then
    }
    return new CompatibilityCheck(flag.booleanValue(), flag.booleanValue() ? List.of() : messages);
  }

  String compatibilityLevel(RegistryResponse r, String op) throws JsonProcessingException {
    JsonNode body = r.json();
    // GET /config answers "compatibilityLevel"; some older servers echo "compatibility".
    JsonNode level = body.hasNonNull("compatibilityLevel")
        ? body.get("compatibilityLevel") : body.get("compatibility");
    if (level == null || !level.isTextual()) {
      throw RegistryErrors.unreadable(registryName, op,
          "no 'compatibilityLevel' in " + abbreviate(r.body(), 200), null);
    }
    return level.asText();
  }

  /** Maps an answer no operation-specific rule claimed. */
  SchemaRegistryException failure(RegistryResponse r, String op, String subject) {
    ErrorBody e = r.error();
    if (r.status() == 401 || r.status() == 403) {
      return RegistryErrors.unauthorized(registryName, auth, op, r.status(), e.code(),
          e.message());
    }
    if (r.status() >= 500 || r.status() == 429) {
      return RegistryErrors.serverError(registryName, op, r.status(), e.code(), e.message(),
          r.attempts());
    }
    if (r.status() == 422 && e.code() == RegistryErrors.INVALID_SCHEMA && subject != null) {
      return RegistryErrors.invalidSchema(subject, r.status(), e.code(), e.message());
    }
    if (r.status() == 404 && (e.code() < 40400 || e.code() > 40499)) {
      // A plain 404, not one of the registry's own 404xx codes: the path itself is unknown.
      return RegistryErrors.noSuchEndpoint(registryName, op, r.status(), e.code(), e.message());
    }
    return RegistryErrors.unexpected(registryName, op, r.status(), e.code(), e.message());
  }
}

package com.qoder.kafka.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** One answered HTTP exchange with the registry: its status and body, and the attempts it took. */
record RegistryResponse(int status, String body, int attempts) {

  private static final ObjectMapper JSON = new ObjectMapper();

  RegistryResponse withAttempts(int n) {
    return new RegistryResponse(status, body, n);
  }

  JsonNode json() throws JsonProcessingException {
    return JSON.readTree(body);
  }

  ErrorBody error() {
    return ErrorBody.parse(body);
  }

  /** Confluent's {@code ErrorMessage}: {@code {"error_code": 40401, "message": "..."}}. */
  record ErrorBody(int code, String message) {

    static ErrorBody parse(String body) {
      if (body == null || body.isBlank()) {
        return new ErrorBody(0, null);
      }
      try {
        JsonNode node = JSON.readTree(body);
        if (node != null && node.isObject()) {
          return new ErrorBody(node.path("error_code").asInt(0),
              node.hasNonNull("message") ? node.get("message").asText() : null);
        }
      } catch (JsonProcessingException e) {
        // Not JSON (a proxy's HTML page, say): keep the text, as Confluent's client does.
      }
      return new ErrorBody(RegistryErrors.UNPARSEABLE_ERROR_BODY, abbreviate(body, 300));
    }
  }

  static String abbreviate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "…";
  }
}

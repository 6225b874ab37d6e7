package com.qoder.kafka.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/** A complete HTTP answer: status, JSON body bytes and extra headers. */
record Answer(int status, byte[] body, Map<String, String> headers) {

  static Answer ok(byte[] body) {
    return new Answer(200, body, Map.of());
  }

  static Answer error(ObjectMapper mapper, ApiError e) {
    return error(mapper, e, Map.of());
  }

  static Answer error(ObjectMapper mapper, ApiError e, Map<String, String> headers) {
    ObjectNode root = mapper.createObjectNode().put("type", "error");
    root.putObject("error").put("type", e.type).put("message", e.getMessage());
    try {
      return new Answer(e.status, mapper.writeValueAsBytes(root), headers);
    } catch (com.fasterxml.jackson.core.JsonProcessingException x) {
      throw new IllegalStateException(x);
    }
  }
}

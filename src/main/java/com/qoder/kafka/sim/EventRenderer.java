package com.qoder.kafka.sim;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes one event as the JSON of document 002. The content (messages, usage, errors) is derived
 * from the session seed and the event's index, so rendering the same event twice gives the same
 * bytes and nothing but ids, kinds and timestamps needs to be stored.
 *
 * <p>Field order follows the document's example: id, type, type-specific fields, session_id,
 * turn_id, schema_version, created_at, processed_at; extra fields (tests, unknown types) last. An
 * extra field with the name of a standard field replaces it.
 */
final class EventRenderer {

  private static final String[] PROMPTS = {
      "Hello, this is a test message.",
      "Refactor the payment service to use the new retry helper.",
      "Why does the integration test fail on CI but not locally?",
      "Write unit tests for the CSV parser, including quoted fields.",
      "Summarise the changes in the last three commits.",
      "Upgrade the project to Java 21 and fix the deprecation warnings.",
      "Add pagination to the /orders endpoint.",
      "Explain what this regular expression matches: ^(?:[a-z0-9-]+\\.)+[a-z]{2,}$",
      "Find the memory leak in the websocket handler. 内存一直在涨。",
      "Draft release notes for version 2.4 — keep it short ✨",
  };

  private static final String[] REPLIES = {
      "I've updated the service and added tests for the retry path.",
      "The failure comes from a time-zone assumption in the fixture; CI runs in UTC.",
      "Here is a summary of the changes:\n- new cursor type\n- fixed the off-by-one in paging",
      "Done. The build passes and the deprecation warnings are gone.",
      "I added `limit` and `after_id` parameters and documented them in the README.",
      "The regex matches dotted host names ending in a TLD of at least two letters.",
      "The handler kept a reference to every closed session in a static map; I removed it.",
      "Release notes drafted in CHANGELOG.md. Let me know if you want a shorter version.",
  };

  private static final String[][] ERRORS = {
      {"The operation was aborted due to timeout", "unknown_error", "TimeoutError", "exhausted"},
      {"Model provider returned 529: overloaded", "overloaded_error", "ProviderError", "retrying"},
      {"Sandbox exited with code 137", "sandbox_error", "SandboxCrash", "exhausted"},
      {"Context window exceeded", "invalid_request_error", "ContextLengthError", "exhausted"},
  };

  private static final String PADDING =
      "The quick brown fox jumps over the lazy dog while the build log keeps scrolling. ";

  private EventRenderer() {}

  static void write(JsonGenerator g, ObjectMapper mapper, SimSession s, EventLog log, int i)
      throws IOException {
    EventKind kind = log.kind(i);
    EventLog.Extra extra = log.extra(i);
    ObjectNode fields = extra == null ? null : extra.fields();
    int contentBytes = extra == null ? 0 : extra.contentBytes();
    SplittableRandom c = new SplittableRandom(Ids.mix64(s.seed + 0x9E3779B97F4A7C15L * (i + 1)));
    String created = SimTime.format(log.created(i));

    g.writeStartObject();
    field(g, fields, "id", log.id(i));
    field(g, fields, "type", kind == EventKind.CUSTOM ? extra.customType() : kind.wireType);
    switch (kind) {
      case USER_MESSAGE -> field(g, fields, "content",
          contentBytes > 0 ? padding(contentBytes) : PROMPTS[c.nextInt(PROMPTS.length)]);
      case AGENT_MESSAGE -> {
        if (absent(fields, "content")) {
          g.writeArrayFieldStart("content");
          int blocks = contentBytes > 0 ? 1 : 1 + c.nextInt(2);
          for (int b = 0; b < blocks; b++) {
            g.writeStartObject();
            g.writeStringField("type", "text");
            g.writeStringField("text", contentBytes > 0 ? padding(contentBytes) : REPLIES[c.nextInt(REPLIES.length)]);
            g.writeEndObject();
          }
          g.writeEndArray();
        }
      }
      case STATUS_IDLE -> {
        field(g, fields, "status", "idle");
        if (absent(fields, "usage")) {
          g.writeObjectFieldStart("usage");
          g.writeNumberField("input_tokens", 50 + c.nextInt(20_000));
          g.writeNumberField("output_tokens", 10 + c.nextInt(4_000));
          g.writeNumberField("cache_read_input_tokens", c.nextBoolean() ? 0 : c.nextInt(50_000));
          g.writeNumberField("cache_creation_input_tokens", c.nextBoolean() ? 0 : c.nextInt(8_000));
          g.writeEndObject();
        }
        if (absent(fields, "stop_reason")) {
          g.writeObjectFieldStart("stop_reason");
          g.writeStringField("type", "end_turn");
          g.writeEndObject();
        }
      }
      case SESSION_ERROR -> {
        String[] e = ERRORS[c.nextInt(ERRORS.length)];
        if (absent(fields, "error")) {
          g.writeObjectFieldStart("error");
          g.writeStringField("message", e[0]);
          g.writeStringField("type", e[1]);
          g.writeEndObject();
        }
        if (absent(fields, "details")) {
          g.writeObjectFieldStart("details");
          g.writeStringField("message", e[0]);
          g.writeStringField("name", e[2]);
          g.writeEndObject();
        }
        if (absent(fields, "retry_status")) {
          g.writeObjectFieldStart("retry_status");
          g.writeStringField("type", e[3]);
          g.writeEndObject();
        }
      }
      case CUSTOM -> {
        if (fields == null) {
          writeUnknownFields(g, c);
        }
      }
      default -> { }
    }
    if (contentBytes > 0 && kind != EventKind.USER_MESSAGE && kind != EventKind.AGENT_MESSAGE) {
      field(g, fields, "content", padding(contentBytes));
    }
    field(g, fields, "session_id", s.id);
    field(g, fields, "turn_id", Ids.hex32("turn_", log.turnHi(log.turn(i)), log.turnLo(log.turn(i))));
    field(g, fields, "schema_version", "1.0");
    field(g, fields, "created_at", created);
    field(g, fields, "processed_at", created);
    if (fields != null) {
      for (Map.Entry<String, JsonNode> e : fields.properties()) {
        g.writeFieldName(e.getKey());
        mapper.writeTree(g, e.getValue());
      }
    }
    g.writeEndObject();
  }

  /** Fields a future API version might send: nested objects, arrays, numbers, nulls. */
  private static void writeUnknownFields(JsonGenerator g, SplittableRandom c) throws IOException {
    g.writeObjectFieldStart("tool");
    g.writeStringField("name", c.nextBoolean() ? "bash" : "read_file");
    g.writeObjectFieldStart("input");
    g.writeStringField("command", "ls -la /workspace");
    g.writeNumberField("timeout_ms", 30_000);
    g.writeEndObject();
    g.writeEndObject();
    g.writeArrayFieldStart("x_labels");
    g.writeString("experimental");
    g.writeString("v" + (2 + c.nextInt(3)));
    g.writeEndArray();
    g.writeNumberField("x_score", c.nextInt(1000) / 10.0);
    g.writeNullField("x_parent_id");
  }

  private static void field(JsonGenerator g, ObjectNode fields, String name, String value)
      throws IOException {
    if (absent(fields, name)) {
      g.writeStringField(name, value);
    }
  }

  private static boolean absent(ObjectNode fields, String name) {
    return fields == null || !fields.has(name);
  }

  static String padding(int bytes) {
    StringBuilder sb = new StringBuilder(bytes);
    while (sb.length() < bytes) {
      sb.append(PADDING, 0, Math.min(PADDING.length(), bytes - sb.length()));
    }
    return sb.toString();
  }
}

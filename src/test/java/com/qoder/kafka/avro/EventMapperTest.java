package com.qoder.kafka.avro;

import static com.qoder.kafka.avro.RoundTrips.assertEventRoundTrips;
import static com.qoder.kafka.avro.RoundTrips.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.qoder.kafka.avro.v1.AgentMessage;
import com.qoder.kafka.avro.v1.AgentThinking;
import com.qoder.kafka.avro.v1.ContentBlock;
import com.qoder.kafka.avro.v1.SessionError;
import com.qoder.kafka.avro.v1.SessionEvent;
import com.qoder.kafka.avro.v1.SessionStatusIdle;
import com.qoder.kafka.avro.v1.SessionStatusRescheduled;
import com.qoder.kafka.avro.v1.SpanModelRequestEnd;
import com.qoder.kafka.avro.v1.SpanModelRequestStart;
import com.qoder.kafka.avro.v1.Terminated;
import com.qoder.kafka.avro.v1.UnknownEvent;
import com.qoder.kafka.avro.v1.UserMessage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class EventMapperTest {

  private static final String SESSION = "sess_019e392c0d1e74e095d21ea4c6b41def";
  private static final String TURN = "turn_019e392c0d787ceea6bb62943f9ac3ec";

  /** Document 002's type-specific example fields wrapped in the envelope of its page example. */
  private static ObjectNode event(String type, String specificMembers) {
    return parse("{\"id\": \"evt_771c1195bcbd4a07834d4ed4dd6450ca\", \"type\": \"" + type + "\","
        + specificMembers
        + "\"session_id\": \"" + SESSION + "\", \"turn_id\": \"" + TURN + "\","
        + "\"schema_version\": \"1.0\", \"created_at\": \"2026-05-18T03:40:50.321Z\","
        + "\"processed_at\": \"2026-05-18T03:40:50.321Z\"}");
  }

  @Test
  void userMessageOfTheDocumentKeepsEveryFieldAndNanoseconds() {
    ObjectNode json = parse("""
        {
          "id": "evt_019e392c0d787cfaa21bda98e06cd913",
          "type": "user.message",
          "content": "Hello, this is a test message.",
          "session_id": "sess_019e392c0d1e74e095d21ea4c6b41def",
          "turn_id": "turn_019e392c0d787ceea6bb62943f9ac3ec",
          "schema_version": "1.0",
          "created_at": "2026-05-18T03:40:48.888851795Z",
          "processed_at": "2026-05-18T03:40:48.888851795Z"
        }""");

    SessionEvent record = assertEventRoundTrips(json);

    assertThat(record.getEventId()).isEqualTo("evt_019e392c0d787cfaa21bda98e06cd913");
    assertThat(record.getSessionId()).isEqualTo(SESSION);
    assertThat(record.getTurnId()).isEqualTo(TURN);
    assertThat(record.getType()).isEqualTo("user.message");
    assertThat(record.getSchemaVersion()).isEqualTo("1.0");
    assertThat(record.getCreatedAt()).isEqualTo(Instant.parse("2026-05-18T03:40:48.888851795Z"));
    assertThat(record.getCreatedAt().getNano()).isEqualTo(888_851_795);
    assertThat(record.getProcessedAt()).isEqualTo(record.getCreatedAt());
    assertThat(record.getPayload()).isEqualTo(new UserMessage("Hello, this is a test message."));
    assertThat(record.getExtraJson()).isNull();
    // Exactly, not only as instants: nine fraction digits are written back as they came.
    assertThat(EventJson.toJson(record)).isEqualTo(json);
  }

  @Test
  void agentMessageContentBlocksAreTyped() {
    SessionEvent record = assertEventRoundTrips(event("agent.message",
        "\"content\": [{\"type\": \"text\", \"text\": \"The agent's reply text.\"}],"));

    assertThat(record.getPayload()).isEqualTo(
        new AgentMessage(java.util.List.of(new ContentBlock("text", "The agent's reply text.", null))));
    assertThat(record.getExtraJson()).isNull();
  }

  @Test
  void statusIdleKeepsUsageAndStopReason() {
    SessionEvent record = assertEventRoundTrips(event("session.status_idle", """
        "status": "idle",
        "usage": {"input_tokens": 150, "output_tokens": 42, "cache_read_input_tokens": 0,
                  "cache_creation_input_tokens": 0},
        "stop_reason": {"type": "end_turn"},"""));

    SessionStatusIdle idle = (SessionStatusIdle) record.getPayload();
    assertThat(idle.getStatus()).isEqualTo("idle");
    assertThat(idle.getUsage().getInputTokens()).isEqualTo(150L);
    assertThat(idle.getUsage().getOutputTokens()).isEqualTo(42L);
    assertThat(idle.getUsage().getCacheReadInputTokens()).isZero();
    assertThat(idle.getUsage().getCacheCreationInputTokens()).isZero();
    assertThat(idle.getUsage().getExtraJson()).isNull();
    assertThat(idle.getStopReason().getType()).isEqualTo("end_turn");
    assertThat(record.getExtraJson()).isNull();
  }

  @Test
  void sessionErrorKeepsErrorDetailsAndRetryStatus() {
    SessionEvent record = assertEventRoundTrips(event("session.error", """
        "error": {"message": "The operation was aborted due to timeout", "type": "unknown_error"},
        "details": {"message": "The operation was aborted due to timeout", "name": "TimeoutError"},
        "retry_status": {"type": "exhausted"},"""));

    SessionError error = (SessionError) record.getPayload();
    assertThat(error.getError().getMessage()).isEqualTo("The operation was aborted due to timeout");
    assertThat(error.getError().getType()).isEqualTo("unknown_error");
    assertThat(error.getDetails().getName()).isEqualTo("TimeoutError");
    assertThat(error.getDetails().getMessage()).isEqualTo("The operation was aborted due to timeout");
    assertThat(error.getRetryStatus().getType()).isEqualTo("exhausted");
    assertThat(record.getExtraJson()).isNull();
  }

  @ParameterizedTest
  @CsvSource({
      "agent.thinking, AgentThinking",
      "session.status_rescheduled, SessionStatusRescheduled",
      "span.model_request_start, SpanModelRequestStart",
      "span.model_request_end, SpanModelRequestEnd",
      "terminated, Terminated"})
  void typesWithoutSpecificFieldsGetTheirOwnPayload(String type, String payloadName) {
    SessionEvent record = assertEventRoundTrips(event(type, ""));

    assertThat(record.getPayload().getClass().getSimpleName()).isEqualTo(payloadName);
    assertThat(record.getExtraJson()).isNull();
  }

  @Test
  void everyDocumentedTypeHasItsOwnPayloadRecord() {
    var payloads = new java.util.HashSet<Class<?>>();
    for (String type : EventMapper.DOCUMENTED_TYPES) {
      payloads.add(RoundTrips.mapped(event(type, "")).getPayload().getClass());
    }
    assertThat(payloads).hasSize(EventMapper.DOCUMENTED_TYPES.size()).doesNotContain(UnknownEvent.class)
        .contains(UserMessage.class, AgentMessage.class, AgentThinking.class,
            SessionStatusRescheduled.class, SessionStatusIdle.class, SessionError.class,
            SpanModelRequestStart.class, SpanModelRequestEnd.class, Terminated.class);
  }

  @Test
  void statusRescheduledOfThePageExampleWithMillisecondTimestamps() {
    SessionEvent record = assertEventRoundTrips(parse("""
        {
          "id": "evt_771c1195bcbd4a07834d4ed4dd6450ca",
          "type": "session.status_rescheduled",
          "session_id": "sess_019e392c0d1e74e095d21ea4c6b41def",
          "turn_id": "turn_019e392c0d787ceea6bb62943f9ac3ec",
          "schema_version": "1.0",
          "created_at": "2026-05-18T03:40:50.321Z",
          "processed_at": "2026-05-18T03:40:50.321Z"
        }"""));

    assertThat(record.getPayload()).isInstanceOf(SessionStatusRescheduled.class);
    assertThat(record.getCreatedAt()).isEqualTo(Instant.parse("2026-05-18T03:40:50.321Z"));
  }

  @Test
  void unknownTypeKeepsTheWholeEventVerbatim() {
    ObjectNode json = parse("""
        {"id": "evt_1", "type": "tool.invocation", "session_id": "sess_1",
         "created_at": "2026-05-18T03:40:50.32100+02:00",
         "tool": {"name": "bash", "input": {"cmd": ["ls", "-l"], "timeout": 1.5}},
         "flags": [true, false, null], "turn_id": null}""");

    SessionEvent record = assertEventRoundTrips(json);

    assertThat(record.getType()).isEqualTo("tool.invocation");
    assertThat(record.getPayload()).isInstanceOf(UnknownEvent.class);
    assertThat(RoundTrips.parse(((UnknownEvent) record.getPayload()).getRawJson())).isEqualTo(json);
    assertThat(record.getExtraJson()).as("raw_json already holds everything").isNull();
    // The envelope is still filled, for routing and filtering without parsing raw_json.
    assertThat(record.getCreatedAt()).isEqualTo(Instant.parse("2026-05-18T01:40:50.321Z"));
    assertThat(record.getTurnId()).isNull();
    // An unknown event comes back byte for byte, timestamps as sent.
    assertThat(EventJson.toJson(record)).isEqualTo(json);
  }

  @Test
  void unknownMembersOfAKnownTypeAreKeptInExtraJson() {
    ObjectNode json = event("user.message", """
        "content": "hi", "attachments": [{"file_id": "file_1"}], "priority": 3,""");

    SessionEvent record = assertEventRoundTrips(json);

    assertThat(record.getPayload()).isEqualTo(new UserMessage("hi"));
    assertThat(parse(record.getExtraJson()))
        .isEqualTo(parse("{\"attachments\": [{\"file_id\": \"file_1\"}], \"priority\": 3}"));
  }

  @Test
  void unknownMembersOfNestedObjectsStayWithTheirObject() {
    SessionEvent record = assertEventRoundTrips(event("agent.message", """
        "content": [{"type": "text", "text": "a", "citations": []},
                    {"type": "tool_use", "id": "tu_1", "name": "bash", "input": {"cmd": "ls"}}],"""));

    AgentMessage message = (AgentMessage) record.getPayload();
    assertThat(message.getContent()).hasSize(2);
    assertThat(parse(message.getContent().get(0).getExtraJson())).isEqualTo(parse("{\"citations\": []}"));
    assertThat(message.getContent().get(1).getType()).isEqualTo("tool_use");
    assertThat(message.getContent().get(1).getText()).isNull();
    assertThat(parse(message.getContent().get(1).getExtraJson()))
        .isEqualTo(parse("{\"id\": \"tu_1\", \"name\": \"bash\", \"input\": {\"cmd\": \"ls\"}}"));
  }

  @Test
  void aFieldOfTheWrongShapeKeepsTheTypedPayloadAndMovesToExtraJson() {
    ObjectNode json = event("user.message", "\"content\": 42,");

    SessionEvent record = assertEventRoundTrips(json);

    assertThat(record.getPayload()).isEqualTo(new UserMessage(null));
    assertThat(parse(record.getExtraJson())).isEqualTo(parse("{\"content\": 42}"));
  }

  @Test
  void wrongShapesInsideNestedObjectsStayThere() {
    SessionEvent record = assertEventRoundTrips(event("session.status_idle", """
        "status": 7,
        "usage": {"input_tokens": "150", "output_tokens": 1.5, "cache_read_input_tokens": 99999999999999999999,
                  "cache_creation_input_tokens": 9007199254740993},
        "stop_reason": {"reason": "no type"},"""));

    SessionStatusIdle idle = (SessionStatusIdle) record.getPayload();
    assertThat(idle.getStatus()).isNull();
    assertThat(idle.getUsage().getInputTokens()).isNull();
    assertThat(idle.getUsage().getOutputTokens()).isNull();
    assertThat(idle.getUsage().getCacheReadInputTokens()).isNull();
    assertThat(idle.getUsage().getCacheCreationInputTokens()).isEqualTo(9007199254740993L);
    assertThat(idle.getStopReason()).as("a stop reason without a type cannot be typed").isNull();
    assertThat(parse(record.getExtraJson()))
        .isEqualTo(parse("{\"status\": 7, \"stop_reason\": {\"reason\": \"no type\"}}"));
  }

  @Test
  void contentThatIsNotAnArrayOfTypedBlocksStaysWholeInExtraJson() {
    for (String content : new String[] {"\"plain text\"", "[\"text\"]", "[{\"text\": \"no type\"}]",
        "[{\"type\": 1}]", "{}"}) {
      SessionEvent record = assertEventRoundTrips(event("agent.message", "\"content\": " + content + ","));
      assertThat(record.getPayload()).isEqualTo(new AgentMessage(null));
      assertThat(parse(record.getExtraJson()).get("content")).isEqualTo(parse("{\"c\": " + content + "}").get("c"));
    }
  }

  @Test
  void explicitNullsComeBackAsNullsNotAsMissingMembers() {
    ObjectNode json = parse("""
        {"id": "evt_1", "type": "session.error", "session_id": "sess_1", "turn_id": null,
         "schema_version": null, "created_at": "2026-05-18T03:40:50Z", "processed_at": null,
         "error": {"message": null, "type": "x"}, "details": null, "retry_status": {"type": "exhausted", "in": null}}""");

    SessionEvent record = assertEventRoundTrips(json);

    assertThat(record.getTurnId()).isNull();
    assertThat(record.getProcessedAt()).isNull();
    SessionError error = (SessionError) record.getPayload();
    assertThat(error.getError().getMessage()).isNull();
    assertThat(error.getDetails()).isNull();
    assertThat(parse(record.getExtraJson())).isEqualTo(parse(
        "{\"turn_id\": null, \"schema_version\": null, \"processed_at\": null, \"details\": null}"));
  }

  @Test
  void aMissingProcessedAtIsNullAndAnUnparseableOneIsKeptAsSent() {
    SessionEvent missing = assertEventRoundTrips(parse(
        "{\"id\": \"evt_1\", \"type\": \"terminated\", \"session_id\": \"sess_1\", \"created_at\": \"2026-05-18T03:40:50Z\"}"));
    assertThat(missing.getProcessedAt()).isNull();
    assertThat(missing.getExtraJson()).isNull();

    SessionEvent garbled = assertEventRoundTrips(parse("{\"id\": \"evt_1\", \"type\": \"terminated\", "
        + "\"session_id\": \"sess_1\", \"created_at\": \"2026-05-18T03:40:50Z\", \"processed_at\": \"yesterday\"}"));
    assertThat(garbled.getProcessedAt()).isNull();
    assertThat(parse(garbled.getExtraJson())).isEqualTo(parse("{\"processed_at\": \"yesterday\"}"));
  }

  @Test
  void timestampsWithOffsetsAndFewerDigitsAreTheSameInstants() {
    SessionEvent record = assertEventRoundTrips(parse("{\"id\": \"e\", \"type\": \"terminated\", "
        + "\"session_id\": \"s\", \"created_at\": \"2026-06-23T07:53:19.77484+02:00\", "
        + "\"processed_at\": \"1969-12-31T23:59:59.999999999Z\"}"));

    assertThat(record.getCreatedAt()).isEqualTo(Instant.parse("2026-06-23T05:53:19.774840Z"));
    assertThat(record.getProcessedAt()).isEqualTo(Instant.ofEpochSecond(-1, 999_999_999));
  }

  @Test
  void loneSurrogatesInOptionalStringsAreKeptAsEscapes() {
    ObjectNode json = event("user.message", "\"content\": \"broken \\ud83d pair\", \"note\": \"\\udc00\",");
    assertThat(json.get("content").textValue()).hasSize(13);

    SessionEvent record = assertEventRoundTrips(json);

    assertThat(record.getPayload()).isEqualTo(new UserMessage(null));
    assertThat(record.getExtraJson()).contains("\\ud83d").contains("\\udc00");
    byte[] utf8 = record.getExtraJson().getBytes(StandardCharsets.UTF_8);
    assertThat(new String(utf8, StandardCharsets.UTF_8)).isEqualTo(record.getExtraJson());
  }

  @Test
  void validSurrogatePairsAndControlCharactersAreTypedAsIs() {
    ObjectNode json = event("user.message", "\"content\": \"emoji \\ud83d\\ude00 tab\\t nul\\u0000 bell\\u0007\",");

    SessionEvent record = assertEventRoundTrips(json);

    assertThat(((UserMessage) record.getPayload()).getContent()).isEqualTo("emoji 😀 tab\t nul\0 bell\u0007");
  }

  @Test
  void aMegabyteOfContentRoundTrips() {
    String big = "x".repeat(1 << 20);
    SessionEvent record = assertEventRoundTrips(event("user.message", "\"content\": \"" + big + "\","));
    assertThat(((UserMessage) record.getPayload()).getContent()).hasSize(1 << 20);
  }

  @ParameterizedTest
  @CsvSource({"0, user.message", "1, session.status_idle", "2, x.future", "3, agent.message"})
  void megabyteStringsOfAnyCharactersRoundTrip(int flavour, String type) {
    java.util.Random random = new java.util.Random(flavour);
    StringBuilder s = new StringBuilder(1 << 20);
    while (s.length() < 1 << 20) {
      switch (flavour) {
        case 0 -> s.append((char) random.nextInt(0x10000)); // lone surrogates included
        case 1 -> s.appendCodePoint(0x4E00 + random.nextInt(0x5000)); // CJK: three UTF-8 bytes each
        case 2 -> s.append((char) random.nextInt(0x20)); // control characters
        default -> s.appendCodePoint(0x1F600 + random.nextInt(80)); // surrogate pairs
      }
    }
    ObjectNode json = event(type, "");
    json.put("content", s.toString()).putObject("usage").put("note", s.toString());

    assertEventRoundTrips(json);
  }

  @Test
  void deepNestingInUnknownMembersRoundTrips() {
    String deep = "[".repeat(500) + "1" + "]".repeat(500);
    assertEventRoundTrips(event("agent.thinking", "\"trace\": " + deep + ","));
    assertEventRoundTrips(event("future.type", "\"trace\": " + deep + ","));
  }

  @ParameterizedTest
  @CsvSource({"agent.thinking", "future.type"})
  void nestingUpToTheLimitRoundTripsAndOneLevelMoreIsRejected(String type) {
    ObjectNode atLimit = nested(type, Json.MAX_NESTING_DEPTH);
    ObjectNode beyond = nested(type, Json.MAX_NESTING_DEPTH + 1);

    assertEventRoundTrips(atLimit);
    assertThat(RoundTrips.EVENTS.map(beyond)).isInstanceOfSatisfying(MappingResult.Rejected.class,
        r -> assertThat(r.reason()).isEqualTo(RejectReason.TOO_DEEP));
  }

  /** An event nested {@code depth} levels deep, counting the event object as level 1. */
  private static ObjectNode nested(String type, int depth) {
    ObjectNode json = event(type, "");
    var node = json.putArray("trace");
    for (int level = 3; level <= depth; level++) {
      node = node.addArray();
    }
    return json;
  }

  @Test
  void anEventNestedDeeperThanJsonAllowsIsRejectedNotThrown() {
    ObjectNode json = event("agent.thinking", "");
    var node = json.putArray("trace");
    for (int i = 0; i < Json.MAX_NESTING_DEPTH + 10; i++) {
      node = node.addArray();
    }

    MappingResult<SessionEvent> result = RoundTrips.EVENTS.map(json);

    assertThat(result).isInstanceOfSatisfying(MappingResult.Rejected.class, r -> {
      assertThat(r.reason()).isEqualTo(RejectReason.TOO_DEEP);
      assertThat(r.message()).startsWith("event 'evt_771c1195bcbd4a07834d4ed4dd6450ca' cannot be kept as JSON");
      assertThat(r.originalJsonBytes()).isNotEmpty();
    });
  }

  static Stream<Arguments> rejectedEvents() {
    String at = "\"created_at\": \"2026-05-18T03:40:50Z\"";
    String tail = ", not an RFC 3339 timestamp between the years 1677 and 2262";
    return Stream.of(
        arguments("{\"type\": \"user.message\", \"session_id\": \"s\", " + at + "}",
            RejectReason.MISSING_FIELD, "event has no 'id' member"),
        arguments("{\"id\": null, \"type\": \"user.message\", \"session_id\": \"s\", " + at + "}",
            RejectReason.MISSING_FIELD, "event has no 'id' member"),
        arguments("{\"id\": 17, \"type\": \"user.message\", \"session_id\": \"s\", " + at + "}",
            RejectReason.INVALID_FIELD, "event member 'id' is NUMBER, not a string"),
        arguments("{\"id\": \"e1\", \"session_id\": \"s\", " + at + "}",
            RejectReason.MISSING_FIELD, "event 'e1' has no 'type' member"),
        arguments("{\"id\": \"e1\", \"type\": [\"a\"], \"session_id\": \"s\", " + at + "}",
            RejectReason.INVALID_FIELD, "event 'e1' member 'type' is ARRAY, not a string"),
        arguments("{\"id\": \"e1\", \"type\": \"terminated\", " + at + "}",
            RejectReason.MISSING_FIELD, "event 'e1' has no 'session_id' member"),
        arguments("{\"id\": \"e1\", \"type\": \"terminated\", \"session_id\": \"s\"}",
            RejectReason.MISSING_FIELD, "event 'e1' has no 'created_at' member"),
        arguments("{\"id\": \"e1\", \"type\": \"terminated\", \"session_id\": \"s\", \"created_at\": \"2026-05-18 03:40\"}",
            RejectReason.INVALID_TIMESTAMP, "event 'e1' member 'created_at' is '2026-05-18 03:40'" + tail),
        arguments("{\"id\": \"e1\", \"type\": \"terminated\", \"session_id\": \"s\", \"created_at\": \"2300-01-01T00:00:00Z\"}",
            RejectReason.INVALID_TIMESTAMP, "event 'e1' member 'created_at' is '2300-01-01T00:00:00Z'" + tail),
        arguments("{\"id\": \"e1\", \"type\": \"terminated\", \"session_id\": \"s\", \"created_at\": 1747539650}",
            RejectReason.INVALID_TIMESTAMP, "event 'e1' member 'created_at' is NUMBER" + tail),
        arguments("{\"id\": \"e\\ud800\", \"type\": \"terminated\", \"session_id\": \"s\", " + at + "}",
            RejectReason.UNENCODABLE_STRING,
            "event member 'id' holds 'e\\ud800' with a lone UTF-16 surrogate, which UTF-8 cannot encode"),
        arguments("{\"id\": \"e1\", \"type\": \"terminated\", \"session_id\": \"s\\udfff\", " + at + "}",
            RejectReason.UNENCODABLE_STRING, "event 'e1' member 'session_id' holds 's\\udfff' with a lone "
                + "UTF-16 surrogate, which UTF-8 cannot encode"));
  }

  @ParameterizedTest
  @MethodSource("rejectedEvents")
  void eventsThatCannotBeKeyedRoutedOrOrderedAreRejectedWithTheirReason(String json, RejectReason reason,
      String message) {
    ObjectNode event = parse(json);

    MappingResult<SessionEvent> result = RoundTrips.EVENTS.map(event);

    assertThat(result).isInstanceOfSatisfying(MappingResult.Rejected.class, r -> {
      assertThat(r.reason()).isEqualTo(reason);
      assertThat(r.message()).isEqualTo(message);
      assertThat(r.original()).isSameAs(event);
      assertThat(parse(new String(r.originalJsonBytes(), StandardCharsets.UTF_8))).isEqualTo(event);
      assertThat(r.toString()).isEqualTo("Rejected[" + reason + ": " + message + "]");
    });
    assertThatThrownBy(result::orElseThrow).isInstanceOf(MappingException.class).hasMessage(message)
        .satisfies(e -> assertThat(((MappingException) e).reason()).isEqualTo(reason));
  }

  @Test
  void mapsTheApiModelTypeToo() {
    ObjectNode json = event("terminated", "");
    var api = com.qoder.kafka.api.SessionEvent.of(json);

    assertThat(((MappingResult.Mapped<SessionEvent>) RoundTrips.EVENTS.map(api)).record())
        .isEqualTo(RoundTrips.mapped(json));
  }

  @Test
  void theInputIsNotModified() {
    ObjectNode json = event("session.status_idle", "\"usage\": {\"input_tokens\": 1, \"x\": 2}, \"y\": null,");
    ObjectNode before = json.deepCopy();

    RoundTrips.EVENTS.map(json);

    assertThat(json).isEqualTo(before);
  }
}

package com.qoder.kafka.avro;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.qoder.kafka.api.Timestamps;
import java.math.BigInteger;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random JSON for the property tests: values of every kind, strings with control characters,
 * astral characters and lone surrogates, RFC 3339 timestamps with offsets and 0–9 fraction digits,
 * and events whose members are right, wrong, null or missing.
 */
final class JsonGen {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  static final List<String> DOCUMENTED = List.copyOf(new java.util.TreeSet<>(EventMapper.DOCUMENTED_TYPES));

  private final Random random;

  JsonGen(Random random) {
    this.random = random;
  }

  boolean chance(int percent) {
    return random.nextInt(100) < percent;
  }

  /** A short string: mostly plain, sometimes with control chars, emoji or lone surrogates. */
  String string() {
    int length = random.nextInt(chance(90) ? 12 : 200);
    StringBuilder s = new StringBuilder(length);
    int flavour = random.nextInt(10);
    for (int i = 0; i < length; i++) {
      switch (flavour) {
        case 0 -> s.append((char) random.nextInt(0x20)); // control characters, NUL included
        case 1 -> s.append((char) random.nextInt(0x10000)); // any char, lone surrogates included
        case 2 -> s.appendCodePoint(0x1F600 + random.nextInt(80)); // valid surrogate pairs
        case 3 -> s.append(random.nextBoolean() ? '"' : '\\');
        default -> s.append((char) ('a' + random.nextInt(26)));
      }
    }
    return s.toString();
  }

  /** A string that is surely well-formed UTF-16. */
  String plainString() {
    String s;
    do {
      s = string();
    } while (!Json.isWellFormed(s));
    return s;
  }

  /** Any JSON value, nested at most {@code depth} levels. */
  JsonNode value(int depth) {
    int kind = random.nextInt(depth > 0 ? 10 : 7);
    return switch (kind) {
      case 0 -> NODES.nullNode();
      case 1 -> NODES.booleanNode(random.nextBoolean());
      case 2 -> NODES.numberNode(random.nextInt());
      case 3 -> NODES.numberNode(random.nextBoolean() ? random.nextLong() : random.nextInt(1000));
      case 4 -> NODES.numberNode(random.nextBoolean() ? random.nextDouble() * 1e6 : random.nextGaussian());
      case 5 -> NODES.numberNode(new BigInteger(96, random).negate());
      case 6 -> NODES.textNode(string());
      case 7, 8 -> object(depth - 1, random.nextInt(5));
      default -> {
        ArrayNode array = NODES.arrayNode();
        for (int i = random.nextInt(5); i > 0; i--) {
          array.add(value(depth - 1));
        }
        yield array;
      }
    };
  }

  ObjectNode object(int depth, int members) {
    ObjectNode object = NODES.objectNode();
    for (int i = 0; i < members; i++) {
      object.set(chance(70) ? plainString() : string(), value(depth));
    }
    return object;
  }

  /** RFC 3339 text of a random instant within the range of epoch nanos, any offset and precision. */
  String timestamp() {
    long nanos = chance(80)
        ? 1_700_000_000_000_000_000L + (long) (random.nextDouble() * 200_000_000_000_000_000L)
        : random.nextLong();
    Instant at = Timestamps.toInstant(nanos);
    int digits = random.nextInt(10);
    StringBuilder pattern = new StringBuilder("uuuu-MM-dd'T'HH:mm:ss");
    if (digits > 0) {
      pattern.append('.').append("S".repeat(digits));
    }
    pattern.append(random.nextBoolean() ? "XXX" : "'Z'");
    ZoneOffset offset = pattern.toString().endsWith("'Z'") ? ZoneOffset.UTC
        : ZoneOffset.ofTotalSeconds(60 * (random.nextInt(2 * 18 * 60 + 1) - 18 * 60));
    try {
      return DateTimeFormatter.ofPattern(pattern.toString()).format(at.atOffset(offset));
    } catch (RuntimeException e) {
      return Timestamps.format(nanos); // years beyond 9999 or before 0 do not print with uuuu
    }
  }

  /**
   * A random event: documented or not; required members almost always right, the members of its
   * type usually right, sometimes members of other types and random extra members.
   */
  ObjectNode event() {
    ObjectNode event = NODES.objectNode();
    required(event, "id", NODES.textNode("evt_" + Long.toHexString(random.nextLong())));
    String type = chance(75) ? DOCUMENTED.get(random.nextInt(DOCUMENTED.size()))
        : chance(50) ? "x." + plainString() : string();
    required(event, "type", NODES.textNode(type));
    required(event, "session_id", NODES.textNode("sess_" + Long.toHexString(random.nextLong())));
    required(event, "created_at", NODES.textNode(timestamp()));
    member(event, "turn_id", () -> NODES.textNode("turn_" + plainString()));
    member(event, "schema_version", () -> NODES.textNode("1." + random.nextInt(3)));
    member(event, "processed_at", () -> NODES.textNode(timestamp()));
    java.util.Set<String> own = switch (type) {
      case "user.message", "agent.message" -> java.util.Set.of("content");
      case "session.status_idle" -> java.util.Set.of("status", "usage", "stop_reason");
      case "session.error" -> java.util.Set.of("error", "details", "retry_status");
      default -> java.util.Set.of();
    };
    for (String name : List.of("content", "status", "usage", "stop_reason", "error", "details", "retry_status")) {
      if (own.contains(name) || chance(5)) {
        member(event, name, () -> specific(name, type));
      }
    }
    if (chance(40)) {
      for (int i = 1 + random.nextInt(3); i > 0; i--) {
        event.set(chance(80) ? plainString() : string(), value(3));
      }
    }
    return reparsed(event);
  }

  private JsonNode specific(String name, String type) {
    return switch (name) {
      case "content" -> type.equals("agent.message") == chance(90) ? contentBlocks() : NODES.textNode(plainString());
      case "status" -> NODES.textNode(plainString());
      case "usage" -> {
        ObjectNode usage = NODES.objectNode();
        for (String n : List.of("input_tokens", "output_tokens", "cache_read_input_tokens",
            "cache_creation_input_tokens")) {
          member(usage, n, () -> NODES.numberNode(chance(80) ? random.nextInt(100_000) : random.nextLong()));
        }
        yield usage;
      }
      case "error" -> {
        ObjectNode e = NODES.objectNode();
        member(e, "message", () -> NODES.textNode(plainString()));
        member(e, "type", () -> NODES.textNode(plainString()));
        yield e;
      }
      case "details" -> {
        ObjectNode d = NODES.objectNode();
        member(d, "message", () -> NODES.textNode(plainString()));
        member(d, "name", () -> NODES.textNode(plainString()));
        yield d;
      }
      default -> typed(NODES.objectNode()); // stop_reason, retry_status
    };
  }

  /** A required member: right 95 times in 100, else null, missing, any value or a lone surrogate. */
  private void required(ObjectNode object, String name, JsonNode right) {
    int roll = random.nextInt(100);
    if (roll < 95) {
      object.set(name, right);
    } else if (roll < 96) {
      object.putNull(name);
    } else if (roll < 98) {
      object.set(name, value(1));
    } else if (roll < 99) {
      object.put(name, right.asText() + "\ud800");
    }
    // else: missing
  }

  private JsonNode contentBlocks() {
    ArrayNode blocks = NODES.arrayNode();
    for (int i = random.nextInt(4); i > 0; i--) {
      ObjectNode block = typed(NODES.objectNode());
      member(block, "text", () -> NODES.textNode(chance(10) ? string() : plainString()));
      blocks.add(chance(95) ? block : value(2));
    }
    return blocks;
  }

  private ObjectNode typed(ObjectNode object) {
    member(object, "type", () -> NODES.textNode(plainString()));
    if (chance(15)) {
      object.set("extra_" + random.nextInt(5), value(2));
    }
    return object;
  }

  /** Sets a member: usually right, sometimes null, missing, or a random value of any shape. */
  private void member(ObjectNode object, String name, java.util.function.Supplier<JsonNode> right) {
    int roll = random.nextInt(100);
    if (roll < 85) {
      object.set(name, right.get());
    } else if (roll < 90) {
      object.putNull(name);
    } else if (roll < 95) {
      object.set(name, value(2));
    }
    // else: missing
  }

  /** The tree as the API client would have parsed it from the wire (number node kinds included). */
  static ObjectNode reparsed(ObjectNode object) {
    try {
      return (ObjectNode) RoundTrips.API_JSON.readTree(RoundTrips.API_JSON.writeValueAsString(object));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<String> names(ObjectNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }
}

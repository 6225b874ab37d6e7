package com.qoder.kafka.avro;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * Required members: present with the right shape, or the item is rejected. Rejection is signalled
 * with {@link Rejection}, a stackless checked exception the mappers turn into a
 * {@link MappingResult.Rejected}; it never leaves the package.
 */
final class Required {

  /** Longest quote of an offending value in a rejection message; values may be megabytes. */
  private static final int MAX_QUOTE = 80;

  private Required() {}

  /** Signals a rejection inside a mapper. Stackless: it is an outcome, not a defect. */
  static final class Rejection extends Exception {
    private static final long serialVersionUID = 1L;
    final RejectReason reason;

    Rejection(RejectReason reason, String message) {
      super(message, null, false, false);
      this.reason = reason;
    }
  }

  /** A required string member, taken. {@code item} names the item in messages, e.g. "event". */
  static String string(Members members, String name, String item) throws Rejection {
    JsonNode node = members.get(name);
    if (node == null || node.isNull()) {
      throw new Rejection(RejectReason.MISSING_FIELD, item + " has no '" + name + "' member");
    }
    if (!node.isTextual()) {
      throw new Rejection(RejectReason.INVALID_FIELD,
          item + " member '" + name + "' is " + node.getNodeType() + ", not a string");
    }
    String value = members.string(name);
    if (value == null) {
      throw new Rejection(RejectReason.UNENCODABLE_STRING, item + " member '" + name + "' holds "
          + quote(node.textValue()) + " with a lone UTF-16 surrogate, which UTF-8 cannot encode");
    }
    return value;
  }

  /** A required RFC 3339 timestamp member, taken. */
  static Instant timestamp(Members members, String name, String item) throws Rejection {
    JsonNode node = members.get(name);
    if (node == null || node.isNull()) {
      throw new Rejection(RejectReason.MISSING_FIELD, item + " has no '" + name + "' member");
    }
    Instant value = members.timestamp(name);
    if (value == null) {
      throw new Rejection(RejectReason.INVALID_TIMESTAMP, item + " member '" + name + "' is "
          + (node.isTextual() ? quote(node.textValue()) : node.getNodeType().toString())
          + ", not an RFC 3339 timestamp between the years 1677 and 2262");
    }
    return value;
  }

  /** An instant the caller supplies, checked to fit epoch nanoseconds in a long. */
  static Instant callerInstant(Instant instant, String what) {
    if (instant == null) {
      throw new NullPointerException(what);
    }
    try {
      Members.epochNanos(instant);
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(what + " " + instant + " is outside the years 1677-2262 that "
          + "timestamp-nanos can hold", e);
    }
    return instant;
  }

  /** Names an item in a message, e.g. {@code event 'evt_1'}, safely quoted and shortened. */
  static String describe(String kind, String id) {
    return kind + " " + quote(id);
  }

  /** A value quoted for a message: shortened, lone surrogates escaped, so the message is UTF-8 safe. */
  static String quote(String value) {
    String shown = value.length() > MAX_QUOTE
        ? value.substring(0, MAX_QUOTE) + "…(" + value.length() + " chars)" : value;
    return "'" + Json.escapeLoneSurrogates(shown) + "'";
  }

  /** Checks an id-like string the caller supplies. */
  static String callerString(String value, String what) throws Rejection {
    if (value == null) {
      throw new NullPointerException(what);
    }
    if (!Json.isWellFormed(value)) {
      throw new Rejection(RejectReason.UNENCODABLE_STRING, what + " " + quote(value)
          + " holds a lone UTF-16 surrogate, which UTF-8 cannot encode");
    }
    return value;
  }
}

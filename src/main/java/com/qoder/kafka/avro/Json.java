package com.qoder.kafka.avro;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * JSON text for the {@code extra_json} and {@code raw_json} fields, written so that reading it back
 * gives the same tree.
 *
 * <p>Two details make that hold. Reading and writing share one nesting limit, so whatever could be
 * written can be read back, while reading has no limit on string, number or name length (Jackson's
 * defaults would refuse a long string the writer accepted). Lone UTF-16 surrogates, which Java
 * strings may hold after a JSON {@code \ud800} escape but UTF-8 (Avro's string encoding) cannot,
 * are written as {@code \\uXXXX} escapes; everything else is written as is.
 *
 * <p>Thread-safe: the reader and writer are immutable.
 */
final class Json {

  /**
   * Deepest nesting of arrays and objects written or read: Jackson's default read limit, so any
   * tree the API client could parse can be written and read back here.
   */
  static final int MAX_NESTING_DEPTH = StreamReadConstraints.DEFAULT_MAX_DEPTH;

  static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private static final ObjectMapper MAPPER;

  static {
    JsonFactory factory = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNestingDepth(MAX_NESTING_DEPTH)
            .maxStringLength(Integer.MAX_VALUE)
            .maxNumberLength(Integer.MAX_VALUE)
            .maxNameLength(Integer.MAX_VALUE)
            .build())
        .streamWriteConstraints(StreamWriteConstraints.builder()
            .maxNestingDepth(MAX_NESTING_DEPTH)
            .build())
        .build();
    MAPPER = new ObjectMapper(factory);
  }

  private static final ObjectWriter WRITER = MAPPER.writer();
  private static final ObjectReader READER = MAPPER.reader();

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Json() {}

  /**
   * Writes a tree as JSON text that UTF-8 can carry.
   *
   * @throws JsonProcessingException when the tree is nested deeper than {@link #MAX_NESTING_DEPTH}
   */
  static String write(JsonNode node) throws JsonProcessingException {
    return escapeLoneSurrogates(WRITER.writeValueAsString(node));
  }

  /** Reads JSON text written by {@link #write}. */
  static JsonNode read(String text) throws JsonProcessingException {
    return READER.readTree(text);
  }

  /** Reads a JSON object written by {@link #write}, naming {@code what} when it is not one. */
  static ObjectNode readObject(String text, String what) {
    JsonNode node;
    try {
      node = read(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(what + " is not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (!(node instanceof ObjectNode object)) {
      throw new IllegalArgumentException(what + " is not a JSON object but " + node.getNodeType());
    }
    return object;
  }

  /** True when every char of {@code s} is part of a valid UTF-16 sequence, so UTF-8 can encode it. */
  static boolean isWellFormed(String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c < Character.MIN_SURROGATE) {
        continue;
      }
      if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Replaces each lone surrogate of JSON text by its {@code \\uXXXX} escape. In JSON text a
   * surrogate can only stand inside a string literal, where the escape means the same char.
   */
  static String escapeLoneSurrogates(String json) {
    if (isWellFormed(json)) {
      return json;
    }
    StringBuilder out = new StringBuilder(json.length() + 16);
    for (int i = 0, n = json.length(); i < n; i++) {
      char c = json.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(json.charAt(i + 1))) {
        out.append(c).append(json.charAt(++i));
      } else if (Character.isSurrogate(c)) {
        out.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xf]).append(HEX[(c >> 4) & 0xf])
            .append(HEX[c & 0xf]);
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}

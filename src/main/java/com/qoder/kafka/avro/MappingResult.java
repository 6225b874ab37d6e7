package com.qoder.kafka.avro;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The outcome of mapping one API item to its Avro record: {@link Mapped} or {@link Rejected}.
 *
 * <p>Mappers never throw for bad data; a rejected item carries its reason and the original JSON
 * so the caller can send it to the dead-letter topic and move on.
 *
 * <pre>{@code
 * MappingResult<com.qoder.kafka.avro.v1.SessionEvent> result = mapper.map(event);
 * if (result instanceof MappingResult.Mapped<com.qoder.kafka.avro.v1.SessionEvent> m) {
 *   send(m.record());
 * } else if (result instanceof MappingResult.Rejected<?> r) {
 *   deadLetter(r.originalJsonBytes(), r.reason(), r.message());
 * }
 * }</pre>
 *
 * @param <T> the Avro record type
 */
public sealed interface MappingResult<T> permits MappingResult.Mapped, MappingResult.Rejected {

  /** The record, or a {@link MappingException} with the rejection's reason and message. */
  T orElseThrow() throws MappingException;

  /** The item mapped to its record. */
  record Mapped<T>(T record) implements MappingResult<T> {

    public Mapped {
      Objects.requireNonNull(record, "record");
    }

    @Override
    public T orElseThrow() {
      return record;
    }
  }

  /**
   * The item could not be mapped.
   *
   * @param reason what kind of problem it is
   * @param message what is wrong, naming the item's id when it has one
   * @param original the item as received; callers must not mutate it
   */
  record Rejected<T>(RejectReason reason, String message, JsonNode original) implements MappingResult<T> {

    public Rejected {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(message, "message");
      Objects.requireNonNull(original, "original");
    }

    @Override
    public T orElseThrow() throws MappingException {
      throw new MappingException(reason, message);
    }

    /**
     * The original item as UTF-8 JSON for a dead-letter record. Lone surrogates are written as
     * {@code \\u} escapes. Never fails: an item that cannot be written as JSON at all (nested
     * deeper than any JSON writer allows, which no parser would have produced) gives a JSON object
     * that says so instead.
     */
    public byte[] originalJsonBytes() {
      String text;
      try {
        text = Json.write(original);
      } catch (JsonProcessingException | RuntimeException e) {
        text = Json.escapeLoneSurrogates("{\"unwritable_item\":" + Json.NODES.textNode(message) + "}");
      }
      return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Leaves out the original, which may be megabytes. */
    @Override
    public String toString() {
      return "Rejected[" + reason + ": " + message + "]";
    }
  }
}

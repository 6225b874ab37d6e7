package com.qoder.kafka.sim;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Renders answer bodies with Jackson's streaming generator straight to bytes: each endpoint
 * writes its fields in its document's order, which a tree of nodes would not let it control as
 * cheaply on the event loop.
 */
final class PageJson {

  interface Writer {
    void write(JsonGenerator g) throws IOException;
  }

  private final ObjectMapper mapper;

  PageJson(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  byte[] render(Writer w) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
    try (JsonGenerator g = mapper.getFactory().createGenerator(out)) {
      w.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static void stringOrNull(JsonGenerator g, String name, String value) throws IOException {
    if (value == null) {
      g.writeNullField(name);
    } else {
      g.writeStringField(name, value);
    }
  }
}

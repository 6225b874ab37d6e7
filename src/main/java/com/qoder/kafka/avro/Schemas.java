package com.qoder.kafka.avro;

import com.qoder.kafka.avro.v1.FileRecord;
import com.qoder.kafka.avro.v1.SessionEvent;
import com.qoder.kafka.avro.v1.SessionLifecycleRecord;
import com.qoder.kafka.avro.v1.SessionResourceRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * The Avro contract: one top-level record schema per topic value.
 *
 * <p>The accessors return the schemas the generated classes write with ({@code SCHEMA$}); these
 * are the ones to register, since {@link AvroCodec} encodes with them. They equal the
 * {@code .avsc} files of {@link #RESOURCES} except for the {@code "avro.java.string": "String"}
 * property the code generator adds to string types, which does not change the binary encoding.
 */
public final class Schemas {

  /** The {@code .avsc} files shipped in the jar (copied from the project's {@code schemas/}). */
  public static final List<String> RESOURCES = List.of(
      "/schemas/FileRecord.avsc",
      "/schemas/SessionEvent.avsc",
      "/schemas/SessionLifecycleRecord.avsc",
      "/schemas/SessionResourceRecord.avsc");

  private Schemas() {}

  /** Value schema of the session events topic(s). */
  public static Schema sessionEvent() {
    return SessionEvent.getClassSchema();
  }

  /** Value schema of the session resources topic. */
  public static Schema sessionResource() {
    return SessionResourceRecord.getClassSchema();
  }

  /** Value schema of the files topic. */
  public static Schema file() {
    return FileRecord.getClassSchema();
  }

  /** Value schema of the session lifecycle topic. */
  public static Schema sessionLifecycle() {
    return SessionLifecycleRecord.getClassSchema();
  }

  /** Every top-level schema by full name, e.g. {@code com.qoder.kafka.avro.v1.SessionEvent}. */
  public static Map<String, Schema> all() {
    Map<String, Schema> all = new LinkedHashMap<>();
    for (Schema s : List.of(sessionEvent(), sessionResource(), file(), sessionLifecycle())) {
      all.put(s.getFullName(), s);
    }
    return all;
  }

  /** The text of one of {@link #RESOURCES}, as shipped. */
  public static String resourceText(String resource) {
    try (InputStream in = Schemas.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no schema resource " + resource + " on the class path; "
            + "expected one of " + RESOURCES);
      }
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read schema resource " + resource, e);
    }
  }

  /** Parses one of {@link #RESOURCES}. */
  public static Schema parseResource(String resource) {
    return new Schema.Parser().parse(resourceText(resource));
  }
}

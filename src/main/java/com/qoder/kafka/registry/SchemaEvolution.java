package com.qoder.kafka.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaIncompatibilityType;

/**
 * The connector's own answer to "may this schema become the next version of the subject?", with
 * Avro's {@link SchemaCompatibility} against the subject's registered versions under a Confluent
 * compatibility level. Registries word their refusals differently (Confluent, Apicurio, Karapace);
 * this names the subject, the level, the version and the offending field the same way everywhere,
 * for the start-up error and for {@code schemas check}.
 *
 * <p>Levels: {@code BACKWARD} — the new schema reads what the old one wrote; {@code FORWARD} — the
 * old schema reads what the new one writes; {@code FULL} — both; {@code *_TRANSITIVE} — against
 * every version, not only the latest; {@code NONE} — anything goes. Stateless.
 */
public final class SchemaEvolution {

  private SchemaEvolution() {}

  /** Why a schema cannot be the subject's next version under its level. */
  public record Refusal(String subject, String level, int version, int id, boolean backward, String field,
      SchemaIncompatibilityType type, String avroMessage) {

    /** One line: subject, level, version, field, and what to do. */
    public String message() {
      String against = "version " + version + " (id " + id + ")";
      String what;
      if (type == SchemaIncompatibilityType.READER_FIELD_MISSING_DEFAULT_VALUE) {
        what = backward
            ? "field '" + field + "' is new and has no default, so the new schema cannot read records written with "
                + against
            : "field '" + field + "' is removed but " + against + " declares it without a default, so consumers"
                + " still on " + against + " cannot read the new records";
      } else if (type == SchemaIncompatibilityType.TYPE_MISMATCH) {
        what = "field '" + field + "' changed its type (" + avroMessage + "), so "
            + (backward ? "the new schema cannot read records written with " + against
                : "consumers still on " + against + " cannot read the new records");
      } else {
        what = "field '" + field + "': " + type + " (" + avroMessage + ") against " + against;
      }
      return "schema for subject '" + subject + "' breaks compatibility level " + level + ": " + what
          + "; add fields only with a default, never remove or retype a field without one"
          + " (schemas/README.md), or publish the change under a new subject";
    }
  }

  /**
   * The first reason {@code candidate} breaks {@code level} against {@code versions} (oldest first),
   * or empty when it may be registered. An unknown level is treated as {@code NONE} by the caller's
   * registry as well, so it finds nothing.
   */
  public static Optional<Refusal> check(String subject, String level, Schema candidate, List<SubjectVersion> versions) {
    String l = level == null ? "NONE" : level.toUpperCase(Locale.ROOT);
    boolean backward = l.startsWith("BACKWARD") || l.startsWith("FULL");
    boolean forward = l.startsWith("FORWARD") || l.startsWith("FULL");
    if (versions.isEmpty() || !(backward || forward)) {
      return Optional.empty();
    }
    List<SubjectVersion> against = l.endsWith("_TRANSITIVE")
        ? reversed(versions) : List.of(versions.get(versions.size() - 1));
    for (SubjectVersion old : against) {
      if (old.schema().toString().equals(candidate.toString())) {
        continue; // registering an existing version is idempotent, never refused
      }
      if (backward) {
        Optional<Refusal> r = first(subject, l, old, true, candidate, old.schema());
        if (r.isPresent()) {
          return r;
        }
      }
      if (forward) {
        Optional<Refusal> r = first(subject, l, old, false, old.schema(), candidate);
        if (r.isPresent()) {
          return r;
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<Refusal> first(String subject, String level, SubjectVersion old, boolean backward,
      Schema reader, Schema writer) {
    SchemaCompatibility.SchemaPairCompatibility pair = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    if (pair.getType() == SchemaCompatibilityType.COMPATIBLE) {
      return Optional.empty();
    }
    Incompatibility i = pair.getResult().getIncompatibilities().get(0);
    String field = fieldPath(reader, i.getLocation());
    Schema scopeReader = reader;
    Schema scopeWriter = writer;
    String scopePath = field;
    // Avro reports a changed record inside a union as a missing union branch at the union: look
    // inside the same-named branches for the field that actually changed (a few levels at most).
    for (int depth = 0; depth < 8 && i.getType() == SchemaIncompatibilityType.MISSING_UNION_BRANCH; depth++) {
      Schema r = fieldSchema(scopeReader, scopePath);
      Schema w = fieldSchema(scopeWriter, scopePath);
      Incompatibility inner = null;
      String innerPath = null;
      if (r != null && w != null && r.getType() == Schema.Type.UNION && w.getType() == Schema.Type.UNION) {
        for (Schema wb : w.getTypes()) {
          Schema rb = wb.getType() == Schema.Type.RECORD ? branch(r, wb.getFullName()) : null;
          if (rb == null) {
            continue;
          }
          SchemaCompatibility.SchemaPairCompatibility nested = SchemaCompatibility.checkReaderWriterCompatibility(rb, wb);
          if (nested.getType() != SchemaCompatibilityType.COMPATIBLE) {
            inner = nested.getResult().getIncompatibilities().get(0);
            innerPath = fieldPath(rb, inner.getLocation());
            scopeReader = rb;
            scopeWriter = wb;
            break;
          }
        }
      }
      if (inner == null) {
        break;
      }
      i = inner;
      scopePath = innerPath;
      field = field + (innerPath.isEmpty() ? "" : "." + innerPath);
    }
    if (i.getType() == SchemaIncompatibilityType.READER_FIELD_MISSING_DEFAULT_VALUE && !field.endsWith(i.getMessage())) {
      field = field.isEmpty() ? i.getMessage() : field; // the message is the field's name
    }
    return Optional.of(new Refusal(subject, level, old.version(), old.id(), backward, field, i.getType(),
        i.getMessage()));
  }

  /** The schema of the field at dotted {@code path} (through union branches of records), or null. */
  private static Schema fieldSchema(Schema root, String path) {
    Schema current = root;
    for (String name : path.split("\\.")) {
      if (name.isEmpty()) {
        return null;
      }
      Schema record = current.getType() == Schema.Type.RECORD ? current : null;
      if (record == null && current.getType() == Schema.Type.UNION) {
        record = current.getTypes().stream().filter(t -> t.getType() == Schema.Type.RECORD && t.getField(name) != null)
            .findFirst().orElse(null);
      }
      Schema.Field f = record == null ? null : record.getField(name);
      if (f == null) {
        return null;
      }
      current = f.schema();
    }
    return current;
  }

  private static Schema branch(Schema union, String fullName) {
    return union.getTypes().stream().filter(t -> fullName.equals(t.getFullName())).findFirst().orElse(null);
  }

  /**
   * The dotted field names along Avro's JSON-pointer location ({@code /fields/2/type/1/fields/0}) in
   * {@code schema}: {@code payload.text}. Union branches and {@code type} steps add no name.
   */
  static String fieldPath(Schema schema, String location) {
    List<String> names = new ArrayList<>();
    Schema current = schema;
    String[] steps = location.split("/");
    for (int k = 0; k < steps.length && current != null; k++) {
      String step = steps[k];
      if (step.isEmpty() || step.equals("type") || step.equals("name")) {
        continue;
      }
      if (step.equals("fields") && k + 1 < steps.length && current.getType() == Schema.Type.RECORD) {
        int pos = Integer.parseInt(steps[++k]);
        if (pos >= current.getFields().size()) {
          break;
        }
        Schema.Field f = current.getFields().get(pos);
        names.add(f.name());
        current = f.schema();
      } else if (step.equals("items") && current.getType() == Schema.Type.ARRAY) {
        current = current.getElementType();
      } else if (step.equals("values") && current.getType() == Schema.Type.MAP) {
        current = current.getValueType();
      } else if (step.matches("\\d+") && current.getType() == Schema.Type.UNION) {
        int branch = Integer.parseInt(step);
        current = branch < current.getTypes().size() ? current.getTypes().get(branch) : null;
      } else {
        break;
      }
    }
    return String.join(".", names);
  }

  private static List<SubjectVersion> reversed(List<SubjectVersion> versions) {
    List<SubjectVersion> r = new ArrayList<>(versions);
    java.util.Collections.reverse(r);
    return r;
  }
}

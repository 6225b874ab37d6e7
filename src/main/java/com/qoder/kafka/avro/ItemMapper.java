package com.qoder.kafka.avro;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.qoder.kafka.api.QoderFile;
import com.qoder.kafka.api.SessionIds;
import com.qoder.kafka.api.SessionInfo;
import com.qoder.kafka.api.SessionResource;
import com.qoder.kafka.avro.Required.Rejection;
import com.qoder.kafka.avro.v1.Device;
import com.qoder.kafka.avro.v1.FileRecord;
import com.qoder.kafka.avro.v1.SessionLifecycleRecord;
import com.qoder.kafka.avro.v1.SessionResourceRecord;
import java.time.Instant;
import java.util.Objects;

/**
 * Maps session resources (document 000), files (document 001) and sessions (document 004) to
 * their Avro change records, losslessly, by the same rule as {@link EventMapper}: a typed field
 * takes its member only when the value has exactly the documented shape, and every other member
 * (unknown ones, unexpected shapes, explicit nulls) is kept in {@code extra_json}.
 * {@link ItemJson} rebuilds the item JSON.
 *
 * <p>An item without a string id is {@linkplain MappingResult.Rejected rejected}. The change or
 * transition and the observation time come from the caller, which knows what it observed; they are
 * open sets of strings (see {@link Change} and {@link Transition}), a null or an instant outside
 * the range of timestamp-nanos is a programming error ({@link NullPointerException},
 * {@link IllegalArgumentException}).
 *
 * <p>Thread-safe and stateless: share one instance.
 */
public final class ItemMapper {

  /** Changes of a resource or file, for {@code change}. */
  public static final class Change {
    public static final String CREATED = "CREATED";
    public static final String UPDATED = "UPDATED";
    public static final String DELETED = "DELETED";

    private Change() {}
  }

  /** Lifecycle transitions of a session, for {@code transition}. */
  public static final class Transition {
    public static final String CREATED = "CREATED";
    public static final String RELEASED = "RELEASED";
    public static final String IDLE = "IDLE";
    public static final String ERRORED = "ERRORED";
    public static final String TERMINATED = "TERMINATED";
    /** The API answers 404 for the session. */
    public static final String GONE = "GONE";

    private Transition() {}
  }

  public ItemMapper() {}

  /** Maps a resource of session {@code sessionId} (sess_ form). */
  public MappingResult<SessionResourceRecord> map(SessionResource resource, String sessionId,
      String change, Instant observedAt) {
    return mapResource(Objects.requireNonNull(resource, "resource").json(), sessionId, change, observedAt);
  }

  /** Maps one object of a resources page's {@code data} array. The object is not modified. */
  public MappingResult<SessionResourceRecord> mapResource(ObjectNode resource, String sessionId,
      String change, Instant observedAt) {
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(change, "change");
    Required.callerInstant(observedAt, "observedAt");
    return guard(resource, "resource", () -> {
      Members members = new Members(resource);
      String id = Required.string(members, "id", "resource");
      String session = Required.callerString(sessionId, "sessionId");
      return new SessionResourceRecord(session, id, members.string("type"), members.string("file_id"),
          members.string("mount_path"), members.timestamp("created_at"), members.timestamp("updated_at"),
          Required.callerString(change, "change"), observedAt, members.extraJson());
    });
  }

  /** Maps a file of the account. */
  public MappingResult<FileRecord> map(QoderFile file, String change, Instant observedAt) {
    return mapFile(Objects.requireNonNull(file, "file").json(), change, observedAt);
  }

  /** Maps one object of a files page's {@code data} array. The object is not modified. */
  public MappingResult<FileRecord> mapFile(ObjectNode file, String change, Instant observedAt) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(change, "change");
    Required.callerInstant(observedAt, "observedAt");
    return guard(file, "file", () -> {
      Members members = new Members(file);
      String id = Required.string(members, "file_id", "file");
      return new FileRecord(id, members.string("filename"), members.string("purpose"),
          members.string("mime_type"), members.integer("size_bytes"), members.string("status"),
          members.stringMap("metadata"), members.timestamp("created_at"), members.timestamp("updated_at"),
          Required.callerString(change, "change"), observedAt, members.extraJson());
    });
  }

  /** Maps a session of the sessions list; its record is keyed by the canonical sess_ id. */
  public MappingResult<SessionLifecycleRecord> map(SessionInfo session, String transition,
      Instant observedAt) {
    return mapSession(Objects.requireNonNull(session, "session").json(), transition, observedAt);
  }

  /** Maps one object of a sessions page's {@code data} array. The object is not modified. */
  public MappingResult<SessionLifecycleRecord> mapSession(ObjectNode session, String transition,
      Instant observedAt) {
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(transition, "transition");
    Required.callerInstant(observedAt, "observedAt");
    return guard(session, "session", () -> {
      Members members = new Members(session);
      String uuid = Required.string(members, "id", "session");
      return new SessionLifecycleRecord(SessionIds.canonical(uuid), uuid, members.string("organization"),
          members.string("user"), device(members), members.timestamp("createdAt"),
          members.timestamp("releasedAt"), Required.callerString(transition, "transition"), observedAt,
          members.extraJson());
    });
  }

  private static Device device(Members members) throws JsonProcessingException {
    ObjectNode object = members.objectValue("device");
    if (object == null) {
      return null;
    }
    members.take("device");
    Members device = new Members(object);
    return new Device(device.string("id"), device.string("platform"), device.string("type"),
        device.string("name"), device.string("osVersion"), device.extraJson());
  }

  private interface Mapping<T> {
    T map() throws Rejection, JsonProcessingException;
  }

  private static <T> MappingResult<T> guard(ObjectNode item, String kind, Mapping<T> mapping) {
    try {
      return new MappingResult.Mapped<>(mapping.map());
    } catch (Rejection r) {
      return new MappingResult.Rejected<>(r.reason, r.getMessage(), item);
    } catch (JsonProcessingException e) {
      return new MappingResult.Rejected<>(RejectReason.TOO_DEEP, describe(item, kind)
          + " cannot be kept as JSON: " + e.getOriginalMessage(), item);
    } catch (RuntimeException | StackOverflowError e) {
      // A defect here must not stop the pipeline; the item goes to the dead letters with the cause.
      return new MappingResult.Rejected<>(RejectReason.UNEXPECTED, describe(item, kind)
          + " could not be mapped: " + e, item);
    }
  }

  private static String describe(ObjectNode item, String kind) {
    JsonNode id = item.get(kind.equals("file") ? "file_id" : "id");
    return id != null && id.isTextual() ? Required.describe(kind, id.textValue()) : kind;
  }
}

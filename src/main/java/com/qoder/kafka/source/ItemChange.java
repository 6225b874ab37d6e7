package com.qoder.kafka.source;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Objects;

/**
 * One observed change of a resource, a file or a session, as a source hands it to Kafka.
 *
 * @param source which source observed it
 * @param key the Kafka record key: the session id for resources and sessions, the file id for files
 * @param id the item's own id (resource id, file id, session id)
 * @param change what happened: {@code CREATED}, {@code UPDATED}, {@code DELETED} for resources and
 *     files; a lifecycle transition ({@code CREATED}, {@code RELEASED}, {@code IDLE}, …) for sessions
 * @param item the item as the API sent it; for a deleted item only what the source still knows
 *     (at least its id member)
 * @param changeId stable id of this change, the same when the same change is observed again (the
 *     CloudEvents {@code ce_id}, so consumers can de-duplicate)
 * @param observedAt when the source observed it
 */
public record ItemChange(ChangeSource source, String key, String id, String change, ObjectNode item,
    String changeId, Instant observedAt) {

  public static final String CREATED = "CREATED";
  public static final String UPDATED = "UPDATED";
  public static final String DELETED = "DELETED";

  public ItemChange {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(change, "change");
    Objects.requireNonNull(item, "item");
    Objects.requireNonNull(changeId, "changeId");
    Objects.requireNonNull(observedAt, "observedAt");
  }

  @Override
  public String toString() {
    // The item JSON stays out of logs.
    return "ItemChange[" + source.id() + " " + change + " " + id + " key=" + key + "]";
  }
}

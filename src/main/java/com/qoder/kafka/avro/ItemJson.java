package com.qoder.kafka.avro;

import static com.qoder.kafka.avro.EventJson.merge;
import static com.qoder.kafka.avro.EventJson.putIfSet;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.qoder.kafka.avro.v1.Device;
import com.qoder.kafka.avro.v1.FileRecord;
import com.qoder.kafka.avro.v1.SessionLifecycleRecord;
import com.qoder.kafka.avro.v1.SessionResourceRecord;
import java.util.Map;
import java.util.Objects;

/**
 * Rebuilds the API's item JSON from a resource, file or session record: the inverse of
 * {@link ItemMapper}, with the same allowances as {@link EventJson} (timestamps as instants, member
 * order). The fields the caller supplied to the mapper ({@code session_id} of a resource,
 * {@code change}/{@code transition}, {@code observed_at}) are not part of the item and are not
 * written.
 *
 * <p>Every method throws {@link IllegalArgumentException} when an {@code extra_json} of the record
 * is not a JSON object (the record was not made by {@link ItemMapper}). Thread-safe; each call
 * returns a new tree.
 */
public final class ItemJson {

  private ItemJson() {}

  /** The resource object of document 000 the record was mapped from. */
  public static ObjectNode toJson(SessionResourceRecord record) {
    Objects.requireNonNull(record, "record");
    ObjectNode json = Json.NODES.objectNode();
    json.put("id", record.getResourceId());
    putIfSet(json, "type", record.getType());
    putIfSet(json, "file_id", record.getFileId());
    putIfSet(json, "mount_path", record.getMountPath());
    putIfSet(json, "created_at", record.getCreatedAt());
    putIfSet(json, "updated_at", record.getUpdatedAt());
    return merge(json, record.getExtraJson(), "extra_json of resource '" + record.getResourceId() + "'");
  }

  /** The file object of document 001 the record was mapped from. */
  public static ObjectNode toJson(FileRecord record) {
    Objects.requireNonNull(record, "record");
    ObjectNode json = Json.NODES.objectNode();
    putIfSet(json, "created_at", record.getCreatedAt());
    json.put("file_id", record.getFileId());
    putIfSet(json, "filename", record.getFilename());
    if (record.getMetadata() != null) {
      ObjectNode metadata = json.putObject("metadata");
      for (Map.Entry<String, String> entry : record.getMetadata().entrySet()) {
        metadata.put(entry.getKey(), entry.getValue());
      }
    }
    putIfSet(json, "mime_type", record.getMimeType());
    putIfSet(json, "purpose", record.getPurpose());
    putIfSet(json, "size_bytes", record.getSizeBytes());
    putIfSet(json, "status", record.getStatus());
    putIfSet(json, "updated_at", record.getUpdatedAt());
    return merge(json, record.getExtraJson(), "extra_json of file '" + record.getFileId() + "'");
  }

  /** The session object of document 004 the record was mapped from. */
  public static ObjectNode toJson(SessionLifecycleRecord record) {
    Objects.requireNonNull(record, "record");
    String where = "session '" + record.getSessionUuid() + "'";
    ObjectNode json = Json.NODES.objectNode();
    json.put("id", record.getSessionUuid());
    putIfSet(json, "organization", record.getOrganization());
    putIfSet(json, "user", record.getUser());
    Device device = record.getDevice();
    if (device != null) {
      ObjectNode d = json.putObject("device");
      putIfSet(d, "id", device.getId());
      putIfSet(d, "platform", device.getPlatform());
      putIfSet(d, "type", device.getType());
      putIfSet(d, "name", device.getName());
      putIfSet(d, "osVersion", device.getOsVersion());
      merge(d, device.getExtraJson(), "extra_json of the device of " + where);
    }
    putIfSet(json, "createdAt", record.getCreatedAt());
    putIfSet(json, "releasedAt", record.getReleasedAt());
    return merge(json, record.getExtraJson(), "extra_json of " + where);
  }
}

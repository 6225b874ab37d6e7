package com.qoder.kafka.sim;

import java.util.Map;

/** Immutable items of the list endpoints; an update replaces the item. */
final class Items {

  private Items() {}

  /** A file (document 001). Field names follow the wire names. */
  record FileItem(String fileId, String filename, Map<String, String> metadata, String mimeType,
      String purpose, long sizeBytes, String status, long createdNanos, long updatedNanos) {

    FileItem {
      metadata = Map.copyOf(metadata);
    }
  }

  /** A session resource (document 000). */
  record ResourceItem(String id, String type, String fileId, String mountPath, long createdNanos,
      long updatedNanos) {}

  /** An item of the generic list of document 003 (agents). */
  record AgentItem(String id, String name, String model, String description, long createdNanos) {}

  /** The device object of a session (document 004). */
  record Device(String id, String platform, String type, String name, String osVersion) {}
}

package com.qoder.kafka.offsets;

import java.util.List;

/**
 * The offsets could not be restored: Kafka did not answer in time, or the topic holds values this
 * connector cannot read. Corrupt entries are never treated as "no offset" — that would silently
 * re-deliver a session's history or skip it — so the connector stops and
 * {@link #corruptEntries()} says which keys to inspect or reset.
 */
public final class OffsetStoreException extends RuntimeException {

  /** One offset record that could not be read and was not superseded by a later one. */
  public record CorruptEntry(String key, int partition, long offset, String reason) {
    @Override
    public String toString() {
      return "key '" + key + "' at partition " + partition + " offset " + offset + ": " + reason;
    }
  }

  private final List<CorruptEntry> corruptEntries;

  OffsetStoreException(String message, List<CorruptEntry> corruptEntries, Throwable cause) {
    super(message, cause);
    this.corruptEntries = List.copyOf(corruptEntries);
  }

  public List<CorruptEntry> corruptEntries() {
    return corruptEntries;
  }
}

package com.qoder.kafka.ops;

import com.qoder.kafka.ops.StatusSnapshot.ErrorEntry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The last N errors, for the status page: a bounded ring buffer the pipeline pushes to.
 *
 * <p>Thread-safe (a short lock per call; errors are rare, so contention is not a concern). Memory
 * is bounded by the capacity and by {@link #MAX_MESSAGE_LENGTH}. Callers must not push messages
 * that contain secrets: the buffer is served over HTTP.
 */
public final class RecentErrors {

  /** Default capacity. */
  public static final int DEFAULT_CAPACITY = 50;

  /** Longer messages are cut, so one huge stack trace cannot pin memory. */
  public static final int MAX_MESSAGE_LENGTH = 1000;

  private final ErrorEntry[] ring;
  private final Clock clock;
  private int next; // index of the slot the next entry goes to
  private int size;
  private long total;

  public RecentErrors() {
    this(DEFAULT_CAPACITY, Clock.systemUTC());
  }

  public RecentErrors(int capacity, Clock clock) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
    }
    this.ring = new ErrorEntry[capacity];
    this.clock = clock;
  }

  /** Records an error now. Never throws. */
  public void add(String sessionId, String message) {
    try {
      add(new ErrorEntry(clock.instant(), sessionId, message));
    } catch (RuntimeException ignored) {
      // A broken clock must not break the caller's error path.
    }
  }

  /** Records an error, describing {@code error} by its type and message. Never throws. */
  public void add(String sessionId, Throwable error) {
    add(sessionId, describe(error));
  }

  /** Records {@code entry}; a null entry is ignored. */
  public void add(ErrorEntry entry) {
    if (entry == null) {
      return;
    }
    String m = entry.message();
    if (m.length() > MAX_MESSAGE_LENGTH) {
      entry = new ErrorEntry(entry.at(), entry.sessionId(), m.substring(0, MAX_MESSAGE_LENGTH) + "…");
    }
    synchronized (this) {
      ring[next] = entry;
      next = (next + 1) % ring.length;
      if (size < ring.length) {
        size++;
      }
      total++;
    }
  }

  /** The retained errors, newest first. */
  public synchronized List<ErrorEntry> newestFirst() {
    List<ErrorEntry> out = new ArrayList<>(size);
    for (int i = 1; i <= size; i++) {
      out.add(ring[Math.floorMod(next - i, ring.length)]);
    }
    return out;
  }

  /** Errors recorded since creation, including those no longer retained. */
  public synchronized long total() {
    return total;
  }

  public int capacity() {
    return ring.length;
  }

  static String describe(Throwable error) {
    if (error == null) {
      return "unknown error";
    }
    String message = error.getMessage();
    return message == null || message.isBlank()
        ? error.getClass().getSimpleName()
        : error.getClass().getSimpleName() + ": " + message;
  }
}

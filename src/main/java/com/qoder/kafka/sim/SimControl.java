package com.qoder.kafka.sim;

import com.qoder.kafka.sim.Items.FileItem;
import com.qoder.kafka.sim.Items.ResourceItem;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.LongSupplier;

/**
 * What the control methods of {@link QoderSimulator} (and their {@code /_sim/} twins) change in the
 * data: sessions, events, resources, files and agents, stamped with the simulator's clock and
 * shaped by the generation faults in force. Apart from the facade so that its Javadoc stays the
 * public contract and this class the one place that mutates the data set-up.
 *
 * <p>Errors: a missing session, file or resource is {@link NoSuchElementException}; an invalid
 * argument {@link IllegalArgumentException}. Thread-safe as {@link SimData} and {@link SimSession} are.
 */
final class SimControl {

  private static final long SECOND = 1_000_000_000L;

  private final SimData data;
  private final Faults faults;
  private final LongSupplier clock;

  SimControl(SimData data, Faults faults, LongSupplier nowNanos) {
    this.data = data;
    this.faults = faults;
    this.clock = nowNanos;
  }

  private long nowNanos() {
    return clock.getAsLong();
  }

  // ---- sessions and events -------------------------------------------------------------------

  String createSession(String organization, int events) {
    if (events < 0) {
      throw new IllegalArgumentException("events must not be negative; got " + events);
    }
    SimSession s = data.createSession(organization, nowNanos());
    for (int i = 0; i < events; i++) {
      s.appendNext(nowNanos(), faults.generation());
    }
    return s.id;
  }

  List<String> createSessionsAt(String organization, Instant createdAt, int count, int eventsEach) {
    if (count < 1 || count > 1_000_000) {
      throw new IllegalArgumentException("count must be 1..1000000; got " + count);
    }
    if (eventsEach < 0 || (long) count * eventsEach > 50_000_000L) {
      throw new IllegalArgumentException("eventsEach must be 0.. and count × eventsEach at most 50,000,000; got "
          + count + " × " + eventsEach);
    }
    Long at = createdAt == null ? null : SimTime.epochNanos(createdAt);
    List<String> ids = new ArrayList<>(count);
    for (SimSession s : data.createSessionsAt(organization, at, nowNanos(), count)) {
      for (int i = 0; i < eventsEach; i++) {
        s.appendNext(Math.max(nowNanos(), s.createdNanos), faults.generation());
      }
      ids.add(s.id);
    }
    return ids;
  }

  List<String> appendEvents(String sessionId, int count, EventSpec spec) {
    if (count < 0 || count > 1_000_000) {
      throw new IllegalArgumentException("count must be 0..1000000; got " + count);
    }
    SimSession s = session(data, sessionId);
    List<String> ids = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      ids.add(spec.type() == null
          ? s.appendNext(nowNanos(), faults.generation(), spec.extraFields(), spec.contentBytes())
          : s.appendExplicit(spec.type(), spec.extraFields(), spec.contentBytes(), nowNanos(),
              faults.generation().timestampTieProbability()));
    }
    if (!s.acceptsLiveEvents()) {
      data.deactivate(s);
    }
    return ids;
  }

  String terminateSession(String sessionId) {
    SimSession s = session(data, sessionId);
    String id = s.terminate(nowNanos());
    data.deactivate(s);
    return id;
  }

  boolean releaseSession(String sessionId) {
    SimSession s = session(data, sessionId);
    boolean changed = s.release(nowNanos());
    data.deactivate(s);
    return changed;
  }

  void deleteSession(String sessionId) {
    data.deleteSession(session(data, sessionId));
  }

  void deleteEvent(String sessionId, String eventId) {
    if (!session(data, sessionId).deleteEvent(eventId)) {
      throw new NoSuchElementException("session '" + sessionId + "' has no event '" + eventId + "'");
    }
  }

  // ---- resources -----------------------------------------------------------------------------

  String createResource(String sessionId, String fileId) {
    SimSession s = session(data, sessionId);
    if (fileId != null && data.files.get(fileId) == null) {
      throw new NoSuchElementException("no file '" + fileId + "'");
    }
    return data.createResource(s, fileId, nowNanos()).id();
  }

  void updateResource(String sessionId, String resourceId, String mountPath) {
    SimSession s = session(data, sessionId);
    ResourceItem r = s.resources.get(resourceId);
    if (r == null) {
      throw new NoSuchElementException("session '" + sessionId + "' has no resource '" + resourceId + "'");
    }
    long updated = Math.max(nowNanos() / 1_000 * 1_000, r.updatedNanos() + 1_000);
    s.resources.replace(new ResourceItem(r.id(), r.type(), r.fileId(),
        mountPath == null ? r.mountPath() : mountPath, r.createdNanos(), updated));
  }

  void deleteResource(String sessionId, String resourceId) {
    if (!session(data, sessionId).resources.delete(resourceId)) {
      throw new NoSuchElementException("session '" + sessionId + "' has no resource '" + resourceId + "'");
    }
  }

  // ---- files and agents ----------------------------------------------------------------------

  List<String> createFiles(String purpose, int count) {
    if (count < 1 || count > 10_000_000) {
      throw new IllegalArgumentException("count must be 1..10000000; got " + count);
    }
    long now = nowNanos();
    List<String> ids = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      ids.add(data.createFile(purpose, null, null, Map.of("burst", "true"), now).fileId());
    }
    return ids;
  }

  String createFile(String purpose, String filename, Map<String, String> metadata) {
    return data.createFile(purpose, filename, null, metadata, nowNanos()).fileId();
  }

  void updateFile(String fileId, String status, Map<String, String> metadata) {
    FileItem f = data.files.get(fileId);
    if (f == null) {
      throw new NoSuchElementException("no file '" + fileId + "'");
    }
    long updated = Math.max(nowNanos() / SECOND * SECOND, f.updatedNanos() + SECOND);
    data.files.replace(new FileItem(f.fileId(), f.filename(), metadata == null ? f.metadata() : metadata,
        f.mimeType(), f.purpose(), f.sizeBytes(), status == null ? f.status() : status, f.createdNanos(), updated));
  }

  void deleteFile(String fileId) {
    if (!data.files.delete(fileId)) {
      throw new NoSuchElementException("no file '" + fileId + "'");
    }
  }

  String createAgent() {
    return data.createAgent(nowNanos()).id();
  }

  void deleteAgent(String agentId) {
    if (!data.agents.delete(agentId)) {
      throw new NoSuchElementException("no agent '" + agentId + "'");
    }
  }

  /** A session that exists and is not deleted, by either id spelling; else NoSuchElementException. */
  static SimSession session(SimData data, String sessionId) {
    SimSession s = sessionId == null ? null : data.session(sessionId);
    if (s == null) {
      throw new NoSuchElementException("no session '" + sessionId + "' (unknown or deleted)");
    }
    return s;
  }
}

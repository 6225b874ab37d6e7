package com.qoder.kafka.sim;

import com.qoder.kafka.sim.Items.AgentItem;
import com.qoder.kafka.sim.Items.Device;
import com.qoder.kafka.sim.Items.FileItem;
import com.qoder.kafka.sim.Items.ResourceItem;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The simulated account: organizations, sessions, files and agents, generated from the seed at
 * construction and changed afterwards by the live generator and the control API.
 *
 * <p>Sessions are listed by ({@code createdAt}, creation order), not keyed by {@code createdAt}
 * alone: several sessions may share one {@code createdAt} (live sessions made together through the
 * control API, or history ties placed across page boundaries by {@link SimSettings#tiePageSize()}),
 * and document 004's {@code before} is strictly before, so a client that passes {@code nextCursor}
 * unchanged skips the tied sessions of the next page. By default generated and live sessions are
 * at least 1 ms apart. Files are kept in creation order with non-decreasing {@code created_at},
 * which the files endpoint serves newest first.
 *
 * <p>Thread-safe: maps are concurrent, creation is serialized on this object, each session and
 * store guards itself.
 */
final class SimData {

  static final List<String> PURPOSES =
      List.of("user_upload", "tool_output", "skill_output", "session_resource", "agent_output");

  private static final long MS = 1_000_000L;
  private static final long SECOND = 1_000_000_000L;

  private static final String[][] DEVICES = {
      {"darwin", "desktop", "macOS 14.5"}, {"darwin", "desktop", "macOS 15.1"},
      {"linux", "cloud", "Ubuntu 24.04"}, {"win32", "desktop", "Windows 11 23H2"},
      {"linux", "desktop", "Debian 12"}};
  private static final String[] NAMES = {"alice", "bob", "chen", "dana", "emeka", "farah", "goran", "hana"};
  private static final String[][] FILE_KINDS = {
      {"report", "txt", "text/plain"}, {"diff", "patch", "text/x-diff"}, {"screenshot", "png", "image/png"},
      {"notes", "md", "text/markdown"}, {"data", "csv", "text/csv"}, {"build", "log", "text/plain"},
      {"result", "json", "application/json"}, {"archive", "zip", "application/zip"}};

  final SimSettings settings;
  final List<String> organizations;
  final String defaultOrganization;
  private final Map<String, List<String>> usersByOrg = new LinkedHashMap<>();
  private final Map<String, SimSession> sessions = new ConcurrentHashMap<>();
  private final Map<String, ConcurrentSkipListMap<ListKey, SimSession>> byOrg = new ConcurrentHashMap<>();
  private final CopyOnWriteArrayList<SimSession> active = new CopyOnWriteArrayList<>();
  final ItemStore<FileItem> files = new ItemStore<>(FileItem::fileId);
  final ItemStore<AgentItem> agents = new ItemStore<>(AgentItem::id);
  private final SplittableRandom random;
  private long lastSessionCreated = Long.MIN_VALUE;
  private long lastFileCreated = Long.MIN_VALUE;
  private long lastAgentCreated = Long.MIN_VALUE;
  private long nextOrdinal;

  /**
   * Position of a session in its organization's list: oldest first by {@code createdAt}, ties by
   * creation order. The sessions endpoint walks it backwards (newest first).
   */
  record ListKey(long createdNanos, long ordinal) implements Comparable<ListKey> {
    /** Sorts before every session created at {@code createdNanos}: {@code headMap(below(t))} is "strictly before t". */
    static ListKey below(long createdNanos) {
      return new ListKey(createdNanos, Long.MIN_VALUE);
    }

    @Override
    public int compareTo(ListKey o) {
      int c = Long.compare(createdNanos, o.createdNanos);
      return c != 0 ? c : Long.compare(ordinal, o.ordinal);
    }
  }

  SimData(SimSettings settings, SimSession.GenerationFaults historyFaults) {
    this.settings = settings;
    this.organizations = settings.organizations();
    this.defaultOrganization = organizations.get(0);
    this.random = new SplittableRandom(settings.seed());
    for (String org : organizations) {
      byOrg.put(org, new ConcurrentSkipListMap<>());
      List<String> users = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        users.add(Ids.sessionUuid(Ids.hex32("sess_", Ids.v4High(random), Ids.variantLow(random))));
      }
      usersByOrg.put(org, users);
    }
    generateHistory(historyFaults);
  }

  // ---- generation at start -----------------------------------------------------------------

  private void generateHistory(SimSession.GenerationFaults faults) {
    long end = settings.historyEnd().getEpochSecond() * SECOND;
    long start = end - (long) settings.sessions() * 61 * SECOND - 3_600 * SECOND;
    long t = start;
    List<FileItem> pendingFiles = new ArrayList<>();
    List<Object[]> pendingResources = new ArrayList<>();
    List<SimSession> generated = new ArrayList<>(settings.sessions());
    for (int k = 0; k < settings.sessions(); k++) {
      t += random.nextLong(1_000, 120_000) * MS;
      String org = organizations.size() == 1 || random.nextDouble() < 0.8 ? defaultOrganization
          : organizations.get(1 + random.nextInt(organizations.size() - 1));
      SimSession s = newSession(org, t);
      boolean terminated = random.nextDouble() < settings.terminatedFraction();
      boolean released = random.nextDouble() < settings.releasedFraction();
      int resourceCount = settings.maxResourcesPerSession() == 0 ? 0
          : random.nextInt(settings.maxResourcesPerSession() + 1);
      int n = settings.eventsPerSession();
      for (int i = 0; i < n; i++) {
        if (i == n - 1 && terminated) {
          s.terminate(Long.MIN_VALUE);
        } else {
          s.appendNext(Long.MIN_VALUE, faults);
        }
      }
      if (released) {
        s.release(s.read(log -> log.size() == 0 ? s.createdNanos : log.lastCreated())
            + random.nextLong(60, 900) * SECOND);
      }
      for (int r = 0; r < resourceCount; r++) {
        long created = s.createdNanos + random.nextLong(1, 600) * SECOND + random.nextLong(1_000_000) * 1_000;
        FileItem f = newFile(created / SECOND * SECOND, "session_resource", Map.of("session_id", s.id));
        pendingFiles.add(f);
        pendingResources.add(new Object[] {s, newResource(f.fileId(), created)});
      }
      generated.add(s);
    }
    placeTies(generated);
    generated.forEach(this::register);
    long spanSeconds = (end - start) / SECOND;
    for (int i = 0; i < settings.files(); i++) {
      long created = end - random.nextLong(spanSeconds) * SECOND;
      String purpose = PURPOSES.get(random.nextInt(PURPOSES.size()));
      pendingFiles.add(newFile(created, purpose, Map.of("project", "sim-" + (1 + random.nextInt(5)))));
    }
    pendingFiles.sort(Comparator.comparingLong(FileItem::createdNanos)); // stable: ties keep creation order
    for (FileItem f : pendingFiles) {
      files.add(f);
      lastFileCreated = Math.max(lastFileCreated, f.createdNanos());
    }
    for (Object[] pr : pendingResources) {
      ((SimSession) pr[0]).resources.add((ResourceItem) pr[1]);
    }
    long agentTime = end - (long) settings.agents() * 3_600 * SECOND;
    for (int i = 0; i < settings.agents(); i++) {
      agentTime += random.nextLong(60, 7_200) * SECOND;
      agents.add(newAgent(agentTime));
    }
    lastAgentCreated = agentTime;
  }

  /**
   * In each organization's list (newest first), makes the sessions at 1-based positions {@code
   * k·pageSize … k·pageSize + tieSize − 1} share one {@code createdAt}: the last of page k and the
   * first {@code tieSize − 1} of page k + 1. They take the oldest of their times, so no event
   * precedes its session. Draws nothing from the random source: the data is otherwise unchanged.
   */
  private void placeTies(List<SimSession> generated) {
    int pageSize = settings.tiePageSize();
    int tieSize = settings.tieSize();
    if (pageSize <= 0 || tieSize < 2) {
      return;
    }
    for (String org : organizations) {
      List<SimSession> newestFirst = new ArrayList<>();
      for (int i = generated.size() - 1; i >= 0; i--) {
        if (generated.get(i).organization.equals(org)) {
          newestFirst.add(generated.get(i));
        }
      }
      for (int first = pageSize - 1; first + 1 < newestFirst.size(); first += pageSize) {
        int last = Math.min(first + tieSize - 1, newestFirst.size() - 1);
        long shared = newestFirst.get(last).createdNanos;
        for (int i = first; i < last; i++) {
          newestFirst.get(i).createdNanos = shared;
        }
      }
    }
  }

  private SimSession newSession(String org, long createdNanos) {
    long ms = createdNanos / MS;
    lastSessionCreated = Math.max(lastSessionCreated, ms * MS);
    String id = Ids.hex32("sess_", Ids.v7High(ms, random), Ids.variantLow(random));
    List<String> users = usersByOrg.get(org);
    String user = users.get(random.nextInt(users.size()));
    String[] d = DEVICES[random.nextInt(DEVICES.length)];
    String owner = NAMES[random.nextInt(NAMES.length)];
    Device device = new Device(Ids.hex("dev_", random, 16), d[0], d[1],
        owner + "-" + (d[0].equals("darwin") ? "mbp" : d[1].equals("cloud") ? "cloud-vm" : "pc"), d[2]);
    return new SimSession(id, Ids.sessionUuid(id), random.nextLong(), org, user, device, createdNanos,
        nextOrdinal++);
  }

  private void register(SimSession s) {
    sessions.put(s.id, s);
    byOrg.get(s.organization).put(new ListKey(s.createdNanos, s.ordinal), s);
    if (s.acceptsLiveEvents()) {
      active.add(s);
    }
  }

  private FileItem newFile(long createdNanos, String purpose, Map<String, String> metadata) {
    String[] kind = FILE_KINDS[random.nextInt(FILE_KINDS.length)];
    String id = Ids.hex32("file_", Ids.v7High(createdNanos / MS, random), Ids.variantLow(random));
    String status = random.nextDouble() < 0.9 ? "ready" : random.nextBoolean() ? "processing" : "failed";
    return new FileItem(id, kind[0] + "-" + (1 + random.nextInt(999)) + "." + kind[1], metadata, kind[2],
        purpose, 16 + random.nextLong(5_000_000), status, createdNanos,
        createdNanos + random.nextLong(0, 5) * SECOND);
  }

  private ResourceItem newResource(String fileId, long createdNanos) {
    long created = createdNanos / 1_000 * 1_000; // microseconds, as in document 000's example
    return new ResourceItem(Ids.hex("sesr_", random, 24), "file", fileId, "/mnt/session/uploads/" + fileId,
        created, created + random.nextLong(1, 60_000_000) * 1_000);
  }

  private AgentItem newAgent(long createdNanos) {
    String[] models = {"qoder-max", "qoder-pro", "qoder-lite"};
    String name = NAMES[random.nextInt(NAMES.length)] + "-" + new String[] {"reviewer", "builder", "triage",
        "docs", "migrator"}[random.nextInt(5)];
    return new AgentItem(Ids.hex("agent_", random, 24), name, models[random.nextInt(models.length)],
        "Simulated agent " + name, createdNanos);
  }

  // ---- lookups -----------------------------------------------------------------------------

  /** A session that is not deleted, by {@code sess_} id or UUID; null when unknown. */
  SimSession session(String anyId) {
    SimSession s = sessions.get(Ids.canonicalSessionId(anyId));
    return s == null || s.isDeleted() ? null : s;
  }

  /** Any session ever created (deleted ones included), for ground truth. */
  SimSession sessionEvenDeleted(String anyId) {
    return sessions.get(Ids.canonicalSessionId(anyId));
  }

  List<SimSession> allSessionsEvenDeleted() {
    List<SimSession> out = new ArrayList<>(sessions.values());
    out.sort(Comparator.comparingLong((SimSession s) -> s.createdNanos).thenComparingLong(s -> s.ordinal));
    return out;
  }

  /** Live sessions of an organization in list order (oldest first); null when the organization is unknown. */
  ConcurrentSkipListMap<ListKey, SimSession> sessionsOf(String org) {
    return byOrg.get(org);
  }

  List<SimSession> activeSessions() {
    return active;
  }

  // ---- changes (control API, live generator) -----------------------------------------------

  synchronized SimSession createSession(String org, long nowNanos) {
    if (org == null) {
      org = defaultOrganization;
    }
    if (!byOrg.containsKey(org)) {
      throw new IllegalArgumentException("unknown organization '" + org + "'; known: " + organizations);
    }
    long created = Math.max(nowNanos / MS * MS, lastSessionCreated + MS);
    SimSession s = newSession(org, created);
    register(s);
    return s;
  }

  /**
   * Creates {@code count} sessions that all have {@code createdAt} = {@code createdNanos} (any
   * instant, past or future; null: now, or the next free millisecond after every session so
   * far). Listed newest first, the last created comes first among them.
   */
  synchronized List<SimSession> createSessionsAt(String org, Long createdNanos, long nowNanos, int count) {
    if (org == null) {
      org = defaultOrganization;
    }
    if (!byOrg.containsKey(org)) {
      throw new IllegalArgumentException("unknown organization '" + org + "'; known: " + organizations);
    }
    long created = createdNanos != null ? createdNanos : Math.max(nowNanos / MS * MS, lastSessionCreated + MS);
    List<SimSession> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      SimSession s = newSession(org, created);
      register(s);
      out.add(s);
    }
    return out;
  }

  void deleteSession(SimSession s) {
    s.markDeleted();
    byOrg.get(s.organization).remove(new ListKey(s.createdNanos, s.ordinal), s);
    active.remove(s);
  }

  void deactivate(SimSession s) {
    active.remove(s);
  }

  synchronized FileItem createFile(String purpose, String filename, String mimeType, Map<String, String> metadata,
      long nowNanos) {
    if (!PURPOSES.contains(purpose)) {
      throw new IllegalArgumentException("purpose must be one of " + PURPOSES + "; got '" + purpose + "'");
    }
    long created = Math.max(nowNanos / SECOND * SECOND, lastFileCreated);
    lastFileCreated = created;
    FileItem f = newFile(created, purpose, metadata == null ? Map.of() : metadata);
    f = new FileItem(f.fileId(), filename == null ? f.filename() : filename, f.metadata(),
        mimeType == null ? f.mimeType() : mimeType, f.purpose(), f.sizeBytes(), "ready", created, created);
    files.add(f);
    return f;
  }

  synchronized ResourceItem createResource(SimSession s, String fileId, long nowNanos) {
    if (fileId == null) {
      fileId = createFile("session_resource", null, null, Map.of("session_id", s.id), nowNanos).fileId();
    }
    ResourceItem r = newResource(fileId, nowNanos);
    r = new ResourceItem(r.id(), r.type(), r.fileId(), r.mountPath(), r.createdNanos(), r.createdNanos());
    s.resources.add(r);
    return r;
  }

  synchronized AgentItem createAgent(long nowNanos) {
    long created = Math.max(nowNanos / SECOND * SECOND, lastAgentCreated);
    lastAgentCreated = created;
    AgentItem a = newAgent(created);
    agents.add(a);
    return a;
  }

  /** A draw from the world's random source, for the live generator. */
  synchronized double nextDouble() {
    return random.nextDouble();
  }

  synchronized int nextInt(int bound) {
    return random.nextInt(bound);
  }
}

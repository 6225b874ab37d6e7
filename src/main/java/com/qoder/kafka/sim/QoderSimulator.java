package com.qoder.kafka.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A local stand-in for the Qoder Cloud Agents API: the five API documents served over HTTP by
 * Reactor Netty, with deterministic data for a seed, live event generation, a control API for
 * tests and fault injection.
 *
 * <pre>{@code
 * try (QoderSimulator sim = QoderSimulator.builder().seed(7).sessions(200).eventsPerSession(500)
 *     .files(1_000).liveMode(LiveMode.events(50)).build().start()) {
 *   String url = sim.baseUrl();             // http://127.0.0.1:<port>
 *   sim.faults().rateLimit(Faults.Trigger.chance(0.1), 2);
 *   sim.appendEvents(sim.sessionIds().get(0), 10);
 *   GroundTruth truth = sim.groundTruth(sim.sessionIds().get(0));
 * }
 * }</pre>
 *
 * <p>Every control method here has an HTTP twin under {@code /_sim/} (see docs/SIMULATOR.md).
 * Methods that name a missing session, file or resource throw {@link NoSuchElementException};
 * invalid arguments throw {@link IllegalArgumentException}.
 *
 * <p>This class is the public face and the wiring: the builder's settings and their checks live in
 * {@link SimulatorSetup}, what the control methods change in {@link SimControl}, what they read
 * (ids, ground truth, served JSON) in {@link SimViews}, the HTTP API in {@link ApiHandler}.
 *
 * <p>Thread-safe: server threads, the live generator and callers may use it concurrently.
 */
public final class QoderSimulator implements AutoCloseable {

  /** The token an in-process simulator accepts unless told otherwise. */
  public static final String DEFAULT_TOKEN = "qoder-sim-token";

  private static final long SECOND = 1_000_000_000L;

  private final SimData data;
  private final Faults faults;
  private final BearerToken token;
  private final String host;
  private final int requestedPort;
  private final Clock clock;
  /** Reads back events of up to {@link EventSpec#MAX_CONTENT_BYTES} (Jackson's default stops at 20,000,000 characters). */
  private final ObjectMapper mapper = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
      .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
          .maxStringLength(2 * EventSpec.MAX_CONTENT_BYTES).build())
      .build());
  private final RequestLog requestLog;
  private final ApiHandler api;
  private final SimControl control;
  private final SimViews views;
  private final LiveGenerator live;
  private SimServer server;
  private boolean closed;

  private QoderSimulator(SimulatorSetup b, Faults faults) {
    this.faults = faults;
    this.token = new BearerToken(b.token);
    this.host = b.host;
    this.requestedPort = b.port;
    this.clock = b.clock;
    this.data = new SimData(b.dataSettings(), faults.generation());
    this.requestLog = new RequestLog(b.requestLogCapacity);
    this.api = new ApiHandler(data, faults, mapper, this::nowNanos);
    this.control = new SimControl(data, faults, this::nowNanos);
    this.views = new SimViews(data, mapper, api.json());
    this.live = new LiveGenerator(this, data, b.liveMode);
  }

  public static Builder builder() {
    return new Builder();
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  /** Binds the HTTP server and starts the live generator; returns this. */
  public synchronized QoderSimulator start() {
    if (server != null || closed) {
      throw new IllegalStateException(closed ? "simulator was closed; build a new one"
          : "simulator already started on port " + server.port());
    }
    server = SimServer.start(host, requestedPort, this);
    live.start();
    return this;
  }

  /** Stops the live generator and the server. Idempotent. */
  @Override
  public synchronized void close() {
    live.stop();
    if (server != null && !closed) {
      server.stop();
    }
    closed = true;
  }

  /** The bound port (the ephemeral one when started with port 0). */
  public synchronized int port() {
    if (server == null) {
      throw new IllegalStateException("simulator not started; call start() first");
    }
    return server.port();
  }

  public String host() {
    return host;
  }

  /** {@code http://<host>:<port>}, the base URL both path forms hang off. */
  public String baseUrl() {
    String h = host.contains(":") ? "[" + host + "]" : host;
    return "http://" + h + ":" + port();
  }

  /** The one bearer token the simulator accepts. */
  public String token() {
    return token.reveal();
  }

  public Faults faults() {
    return faults;
  }

  public LiveMode liveMode() {
    return live.mode();
  }

  public void liveMode(LiveMode mode) {
    live.mode(Objects.requireNonNull(mode, "mode"));
  }

  // ---- sessions ------------------------------------------------------------------------------

  /** Organizations; the first is the default one (used when X-Organization-Id is absent). */
  public List<String> organizations() {
    return data.organizations;
  }

  /** Canonical {@code sess_} ids of every session not deleted, oldest first. */
  public List<String> sessionIds() {
    return views.sessionIds();
  }

  /** Creates an empty session in the default organization; returns its {@code sess_} id. */
  public String createSession() {
    return createSession(null, 0);
  }

  /**
   * Creates a session with {@code events} events of the turn machine (timestamps from the clock).
   *
   * @param organization null for the default organization
   */
  public String createSession(String organization, int events) {
    return control.createSession(organization, events);
  }

  /**
   * Creates {@code count} empty sessions in the default organization that all share one {@code
   * createdAt} (now, or just after the newest session). Document 004's {@code before} is strictly
   * before, so a client that pages with {@code nextCursor} unchanged skips those of them that fall
   * on the next page. Returns their {@code sess_} ids in creation order (the list shows them in
   * reverse order, newest first).
   */
  public List<String> createSessions(int count) {
    return createSessionsAt(null, null, count, 0);
  }

  /**
   * Creates {@code count} sessions sharing {@code createdAt} (any instant, past or future; null:
   * now, or just after the newest session), each with {@code eventsEach} events of the turn
   * machine (timestamps from the clock, never before {@code createdAt}). To put a tie exactly
   * across a page boundary of size P in an empty simulator: create the older sessions first, e.g.
   * {@code createSessionsAt(null, t0, 2, 0)} then P − 1 sessions at later instants; the two tied
   * ones are the P-th and (P+1)-th of the newest-first list.
   *
   * @param organization null for the default organization
   * @return the {@code sess_} ids in creation order
   */
  public List<String> createSessionsAt(String organization, Instant createdAt, int count, int eventsEach) {
    return control.createSessionsAt(organization, createdAt, count, eventsEach);
  }

  /** The {@code createdAt} of a session as the sessions list shows it (deleted sessions too). */
  public Instant sessionCreatedAt(String sessionId) {
    return views.sessionCreatedAt(sessionId);
  }

  /** The UUID spelling (document 004) of a {@code sess_} id. */
  public static String sessionUuid(String sessionId) {
    String uuid = Ids.sessionUuid(Ids.canonicalSessionId(sessionId));
    if (uuid == null) {
      throw new IllegalArgumentException("'" + sessionId + "' is neither a sess_<32 hex> id nor a UUID");
    }
    return uuid;
  }

  /** Appends the next {@code count} events of the session's turn; returns their ids in order. */
  public List<String> appendEvents(String sessionId, int count) {
    return appendEvents(sessionId, count, EventSpec.next());
  }

  /** Appends {@code count} events shaped by {@code spec}; returns their ids in order. */
  public List<String> appendEvents(String sessionId, int count, EventSpec spec) {
    return control.appendEvents(sessionId, count, spec);
  }

  /**
   * Appends one event shaped by {@code spec} at the end of the session; returns its id. Its
   * position is the session's ground truth size before the call, e.g. one 20 MB {@code
   * agent.message}: {@code appendEvent(id, EventSpec.agentMessage(20_000_000))}.
   */
  public String appendEvent(String sessionId, EventSpec spec) {
    return appendEvents(sessionId, 1, spec).get(0);
  }

  /** Appends {@code terminated}; returns its id, or null when the session had already ended. */
  public String terminateSession(String sessionId) {
    return control.terminateSession(sessionId);
  }

  /** Sets {@code releasedAt}; returns false when the session was already released. */
  public boolean releaseSession(String sessionId) {
    return control.releaseSession(sessionId);
  }

  /** Deletes a session: every endpoint answers 404 for it afterwards; its ground truth stays. */
  public void deleteSession(String sessionId) {
    control.deleteSession(sessionId);
  }

  /** Deletes one event: pages skip it and a cursor naming it is answered 400. */
  public void deleteEvent(String sessionId, String eventId) {
    control.deleteEvent(sessionId, eventId);
  }

  // ---- resources -----------------------------------------------------------------------------

  /** Resource ids of a session in API order (oldest first). */
  public List<String> resourceIds(String sessionId) {
    return views.resourceIds(sessionId);
  }

  /** Creates a resource backed by a new {@code session_resource} file; returns the resource id. */
  public String createResource(String sessionId) {
    return createResource(sessionId, null);
  }

  /** Creates a resource for an existing file (null: a new file); returns the resource id. */
  public String createResource(String sessionId, String fileId) {
    return control.createResource(sessionId, fileId);
  }

  /** Touches a resource: {@code updated_at} becomes now; {@code mountPath} non-null replaces the mount path. */
  public void updateResource(String sessionId, String resourceId, String mountPath) {
    control.updateResource(sessionId, resourceId, mountPath);
  }

  public void deleteResource(String sessionId, String resourceId) {
    control.deleteResource(sessionId, resourceId);
  }

  /** Expires every resources {@code next_page} token issued so far: using one answers 400. */
  public void invalidateResourceCursors() {
    api.invalidateResourceCursors();
  }

  // ---- files ---------------------------------------------------------------------------------

  /** File ids in API order (newest first). */
  public List<String> fileIds() {
    return views.fileIds();
  }

  public String createFile(String purpose) {
    return createFile(purpose, null, Map.of());
  }

  /**
   * A burst: {@code count} files created at once, all with the same {@code created_at} second.
   * The files list (newest first) shows the last of them first; a client polling with a bounded
   * window must walk all of them with {@code after} cursors. Returns the ids in creation order.
   *
   * @param purpose one of document 001's five purposes
   */
  public List<String> createFiles(String purpose, int count) {
    return control.createFiles(purpose, count);
  }

  /** Creates a file (the newest); {@code filename} null picks one. Returns the {@code file_id}. */
  public String createFile(String purpose, String filename, Map<String, String> metadata) {
    return control.createFile(purpose, filename, metadata);
  }

  /** Changes a file's status and/or metadata (null keeps it) and sets {@code updated_at} to now. */
  public void updateFile(String fileId, String status, Map<String, String> metadata) {
    control.updateFile(fileId, status, metadata);
  }

  public void deleteFile(String fileId) {
    control.deleteFile(fileId);
  }

  // ---- agents (document 003) ----------------------------------------------------------------

  /** Agent ids in API order (newest first). */
  public List<String> agentIds() {
    return views.agentIds();
  }

  /** Creates an agent (the newest); returns its id. */
  public String createAgent() {
    return control.createAgent();
  }

  /** Deletes an agent: a cursor naming it is answered 400 afterwards. */
  public void deleteAgent(String agentId) {
    control.deleteAgent(agentId);
  }

  // ---- observation ---------------------------------------------------------------------------

  public RequestStats requestStats() {
    return requestLog.stats();
  }

  /** The newest requests (up to the log capacity), oldest first. */
  public List<RequestRecord> requestLog() {
    return requestLog.records();
  }

  /** Clears the counters and the request log. */
  public void resetRequestLog() {
    requestLog.reset();
  }

  /** Every event ever created for a session (either id spelling), deleted sessions included. */
  public GroundTruth groundTruth(String sessionId) {
    return views.groundTruth(sessionId);
  }

  /** Ground truth of every session ever created, oldest session first. */
  public Map<String, GroundTruth> groundTruth() {
    return views.groundTruth();
  }

  /**
   * Renders every events page a forward walk with {@code pageSize} asks for, once, and serves those
   * stored bytes from now on (the bench's backfill: the simulator's rendering is not what it
   * measures). Only for a simulator whose sessions no longer change and that injects no faults.
   * Returns the bytes kept.
   */
  public long freezeEventPages(int pageSize) {
    long bytes = 0;
    for (String id : sessionIds()) {
      bytes += api.prerenderEventPages(id, pageSize);
    }
    return bytes;
  }

  /** The id of the newest event of a session (deleted or not), or null when it has none. */
  public String lastEventId(String sessionId) {
    return views.lastEventId(sessionId);
  }

  /** Total number of events ever created, all sessions. */
  public long totalEvents() {
    return views.totalEvents();
  }

  /** The served JSON of every live event of a session, in order: exactly what the API returns. */
  public List<ObjectNode> eventsJson(String sessionId) {
    return views.eventsJson(sessionId);
  }

  @Override
  public String toString() {
    // No token, not even masked: the simulator's toString goes into test names and logs.
    return "QoderSimulator[" + (server == null ? "not started" : baseUrl()) + "]";
  }

  // ---- package-private wiring ----------------------------------------------------------------

  ApiHandler api() {
    return api;
  }

  RequestLog log() {
    return requestLog;
  }

  ObjectMapper mapper() {
    return mapper;
  }

  BearerToken secret() {
    return token;
  }

  Clock clock() {
    return clock;
  }

  long nowNanos() {
    Instant now = clock.instant();
    return now.getEpochSecond() * SECOND + now.getNano();
  }

  /**
   * Settings of a simulator. Defaults: seed 1, 10 sessions of 100 events, 50 files, 25 agents, up
   * to 2 resources per session, organizations {@code org_default} and {@code org_research}, 10 %
   * of sessions terminated and 20 % released, history ending 2026-05-18T03:00:00Z, token {@link
   * #DEFAULT_TOKEN}, 127.0.0.1 port 0, live mode off, no faults, request log of 100,000 records.
   */
  public static final class Builder {
    private final SimulatorSetup setup = new SimulatorSetup();

    private Builder() {}

    public Builder seed(long seed) { setup.seed = seed; return this; }
    public Builder sessions(int sessions) { setup.sessions = sessions; return this; }
    public Builder eventsPerSession(int n) { setup.eventsPerSession = n; return this; }
    public Builder files(int files) { setup.files = files; return this; }
    public Builder agents(int agents) { setup.agents = agents; return this; }
    public Builder maxResourcesPerSession(int n) { setup.maxResourcesPerSession = n; return this; }
    /** Organization ids; the first is the default. */
    public Builder organizations(String... ids) { setup.organizations = List.of(ids); return this; }
    public Builder terminatedFraction(double f) { setup.terminatedFraction = f; return this; }
    public Builder releasedFraction(double f) { setup.releasedFraction = f; return this; }
    /** Generated history ends around this instant (live events use the clock). */
    public Builder historyEnd(Instant end) { setup.historyEnd = end; return this; }
    public Builder token(String token) { setup.token = token; return this; }
    public Builder host(String host) { setup.host = host; return this; }
    /** 0 (default) binds an ephemeral port. */
    public Builder port(int port) { setup.port = port; return this; }
    public Builder liveMode(LiveMode mode) { setup.liveMode = mode; return this; }
    /** Configures faults in force from the start (generation faults then shape the history too). */
    public Builder faults(Consumer<Faults> setup) { this.setup.faults = setup; return this; }
    /** Records kept in the request log; 0 keeps none (counters still count). */
    public Builder requestLogCapacity(int n) { setup.requestLogCapacity = n; return this; }
    /** Clock for live timestamps and the request log. */
    public Builder clock(Clock clock) { setup.clock = clock; return this; }

    /**
     * Places {@code createdAt} ties across every page boundary of size {@code pageSize} in each
     * organization's generated sessions list (newest first): the last session of page k and the
     * first {@code tieSize − 1} sessions of page k + 1 share one {@code createdAt}. With 501
     * sessions, {@code sessionTiesAtPageBoundaries(500, 2)} ties the 500th and the 501st, which a
     * client that passes {@code nextCursor} unchanged never reads. 0 (default) places none; the
     * ids, events and everything else stay those of the seed.
     */
    public Builder sessionTiesAtPageBoundaries(int pageSize, int tieSize) {
      setup.tiePageSize = pageSize;
      setup.tieSize = tieSize;
      return this;
    }

    /**
     * Validates every setting (reporting all problems at once) and generates the data.
     *
     * @throws IllegalArgumentException listing each invalid setting
     */
    public QoderSimulator build() {
      Faults f = setup.validatedFaults();
      return new QoderSimulator(setup, f);
    }
  }
}

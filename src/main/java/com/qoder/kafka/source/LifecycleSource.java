package com.qoder.kafka.source;

import static com.qoder.kafka.source.LifecycleMarks.CREATED_BIT;
import static com.qoder.kafka.source.LifecycleMarks.RELEASED_BIT;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.qoder.kafka.api.Page;
import com.qoder.kafka.api.QoderApi;
import com.qoder.kafka.api.QoderApiException;
import com.qoder.kafka.api.SessionEvent;
import com.qoder.kafka.api.SessionIds;
import com.qoder.kafka.api.SessionInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The story of each session as lifecycle records keyed by session id ({@code sess_} form):
 * {@code CREATED} (first time the sessions list shows it), {@code RELEASED} ({@code releasedAt}
 * set), {@code IDLE} (a {@code session.status_idle} event), {@code ERRORED} (a
 * {@code session.error} event), {@code TERMINATED} (the {@code terminated} event) and {@code GONE}
 * (the API answered 404). Records carry the session's fields from the sessions list (organization,
 * user, device …); transitions seen in the events carry the last known list entry, fetched once
 * with {@code GET /api/v1/sessions/{id}} when the list has not shown it yet, or only the ids.
 *
 * <h2>Order</h2>
 * Every emission runs through one serial queue, so a session's records are produced in the order
 * they were decided, and {@code CREATED} always comes first: a transition of a session not yet
 * reported as created is preceded by its {@code CREATED}. {@code RELEASED} of a session whose
 * events are still being read is held back until its poller ended (it drains what is left after a
 * release), so it stays after the session's last {@code IDLE}/{@code TERMINATED}.
 *
 * <h2>Across restarts and rebalances</h2>
 * Which of a session's transitions were reported ({@code CREATED}, {@code RELEASED}) is stored with
 * the session, under {@code lifecycle/<session>} in the session's own offsets partition, written
 * after Kafka acknowledged the records. The instance that owns the partition reports the session;
 * when the partition moves, the next owner restores those records before it works the session
 * ({@link #reassigned}), so a session whose CREATED was not written yet gets it from the next owner,
 * and one whose CREATED was written does not get it again (at-least-once: a crash between the
 * acknowledgement and the record repeats only those records). Organization marks
 * ({@code sessions/<organization>}) of earlier versions are honoured when restored, never raised.
 * Event-driven transitions ({@code IDLE}, {@code ERRORED},
 * {@code TERMINATED}) are produced by the events pipeline before it acknowledges the page, so they
 * follow the events' own delivery guarantees. {@code GONE} is emitted when the poller marks the
 * session gone; a crash in the milliseconds between the two loses it (the session is final then).
 *
 * <p>Memory: the list entry of every owned session that is not yet released-and-reported (a few
 * hundred bytes each), and a marks entry per owned session (a few dozen bytes).
 *
 * <p>Thread-safe: the scan loop, pollers (events, status changes) and shutdown may call in
 * concurrently; all state changes run on the serial queue.
 */
public final class LifecycleSource {

  private static final Logger log = LoggerFactory.getLogger(LifecycleSource.class);
  static final String CREATED_MARK = "created";
  static final String RELEASED_MARK = "released";
  static final String DEFAULT_ORGANIZATION = "default";
  /** Per-session records written at the same time after a batch (they go to the producer's batches). */
  private static final int MARK_WRITES = 16;
  private static final int SESSIONS_PAGE = QoderApi.SESSIONS_MAX_LIMIT; // fewest requests per scan

  public static final String CREATED = "CREATED";
  public static final String RELEASED = "RELEASED";
  public static final String IDLE = "IDLE";
  public static final String ERRORED = "ERRORED";
  public static final String TERMINATED = "TERMINATED";
  public static final String GONE = "GONE";

  /**
   * How the sessions list is scanned.
   *
   * @param interval pause between scans of the sessions list
   * @param organizations organizations to scan (X-Organization-Id); the empty string is the
   *     token's default organization
   */
  public record Options(Duration interval, List<String> organizations) {
    public Options {
      organizations = organizations.isEmpty() ? List.of("") : List.copyOf(organizations);
    }
  }

  private final QoderApi api;
  private final ChangeDelivery delivery;
  private final CheckpointWriter offsets;
  private final Options options;
  private final Predicate<String> polled;
  private final Predicate<String> owned;
  private final Consumer<String> releaser;
  private final WriteUnit units;
  private final PollLoop loop;
  private final SerialQueue queue = new SerialQueue("sessions source");
  private final Map<String, OrgState> orgs = new LinkedHashMap<>();
  private final Map<String, Known> known = new ConcurrentHashMap<>();
  private final LifecycleMarks marks = new LifecycleMarks();

  /** What is known of one session. Mutated only on the serial queue. */
  private static final class Known {
    final String sessionId;
    String orgKey;
    ObjectNode info;
    long createdAt = Watermark.NONE;
    long releasedAt = Watermark.NONE;
    boolean releasePending;

    Known(String sessionId) {
      this.sessionId = sessionId;
    }
  }

  /** One organization's marks and counters. Mutated only on the serial queue. */
  private static final class OrgState {
    final String key;
    Watermark created = new Watermark();
    Watermark released = new Watermark();
    long delivered;
    long deadLettered;

    OrgState(String key) {
      this.key = key;
    }
  }

  /** A transition found in delivered events. */
  private record EventTransition(String transition, String eventId) {}

  /**
   * @param polled whether the events pipeline is reading a session now (its RELEASED then waits)
   * @param owned whether this instance reports a session (scale-out); true for a single instance
   * @param releaser tells the events pipeline that a polled session was released, so it drains
   *     and stops (idempotent; discovery may have told it already)
   */
  public LifecycleSource(QoderApi api, ChangeDelivery delivery, CheckpointWriter offsets, Options options,
      Predicate<String> polled, Predicate<String> owned, Consumer<String> releaser, Consumer<Throwable> onFatal) {
    this(api, delivery, offsets, options, polled, owned, releaser, onFatal, WriteUnit.NONE);
  }

  /**
   * @param units how a step's records and its sessions' lifecycle records are written together
   *     (exactly-once: one transaction)
   */
  public LifecycleSource(QoderApi api, ChangeDelivery delivery, CheckpointWriter offsets, Options options,
      Predicate<String> polled, Predicate<String> owned, Consumer<String> releaser, Consumer<Throwable> onFatal,
      WriteUnit units) {
    this.units = units;
    this.api = api;
    this.delivery = delivery;
    this.offsets = offsets;
    this.options = options;
    this.polled = polled;
    this.owned = owned;
    this.releaser = releaser;
    for (String org : options.organizations()) {
      orgs.put(orgKey(org), new OrgState(orgKey(org)));
    }
    this.loop = new PollLoop("sessions source", options.interval(), this::scanAll, onFatal);
  }

  /** The offset-key entity of an organization: its id, or {@code default} for the token's default. */
  public static String orgKey(String organization) {
    return organization == null || organization.isEmpty() ? DEFAULT_ORGANIZATION : organization;
  }

  /**
   * Restores the stored marks; call before {@link #start()}.
   *
   * @throws IllegalArgumentException naming the key when a stored record is corrupt
   */
  public void restore(Collection<Checkpoint> checkpoints) {
    for (Checkpoint c : checkpoints) {
      OrgState o = orgs.get(c.entity());
      if (o == null) {
        continue; // an organization no longer configured
      }
      try {
        o.created = Watermark.decode(c.attribute(CREATED_MARK, ""));
        o.released = Watermark.decode(c.attribute(RELEASED_MARK, ""));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("offset record sessions/" + c.entity() + ": " + e.getMessage()
            + "; delete the key to report every listed session as created again", e);
      }
      o.delivered = c.delivered();
      o.deadLettered = c.deadLettered();
    }
  }

  /**
   * Sessions for which {@code inPartitions} holds were (re)assigned to this instance: what was
   * reported of them is {@code stored} (their {@code lifecycle/<session>} records), whatever this
   * instance remembered. Call before they count as owned; thread-safe.
   *
   * @throws IllegalArgumentException naming the key when a stored record is corrupt
   */
  public void reassigned(Predicate<String> inPartitions, Collection<Checkpoint> stored) {
    Map<String, Integer> restored = LifecycleMarks.decode(stored); // all read before anything is dropped
    forget(inPartitions);
    marks.putAll(restored);
  }

  /** Sessions for which {@code inPartitions} holds are no longer this instance's: what it knew of them goes. */
  public void forget(Predicate<String> inPartitions) {
    marks.forget(inPartitions);
    known.keySet().removeIf(inPartitions);
  }

  /** Completes when every record queued so far was produced and its position written. */
  public Mono<Void> drain() {
    return submit(Mono::empty).onErrorResume(e -> Mono.empty());
  }

  public void start() {
    loop.start();
  }

  public void wakeUp() {
    loop.wakeUp();
  }

  public long rounds() {
    return loop.rounds();
  }

  /** Stops scanning, then lets the queued emissions finish. */
  public Mono<Void> stop() {
    return loop.stop().then(Mono.defer(queue::close));
  }

  // --- scans of the sessions list -------------------------------------------------------------

  private Mono<Void> scanAll() {
    return Flux.fromIterable(options.organizations())
        .concatMap(org -> api.sessions(org.isEmpty() ? null : org, SESSIONS_PAGE)
            .concatMapIterable(Page::data)
            .collectList()
            .flatMap(infos -> submit(() -> applyScan(orgs.get(orgKey(org)), infos)))
            .onErrorResume(e -> !(e instanceof QoderApiException.Authentication || e instanceof FatalPipelineException),
                e -> {
                  // One organization failing (403, outage) must not keep the others from being scanned.
                  log.warn("sessions source: scan of organization {} failed, retried in {}: {}",
                      org.isEmpty() ? "(default)" : org, options.interval(), e.toString());
                  return Mono.empty();
                }))
        .then();
  }

  private Mono<Void> applyScan(OrgState org, List<SessionInfo> newestFirst) {
    Instant now = Instant.now();
    List<ItemChange> changes = new ArrayList<>();
    List<Runnable> onAck = new ArrayList<>();
    for (int i = newestFirst.size() - 1; i >= 0; i--) { // oldest first: CREATED records in creation order
      SessionInfo info = newestFirst.get(i);
      String id = info.sessionId();
      if (!owned.test(id)) {
        continue;
      }
      Known k = known.computeIfAbsent(id, Known::new);
      k.orgKey = org.key;
      k.info = info.json();
      k.createdAt = Fingerprints.epochNanosOrMin(info.createdAt());
      createdFirst(id, k, org, now, changes, onAck);
      if (info.isReleased()) {
        k.releasedAt = Fingerprints.epochNanosOrMin(info.releasedAt());
        if (!marks.reported(id, RELEASED_BIT)) {
          if (org.released.covers(id, k.releasedAt)) {
            marks.mark(id, RELEASED_BIT); // reported by a version with organization marks
          } else if (polled.test(id)) {
            k.releasePending = true; // its poller drains what is left; RELEASED follows when it ends
            releaser.accept(id);
          } else {
            released(k, org, now, changes, onAck);
          }
        }
      }
    }
    return publish(org, changes, onAck).then(Mono.fromRunnable(() -> forgetFinished(org)));
  }

  /** Released and reported: nothing more will be said about the session; keep no memory of it. */
  private void forgetFinished(OrgState org) {
    // What remains of it is its marks entry (a few dozen bytes), so later scans say nothing again.
    known.values().removeIf(k -> org.key.equals(k.orgKey)
        && marks.reported(k.sessionId, CREATED_BIT | RELEASED_BIT) && !k.releasePending);
  }

  // --- transitions seen by the events pipeline -------------------------------------------------

  /**
   * Emits the transitions found in a session's events just acknowledged by Kafka ({@code
   * session.status_idle}, {@code session.error}, {@code terminated}); completes when they are
   * acknowledged. Call from the events delivery, before its page counts as delivered.
   */
  public Mono<Void> afterEvents(String sessionId, List<SessionEvent> events) {
    List<EventTransition> found = new ArrayList<>();
    for (SessionEvent e : events) {
      String t = e.type() == null ? "" : switch (e.type()) {
        case "session.status_idle" -> IDLE;
        case "session.error" -> ERRORED;
        case "terminated" -> TERMINATED;
        default -> "";
      };
      if (!t.isEmpty()) {
        found.add(new EventTransition(t, e.id()));
      }
    }
    if (found.isEmpty()) {
      return Mono.empty();
    }
    String id = SessionIds.canonical(sessionId);
    return lookUp(id).flatMap(info -> submit(() -> applyTransitions(id, info, found)));
  }

  /**
   * A poller's status change: {@code GONE} is emitted; a final status lets a held-back
   * {@code RELEASED} go. Never blocks or throws.
   */
  public void statusChanged(String sessionId, SessionStatus from, SessionStatus to) {
    if (!to.isFinal()) {
      return;
    }
    String id = SessionIds.canonical(sessionId);
    Mono<Void> work = to == SessionStatus.GONE
        ? lookUp(id).flatMap(info -> submit(() -> applyTransitions(id, info, List.of(new EventTransition(GONE, null)))))
        : submit(() -> releaseIfPending(id));
    work.subscribe(v -> { }, e -> log.warn("session {}: lifecycle record for {} not produced: {}", id, to,
        e.toString()));
  }

  /** A session's list entry fetched by id, and the configured organization that answered. */
  private record Found(String organization, SessionInfo info) {}

  /**
   * The session's list entry when not known yet: {@code GET /api/v1/sessions/{id}} in each
   * configured organization until one answers; empty when none does.
   */
  private Mono<Optional<Found>> lookUp(String sessionId) {
    Known k = known.get(sessionId);
    if (k != null && k.info != null) {
      return Mono.just(Optional.empty());
    }
    return Flux.fromIterable(options.organizations())
        .concatMap(org -> api.session(org.isEmpty() ? null : org, sessionId)
            .map(info -> new Found(org, info))
            .onErrorResume(e -> {
              log.debug("session {}: not found in organization '{}': {}", sessionId, org, e.toString());
              return Mono.empty();
            }))
        .next()
        .map(Optional::of)
        .defaultIfEmpty(Optional.empty());
  }

  private Mono<Void> applyTransitions(String id, Optional<Found> fetched, List<EventTransition> found) {
    Instant now = Instant.now();
    Known k = known.get(id);
    if ((k == null || k.info == null) && fetched.isPresent()) {
      SessionInfo info = fetched.get().info();
      k = known.computeIfAbsent(id, Known::new);
      k.orgKey = orgKey(fetched.get().organization());
      k.info = info.json();
      k.createdAt = Fingerprints.epochNanosOrMin(info.createdAt());
    }
    List<ItemChange> changes = new ArrayList<>();
    List<Runnable> onAck = new ArrayList<>();
    OrgState org = k == null ? null : orgs.get(k.orgKey);
    createdFirst(id, k, org, now, changes, onAck); // never another record before CREATED
    ObjectNode item = k != null && k.info != null ? k.info : idsOnly(id);
    for (EventTransition t : found) {
      changes.add(new ItemChange(ChangeSource.SESSIONS, id, id, t.transition(), item,
          id + "/" + t.transition() + (t.eventId() == null ? "" : "/" + t.eventId()), now));
    }
    return publish(org, changes, onAck);
  }

  private Mono<Void> releaseIfPending(String id) {
    Known k = known.get(id);
    if (k == null || !k.releasePending || marks.reported(id, RELEASED_BIT)) {
      return Mono.empty();
    }
    OrgState org = orgs.get(k.orgKey);
    List<ItemChange> changes = new ArrayList<>();
    List<Runnable> onAck = new ArrayList<>();
    Instant now = Instant.now();
    createdFirst(id, k, org, now, changes, onAck);
    released(k, org, now, changes, onAck);
    return publish(org, changes, onAck);
  }

  // --- shared steps ---------------------------------------------------------------------------

  /** CREATED, unless it was reported (by any owner of the session so far): always a session's first record. */
  private void createdFirst(String id, Known k, OrgState org, Instant now, List<ItemChange> changes,
      List<Runnable> onAck) {
    if (marks.reported(id, CREATED_BIT)
        || changes.stream().anyMatch(c -> c.id().equals(id) && c.change().equals(CREATED))) {
      return;
    }
    if (org != null && k != null && org.created.covers(id, k.createdAt)) {
      marks.mark(id, CREATED_BIT); // reported by a version with organization marks
      return;
    }
    changes.add(new ItemChange(ChangeSource.SESSIONS, id, id, CREATED,
        k != null && k.info != null ? k.info : idsOnly(id), id + "/" + CREATED, now));
    onAck.add(() -> marks.mark(id, CREATED_BIT));
  }

  private void released(Known k, OrgState org, Instant now, List<ItemChange> changes, List<Runnable> onAck) {
    changes.add(new ItemChange(ChangeSource.SESSIONS, k.sessionId, k.sessionId, RELEASED,
        k.info != null ? k.info : idsOnly(k.sessionId), k.sessionId + "/" + RELEASED, now));
    onAck.add(() -> {
      k.releasePending = false;
      marks.mark(k.sessionId, RELEASED_BIT);
    });
  }

  private Mono<Void> publish(OrgState org, List<ItemChange> changes, List<Runnable> onAck) {
    if (changes.isEmpty()) {
      return Mono.empty();
    }
    Set<String> sessions = new LinkedHashSet<>();
    changes.forEach(c -> sessions.add(c.id()));
    // Exactly-once: the records and the sessions' lifecycle records below commit (or abort) together.
    return units.around(sessions, Mono.defer(() -> delivery.deliver(changes)).flatMap(report -> {
      // Acknowledged: these transitions are reported; the marks say so from now on, and each
      // session's own record (in its offsets partition, so it moves with the session) tells the next
      // owner. A crash before that write repeats only these records.
      onAck.forEach(Runnable::run);
      if (org != null) {
        org.delivered += report.delivered();
        org.deadLettered += report.deadLettered();
      }
      Set<String> ids = new LinkedHashSet<>();
      for (ItemChange c : changes) {
        if (c.change().equals(CREATED) || c.change().equals(RELEASED)) {
          ids.add(c.id());
        }
      }
      return Flux.fromIterable(ids).flatMap(id -> offsets.write(marks.checkpoint(id)), MARK_WRITES).then();
    }));
  }

  private Mono<Void> submit(Supplier<Mono<Void>> work) {
    return queue.submit(work);
  }

  private static ObjectNode idsOnly(String sessionId) {
    String uuid = SessionIds.toUuid(sessionId);
    return JsonNodeFactory.instance.objectNode().put("id", uuid != null ? uuid : sessionId);
  }


}

package com.qoder.kafka.source;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.qoder.kafka.api.Page;
import com.qoder.kafka.api.QoderApi;
import com.qoder.kafka.api.QoderApiException;
import com.qoder.kafka.api.SessionResource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Change-data-capture of the resources of the followed sessions (document 000): a record keyed by
 * session id whenever a resource appears ({@code CREATED}), its documented fields change
 * ({@code UPDATED}, typically {@code updated_at}) or it is no longer listed ({@code DELETED}) —
 * never a full dump per poll.
 *
 * <p>Every {@code interval} each followed session's resources are walked with the opaque
 * {@code page}/{@code next_page} cursor and the largest page the server allows, and compared with
 * the session's {@link ItemWindow}. A page's changes are delivered, and only after Kafka
 * acknowledged them the window takes them and the window is written to the offsets topic under
 * {@code resources/<session id>}; so a crash, a failed send or a re-scan observes the same changes
 * again and finds them already in the window — no loss, no duplicate. Deletions are reported only
 * after a walk that reached the last page.
 *
 * <p>A rejected cursor (400, e.g. the resource it points at was deleted or the token expired)
 * restarts the walk from the first page; if the second walk is rejected too, that round pages by
 * {@code after_id} instead of tokens. A 404 means the session is gone: it is no longer polled.
 *
 * <p>Which sessions: those the events pipeline follows ({@code followed}, read at every round); a
 * session it starts to follow between rounds ({@link #sessionFollowed}) is walked at once in a small
 * round of its own, not at the next full round, which keeps its schedule; a
 * session that stopped being followed (terminated, released, gone, moved to another instance) gets
 * one last walk, then it is dropped. Sessions are walked with bounded concurrency.
 *
 * <p>Thread-safety: rounds never overlap ({@link PollLoop}); a session's state is touched by its
 * own walk only.
 */
public final class ResourcesSource {

  private static final Logger log = LoggerFactory.getLogger(ResourcesSource.class);
  static final String WINDOW = "window";
  /** Walks of one session in one round: the first, a re-scan with tokens, a re-scan by after_id. */
  private static final int MAX_WALKS = 3;

  /**
   * How resources are polled.
   *
   * @param interval pause between rounds (slower than events: resources change rarely)
   * @param pageSize {@code limit} per request, 1–1000 (document 000's server cap)
   * @param maxPerSession resources remembered per session ({@link ItemWindow} capacity)
   * @param concurrency sessions walked at the same time
   */
  public record Options(Duration interval, int pageSize, int maxPerSession, int concurrency) {
    public Options {
      if (pageSize < 1 || pageSize > QoderApi.RESOURCES_MAX_LIMIT) {
        throw new IllegalArgumentException("resources page size must be 1–" + QoderApi.RESOURCES_MAX_LIMIT
            + " (document 000), was " + pageSize);
      }
      if (maxPerSession < 1 || concurrency < 1) {
        throw new IllegalArgumentException("maxPerSession and concurrency must be positive");
      }
    }
  }

  private final QoderApi api;
  private final ChangeDelivery delivery;
  private final CheckpointWriter offsets;
  private final Options options;
  private final Supplier<Collection<String>> followed;
  private final Predicate<String> owned;
  private final PollLoop loop;
  private final Map<String, Tracked> tracked = new ConcurrentHashMap<>();
  /** Positions of sessions not tracked now: restored at start-up, or of sessions that stopped. */
  private final Map<String, Checkpoint> parked = new ConcurrentHashMap<>();
  /** Sessions followed since the last round began, walked at once by a small round. */
  private final Set<String> newlyFollowed = ConcurrentHashMap.newKeySet();
  /** System.nanoTime() at which the next full round is due; 0 until the first one ran. */
  private volatile long nextFullRound;
  private volatile boolean fullRoundRan;

  /** One session's resources state. */
  private static final class Tracked {
    final String sessionId;
    ItemWindow window;
    long delivered;
    long deadLettered;
    boolean ending;
    boolean gone;
    /** The last position known to be stored (exactly-once: committed); null: none yet. */
    Checkpoint committed;

    Tracked(String sessionId, ItemWindow window, long delivered, long deadLettered) {
      this.sessionId = sessionId;
      this.window = window;
      this.delivered = delivered;
      this.deadLettered = deadLettered;
    }
  }

  /** Where one walk stands. */
  private static final class Walk {
    final Set<String> seen = new HashSet<>();
    String pageToken;
    String afterId;
    boolean byId;
    boolean done;
    boolean complete;
    int walks = 1;
  }

  /**
   * @param followed the sessions whose resources are polled now (read at every round)
   * @param owned whether this instance owns a session's resources position now (scale-out): a
   *     session it no longer owns is dropped without a last walk — its new owner continues from the
   *     stored position
   */
  public ResourcesSource(QoderApi api, ChangeDelivery delivery, CheckpointWriter offsets, Options options,
      Supplier<Collection<String>> followed, Predicate<String> owned, Consumer<Throwable> onFatal) {
    this.api = api;
    this.delivery = delivery;
    this.offsets = offsets;
    this.options = options;
    this.followed = followed;
    this.owned = owned;
    this.loop = new PollLoop("resources source", options.interval(), this::untilFullRound, this::round, onFatal);
  }

  /**
   * Adds positions restored from the offsets topic; call before {@link #start()}.
   *
   * @throws IllegalArgumentException naming the session when a stored window is corrupt
   */
  public void restore(Collection<Checkpoint> checkpoints) {
    for (Checkpoint c : checkpoints) {
      decode(c); // fail at start-up, not at the first poll
      parked.put(c.entity(), c);
    }
  }

  /**
   * Sessions for which {@code inPartitions} holds were (re)assigned to this instance: their positions
   * are now {@code stored} (those without a stored position start over), whatever this instance
   * remembered of them. Call before they are followed; thread-safe.
   *
   * @throws IllegalArgumentException naming the session when a stored window is corrupt
   */
  public void reassigned(Predicate<String> inPartitions, Collection<Checkpoint> stored) {
    for (Checkpoint c : stored) {
      decode(c);
    }
    forget(inPartitions);
    for (Checkpoint c : stored) {
      parked.put(c.entity(), c);
    }
  }

  /** Sessions for which {@code inPartitions} holds are no longer this instance's: their state goes. */
  public void forget(Predicate<String> inPartitions) {
    parked.keySet().removeIf(inPartitions);
    tracked.keySet().removeIf(inPartitions);
  }

  /** Completes when the round in progress, if any, has ended. */
  public Mono<Void> idle() {
    return loop.idle();
  }

  public void start() {
    loop.start();
  }

  /** Runs the next round now. */
  public void wakeUp() {
    loop.wakeUp();
  }

  /**
   * The events pipeline started to follow {@code sessionId}: its resources are read at once (within
   * the round in progress, or right after it), not at the next full round. Thread-safe and cheap.
   */
  public void sessionFollowed(String sessionId) {
    newlyFollowed.add(sessionId);
    loop.wakeUp();
  }

  private Duration untilFullRound() {
    return Duration.ofNanos(Math.max(0, nextFullRound - System.nanoTime()));
  }

  public long rounds() {
    return loop.rounds();
  }

  /** Sessions whose resources are polled now. */
  public int trackedSessions() {
    return tracked.size();
  }

  public Mono<Void> stop() {
    return loop.stop();
  }

  /**
   * A full round when it is due (and the first time), else a small round of the sessions followed
   * since: a wake-up for a new session does not postpone or replace the full rounds.
   */
  Mono<Void> round() {
    if (!fullRoundRan || System.nanoTime() - nextFullRound >= 0) {
      fullRoundRan = true;
      // Sessions followed from here on are in the full round's view, or wake a small round after it.
      newlyFollowed.clear();
      return fullRound().doOnTerminate(() -> nextFullRound = System.nanoTime() + options.interval().toNanos());
    }
    return newSessionsRound();
  }

  /** Walks the sessions followed since the last round that are owned and not tracked yet. */
  private Mono<Void> newSessionsRound() {
    List<Tracked> fresh = new ArrayList<>();
    for (String id : List.copyOf(newlyFollowed)) {
      newlyFollowed.remove(id);
      if (owned.test(id) && !tracked.containsKey(id)) {
        fresh.add(tracked.computeIfAbsent(id, this::adopt));
      }
    }
    return walkAll(fresh);
  }

  /** One round: adopt newly followed sessions, walk every tracked one, drop the ended ones. */
  private Mono<Void> fullRound() {
    Set<String> now = new HashSet<>(followed.get());
    now.removeIf(id -> !owned.test(id));
    // Moved to another instance: its state is the new owner's (stored); no last walk from here.
    tracked.values().removeIf(t -> !owned.test(t.sessionId));
    for (String id : now) {
      tracked.computeIfAbsent(id, this::adopt).ending = false;
    }
    for (Tracked t : tracked.values()) {
      if (!now.contains(t.sessionId)) {
        t.ending = true; // one last walk: a session's final resources are part of its story
      }
    }
    return walkAll(List.copyOf(tracked.values()));
  }

  private Mono<Void> walkAll(List<Tracked> sessions) {
    return Flux.fromIterable(sessions)
        .filter(t -> owned.test(t.sessionId))
        .flatMap(t -> walk(t).then(Mono.fromRunnable(() -> {
          if (t.ending || t.gone) {
            tracked.remove(t.sessionId, t);
            parked.put(t.sessionId, checkpoint(t));
          }
        })), options.concurrency())
        .then();
  }

  private Tracked adopt(String sessionId) {
    Checkpoint c = parked.remove(sessionId);
    return c == null ? new Tracked(sessionId, new ItemWindow(options.maxPerSession()), 0, 0) : decode(c);
  }

  private Tracked decode(Checkpoint c) {
    try {
      Tracked t = new Tracked(c.entity(), ItemWindow.decode(c.attribute(WINDOW, ""), options.maxPerSession()),
          c.delivered(), c.deadLettered());
      t.committed = c;
      return t;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("offset record resources/" + c.entity() + ": " + e.getMessage()
          + "; delete the key to start its resources over", e);
    }
  }

  private Mono<Void> walk(Tracked t) {
    Walk w = new Walk();
    // Ownership is checked before each page: a partition being given up waits for one page, not a walk.
    return Mono.defer(() -> step(t, w))
        .repeat(() -> !w.done && owned.test(t.sessionId))
        .then(Mono.defer(() -> w.complete ? deletions(t, w) : Mono.empty()))
        .onErrorResume(e -> e instanceof QoderApiException.NotFound nf && nf.isSessionGone(), e -> {
          try (MDC.MDCCloseable ignored = MDC.putCloseable("session_id", t.sessionId)) {
            log.info("session {}: resources answered 404, the session is gone; its resources are no longer polled",
                t.sessionId);
          }
          t.gone = true;
          return Mono.empty();
        })
        .onErrorResume(e -> !(e instanceof FatalPipelineException || e instanceof QoderApiException.Authentication),
            e -> {
              try (MDC.MDCCloseable ignored = MDC.putCloseable("session_id", t.sessionId)) {
                log.warn("session {}: resources not polled this round ({}); retried in {}", t.sessionId,
                    e.toString(), options.interval());
              }
              return Mono.empty();
            });
  }

  /** One request and its page's changes; sets {@code w.done} after the last page. */
  private Mono<Void> step(Tracked t, Walk w) {
    boolean usedCursor = w.pageToken != null || w.afterId != null;
    Mono<Page<SessionResource>> request = w.afterId != null
        ? api.resourcesById(t.sessionId, w.afterId, null, options.pageSize())
        : api.resourcesPage(t.sessionId, w.pageToken, options.pageSize());
    return request
        .flatMap(page -> handle(t, w, page))
        .onErrorResume(QoderApiException.InvalidRequest.class, e -> {
          if (!usedCursor || w.walks >= MAX_WALKS) {
            return Mono.error(e);
          }
          // A rejected cursor: walk again from the first page; the window drops what was delivered.
          w.walks++;
          w.byId = w.walks == MAX_WALKS;
          w.seen.clear();
          w.pageToken = null;
          w.afterId = null;
          log.warn("session {}: resources cursor rejected ({}); re-scanning from the first page{}", t.sessionId,
              e.getMessage(), w.byId ? " paging by after_id" : "");
          return Mono.empty();
        });
  }

  private Mono<Void> handle(Tracked t, Walk w, Page<SessionResource> page) {
    Instant now = Instant.now();
    List<ItemChange> changes = new ArrayList<>();
    Map<String, long[]> accepted = new HashMap<>(); // id → {created, fingerprint}
    for (SessionResource r : page.data()) {
      if (!w.seen.add(r.id())) {
        continue; // listed twice in one walk: the first sighting counts
      }
      long created = Fingerprints.timestamp(r.json(), "created_at");
      long fp = Fingerprints.of(r.json(), Fingerprints.RESOURCE_FIELDS);
      ItemWindow.Verdict v = t.window.classify(r.id(), created, fp);
      if (v == ItemWindow.Verdict.NEW || v == ItemWindow.Verdict.CHANGED) {
        String change = v == ItemWindow.Verdict.NEW ? ItemChange.CREATED : ItemChange.UPDATED;
        changes.add(new ItemChange(ChangeSource.RESOURCES, t.sessionId, r.id(), change, r.json(),
            t.sessionId + "/" + r.id() + "/" + Fingerprints.hex(fp), now));
        accepted.put(r.id(), new long[] {created, fp});
      }
    }
    advance(w, page);
    if (changes.isEmpty()) {
      return Mono.empty();
    }
    return delivery.deliver(changes).flatMap(report -> {
      // Acknowledged: from here on these changes can be neither lost nor delivered again.
      accepted.forEach((id, cf) -> t.window.put(id, cf[0], cf[1]));
      t.delivered += report.delivered();
      t.deadLettered += report.deadLettered();
      return write(t);
    });
  }

  private static void advance(Walk w, Page<SessionResource> page) {
    if (!page.hasMore()) {
      w.done = true;
      w.complete = true;
      return;
    }
    if (page.lastId() == null) {
      w.done = true; // has_more without anything to continue from: try again next round, no deletions
      return;
    }
    if (!w.byId && page.nextCursor() != null) {
      w.pageToken = page.nextCursor();
      w.afterId = null;
    } else {
      w.pageToken = null;
      w.afterId = page.lastId(); // document 000 also pages by after_id
    }
  }

  private Mono<Void> deletions(Tracked t, Walk w) {
    Instant now = Instant.now();
    List<ItemChange> changes = new ArrayList<>();
    List<String> ids = new ArrayList<>(t.window.ids());
    ids.sort(null);
    for (String id : ids) {
      if (!w.seen.contains(id)) {
        ObjectNode item = JsonNodeFactory.instance.objectNode().put("id", id);
        changes.add(new ItemChange(ChangeSource.RESOURCES, t.sessionId, id, ItemChange.DELETED, item,
            t.sessionId + "/" + id + "/deleted", now));
      }
    }
    if (changes.isEmpty()) {
      return Mono.empty();
    }
    return delivery.deliver(changes).flatMap(report -> {
      changes.forEach(c -> t.window.remove(c.id()));
      t.delivered += report.delivered();
      t.deadLettered += report.deadLettered();
      return write(t);
    });
  }

  /**
   * Stores the session's position. Exactly-once, a write whose transaction was aborted took the
   * records delivered with it along: the session's window goes back to its last committed position,
   * so the next walk observes those changes again.
   */
  private Mono<Void> write(Tracked t) {
    Checkpoint c = checkpoint(t);
    return offsets.write(c)
        .doOnSuccess(v -> t.committed = c)
        .onErrorResume(WriteAbortedException.class, e -> {
          Checkpoint back = t.committed;
          t.window = back == null ? new ItemWindow(options.maxPerSession())
              : ItemWindow.decode(back.attribute(WINDOW, ""), options.maxPerSession());
          t.delivered = back == null ? 0 : back.delivered();
          t.deadLettered = back == null ? 0 : back.deadLettered();
          return Mono.error(e);
        });
  }

  private static Checkpoint checkpoint(Tracked t) {
    return new Checkpoint(ChangeSource.RESOURCES, t.sessionId, null, t.delivered, t.deadLettered,
        Map.of(WINDOW, t.window.encode()));
  }
}

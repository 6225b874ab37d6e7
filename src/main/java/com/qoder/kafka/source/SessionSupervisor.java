package com.qoder.kafka.source;

import com.qoder.kafka.api.Page;
import com.qoder.kafka.api.QoderApi;
import com.qoder.kafka.api.QoderApiException;
import com.qoder.kafka.api.SessionIds;
import com.qoder.kafka.api.SessionInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The session table: which sessions exist, which are followed, and their pollers.
 *
 * <p>Sessions come from a static list and/or discovery (the sessions list of document 004,
 * re-scanned on an interval; released sessions are drained once and no longer polled). Every
 * session has at most one poller; a session whose stored status is final (terminated, gone,
 * released) is not polled again. An {@code owns} predicate restricts the table to the sessions
 * this instance owns when several instances share the work.
 *
 * <p>Thread-safe: discovery, pollers ending and shutdown may race; the table is a concurrent map
 * and each poller is started once through {@code computeIfAbsent}.
 */
public final class SessionSupervisor implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SessionSupervisor.class);
  private static final int SESSIONS_PAGE = 500; // document 004 maximum: fewest requests per scan
  /**
   * Sessions requesting a page at once. Above the API's concurrency bound (16 by default), so it
   * never limits throughput by itself; it bounds the request chains built ahead of the API client's
   * own queue, however many sessions are followed.
   */
  static final int MAX_SESSIONS_REQUESTING = 256;

  private final QoderApi api;
  private final EventDelivery delivery;
  private final OffsetWriter offsets;
  private final PollerOptions options;
  private final SessionListener listener;
  private final Consumer<Throwable> onFatal;
  private final Map<String, SessionState> states = new ConcurrentHashMap<>();
  private final Map<String, SessionPoller> pollers = new ConcurrentHashMap<>();
  private final SessionPoller.EndListener onPollerEnd = this::ended;
  private final StepGate gate = new StepGate(MAX_SESSIONS_REQUESTING);
  private final PageBudget budget;
  private final PollerContext pollerContext;
  /** Sessions not polled for now, with why (a pause signal, a resync in progress): none is tracked. */
  private final Map<String, Set<String>> holds = new ConcurrentHashMap<>();
  private volatile Predicate<String> owns = id -> true;
  private volatile Consumer<String> onFollowed = id -> { };
  private volatile Disposable discovery;
  private volatile boolean closing;

  public SessionSupervisor(QoderApi api, EventDelivery delivery, OffsetWriter offsets, PollerOptions options,
      SessionListener listener, Consumer<Throwable> onFatal) {
    this.api = api;
    this.delivery = delivery;
    this.offsets = offsets;
    this.options = options;
    this.listener = listener;
    this.onFatal = onFatal;
    this.budget = options.maxFetchedBytes() == Long.MAX_VALUE ? PageBudget.UNBOUNDED
        : new PageBudget(options.maxFetchedBytes());
    this.pollerContext = new PollerContext(api, delivery, offsets, options, listener, gate, budget, PollerContext.TIMER);
  }

  /** Adds state restored from the offsets topic; call before tracking sessions. */
  public void restore(Collection<SessionState.Snapshot> snapshots) {
    for (SessionState.Snapshot s : snapshots) {
      states.put(s.sessionId(), SessionState.fromSnapshot(s, options.windowCapacity()));
    }
  }

  /** Restricts the table to the sessions this instance owns (scale-out). */
  public void ownership(Predicate<String> owns) {
    this.owns = owns;
  }

  /**
   * Told the canonical id of each session this table starts to follow (a poller was started), on the
   * thread that started it; must be cheap and must not throw. The resources source uses it to read a
   * new session's resources at once instead of at its next round.
   */
  public void onFollowed(Consumer<String> onFollowed) {
    this.onFollowed = onFollowed;
  }

  /** Starts following a session (either id spelling) unless it is followed, final, or not owned. */
  public boolean track(String anyId) {
    String id = SessionIds.canonical(anyId);
    if (closing || !owns.test(id) || holds.containsKey(id)) {
      return false;
    }
    SessionState state = states.computeIfAbsent(id,
        k -> new SessionState(k, options.windowCapacity(), System.currentTimeMillis()));
    if (state.status().isFinal()) {
      return false;
    }
    boolean[] started = {false};
    SessionPoller poller = pollers.computeIfAbsent(id, k -> {
      started[0] = true;
      return new SessionPoller(state, pollerContext);
    });
    if (started[0]) {
      // Started outside computeIfAbsent: a poller that ends at once removes itself from the map.
      poller.start(onPollerEnd);
      try {
        onFollowed.accept(id);
      } catch (RuntimeException e) {
        log.debug("onFollowed callback failed for session {}", id, e);
      }
    }
    return started[0];
  }

  private void ended(SessionPoller poller, SessionStatus status, Throwable error) {
    String id = poller.state().sessionId();
    if (error instanceof FatalPipelineException fatal) {
      onFatal.accept(fatal);
    } else if (error != null) {
      log.error("session {}: poller failed unexpectedly; it is restarted by the next discovery", id, error);
    } else {
      log.debug("session {} poller ended with status {}", id, status);
    }
    pollers.remove(id, poller);
  }

  /**
   * The session was released: drain what is left, then stop polling it. A released session without
   * a poller — never seen (released before this connector started) or restored from offsets — is
   * drained too: its events after the stored cursor still have to reach Kafka.
   */
  public void release(String anyId) {
    String id = SessionIds.canonical(anyId);
    SessionPoller r = pollers.get(id);
    if (r == null && track(id)) {
      r = pollers.get(id); // null again if the drain already finished
    }
    if (r != null) {
      r.release();
    }
  }

  /**
   * Re-scans the sessions list every {@code interval} (first scan at once) for each organization
   * (the empty string: the token's default organization); a scan that fails is logged and retried
   * at the next interval.
   */
  public void startDiscovery(List<String> organizations, Duration interval) {
    discovery = Flux.interval(Duration.ZERO, interval, Schedulers.parallel())
        .onBackpressureDrop()
        .concatMap(tick -> Flux.fromIterable(organizations)
            .concatMap(org -> scan(org).onErrorResume(e -> {
              if (e instanceof QoderApiException.Authentication) {
                onFatal.accept(new FatalPipelineException(e.getMessage(), e));
              } else {
                log.warn("session discovery failed for organization {}: {}; retried in {}",
                    org.isEmpty() ? "(default)" : org, e.getMessage(), interval);
              }
              return Mono.empty();
            })), 1)
        .subscribe();
  }

  /**
   * One pass over the sessions list (the empty string: the token's default organization); returns
   * the number of sessions newly followed. Scale-out calls it when partitions were assigned, so new
   * sessions of those partitions start without waiting for the next discovery interval.
   */
  public Mono<Integer> scan(String organization) {
    return api.sessions(organization.isEmpty() ? null : organization, SESSIONS_PAGE)
        .concatMapIterable(Page::data)
        .reduce(0, (started, info) -> started + (apply(info) ? 1 : 0))
        .doOnNext(n -> {
          if (n > 0) {
            log.info("discovery: {} new session(s) followed, {} in total", n, pollers.size());
          }
        });
  }

  private boolean apply(SessionInfo info) {
    if (info.isReleased()) {
      release(info.sessionId());
      return false;
    }
    return track(info.sessionId());
  }

  /** Stops the pollers of the given sessions (ownership moved), after their step in progress. */
  public Mono<Void> stop(Collection<String> sessionIds, Duration timeout) {
    List<Mono<SessionStatus>> done = new ArrayList<>();
    for (String id : sessionIds) {
      SessionPoller r = pollers.get(id);
      if (r != null) {
        r.stop();
        done.add(r.done());
      }
    }
    return Flux.merge(done).then().timeout(timeout, Mono.fromRunnable(
        () -> log.warn("pollers did not stop within {}; their last pages are read again by the next owner", timeout)));
  }

  /**
   * Stops polling a session for {@code reason} (a pause, a resync) until {@link #unhold} lifts every
   * reason: its poller stops after the step in progress (the Mono completes then, at once when none
   * runs), and neither discovery nor a restore starts it again meanwhile. Its state stays.
   */
  public Mono<Void> hold(String anyId, String reason, Duration timeout) {
    String id = SessionIds.canonical(anyId);
    holds.compute(id, (k, v) -> {
      Set<String> reasons = v == null ? ConcurrentHashMap.newKeySet() : v;
      reasons.add(reason);
      return reasons;
    });
    return stop(List.of(id), timeout);
  }

  /**
   * Lifts {@code reason}; when no reason is left the session is tracked again (if owned and not
   * final). Returns whether a poller was started.
   */
  public boolean unhold(String anyId, String reason) {
    String id = SessionIds.canonical(anyId);
    holds.computeIfPresent(id, (k, v) -> {
      v.remove(reason);
      return v.isEmpty() ? null : v;
    });
    return track(id);
  }

  /** Lifts every hold of the matching sessions without tracking them (their partition moved away). */
  public void dropHolds(Predicate<String> which) {
    holds.keySet().removeIf(which);
  }

  /** Why the session is held back (empty when it is not). */
  public Set<String> holds(String anyId) {
    Set<String> r = holds.get(SessionIds.canonical(anyId));
    return r == null ? Set.of() : Set.copyOf(r);
  }

  /** Forgets the state of sessions no longer owned, so a later owner's progress is not shadowed. */
  public void forget(Collection<String> sessionIds) {
    for (String id : sessionIds) {
      if (!pollers.containsKey(id)) {
        states.remove(id);
      }
    }
  }

  public Mono<Void> stopAll(Duration timeout) {
    closing = true;
    Disposable d = discovery;
    if (d != null) {
      d.dispose();
    }
    return stop(List.copyOf(pollers.keySet()), timeout);
  }

  StepGate gate() {
    return gate;
  }

  PageBudget budget() {
    return budget;
  }

  public int polled() {
    return pollers.size();
  }

  /** How many polled sessions have read their backlog to the end (for backfill progress). */
  public Backlog backlog() {
    int polled = 0;
    int caughtUp = 0;
    for (SessionPoller r : pollers.values()) {
      polled++;
      if (r.state().caughtUp()) {
        caughtUp++;
      }
    }
    return new Backlog(polled, caughtUp);
  }

  /** Polled sessions, and those of them whose last page had {@code has_more=false}. */
  public record Backlog(int polled, int caughtUp) {
    public int behind() {
      return polled - caughtUp;
    }
  }

  /** Ids of the sessions polled now (a live, unmodifiable view). */
  public Set<String> polledSessionIds() {
    return Collections.unmodifiableSet(pollers.keySet());
  }

  /** Whether a poller follows the session (either id spelling) now. */
  public boolean isPolled(String anyId) {
    return pollers.containsKey(SessionIds.canonical(anyId));
  }

  public Collection<SessionState> states() {
    return states.values();
  }

  public SessionState state(String sessionId) {
    return states.get(SessionIds.canonical(sessionId));
  }

  public Map<SessionStatus, Long> countByStatus() {
    Map<SessionStatus, Long> m = new EnumMap<>(SessionStatus.class);
    for (SessionStatus s : SessionStatus.values()) {
      m.put(s, 0L);
    }
    for (SessionState s : states.values()) {
      m.merge(s.status(), 1L, Long::sum);
    }
    return m;
  }

  @Override
  public void close() {
    stopAll(Duration.ofSeconds(10)).block();
  }
}

package com.qoder.kafka.source;

import com.qoder.kafka.api.Page;
import com.qoder.kafka.api.QoderApiException;
import com.qoder.kafka.api.SessionEvent;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Follows one session: reads its events page by page, drops duplicates, delivers the rest and
 * moves the cursor once Kafka acknowledged them.
 *
 * <p>One step is one request. While {@code has_more} and the page had data and moved the cursor,
 * the next step runs at once; when caught up (an empty page that says {@code has_more} included)
 * it waits an adaptive interval: the minimum while the session had new events within the last
 * {@value #QUIET_AFTER_MIN_INTERVALS} minimum intervals (so an active session is read at most one
 * minimum interval after each event), then doubling while it stays quiet, up to the maximum; a
 * quiet session also keeps a smaller de-dup window ({@value #QUIET_WINDOW} ids). The
 * next page is requested only after the previous one was acknowledged and its offset written, so a
 * session never has more than one page in flight and a slow broker slows polling down.
 *
 * <p>Politeness holds on every path: whatever a step ended with (an error, a refused delivery, a
 * cursor recovery, a release), the next request of the session goes no sooner than the minimum
 * interval after the previous answer, unless that answer was a page with data that moved the cursor
 * ({@link #afterStep}). The API client keeps the same spacing between its own retries of a session's
 * request ({@code QoderApiOptions.sessionRetryMin}).
 *
 * <p>A poller is a small state machine, never a thread and never a long-lived Reactor chain: between
 * steps it is one entry in the supervisor's {@link StepTimer} or in its {@link StepGate}
 * queue, so tens of thousands of sessions cost a few hundred bytes each. A step starts only when
 * the gate admits it, and holds its place until its request is answered.
 *
 * <p>Thread-safety: steps are serialised (the next one is scheduled only when the previous one
 * finished); {@link #stop()} and {@link #release()} may be called from any thread.
 */
final class SessionPoller implements StepTimer.Sleeper {

  private static final Logger log = LoggerFactory.getLogger(SessionPoller.class);
  static final long END = -1; // a step's delay: the poller ends
  private static final long NEVER = Long.MIN_VALUE / 4;
  /** A session counts as quiet (its interval starts doubling) after this many minimum intervals without new events. */
  static final int QUIET_AFTER_MIN_INTERVALS = 8;
  /**
   * De-dup window of a quiet session: replays and re-reads are recognised by the session's position
   * (the newest delivered event's {@code created_at}, see {@link SessionState}), so the window only
   * has to hold the events at that instant (it never drops those); the configured window returns
   * with the next new events. A quiet session then holds 64 bytes of fingerprints instead of up to
   * 8 bytes per configured id.
   */
  static final int QUIET_WINDOW = SessionState.RESTORED_WINDOW;

  private static final AtomicIntegerFieldUpdater<SessionPoller> WAIT =
      AtomicIntegerFieldUpdater.newUpdater(SessionPoller.class, "waitToken");
  /** Tokens of waits, unique enough: a stale timer entry must not match a later wait of its poller. */
  private static final AtomicInteger WAIT_TOKENS = new AtomicInteger();
  private static final AtomicReferenceFieldUpdater<SessionPoller, Phase> PHASE =
      AtomicReferenceFieldUpdater.newUpdater(SessionPoller.class, Phase.class, "phase");

  enum Phase { RUNNING, DRAINING, STOPPING }

  final SessionState state;
  final PollerContext ctx;
  private PageBudget.Reservation reservation; // the page budget held by the step in progress
  private volatile PageBudget.Waiter budgetWait; // while queued for the page budget
  volatile Phase phase = Phase.RUNNING; // changed through PHASE: no AtomicReference per session
  private long intervalMillis;
  private long lastNewEventsAtMillis = NEVER; // when a page last had new events (clock ms; NEVER: not since start)
  // Package-private fields are PollerRecovery's too: it keeps no state of its own (no object per session).
  Deque<String> fallbackCursors; // non-null while recovering from a rejected cursor
  // The token of the timer wait in progress, 0 while queued or in a step; whoever clears it (the
  // timer or a wake-up) runs the next step.
  private volatile int waitToken;
  // Scheduling (serialised by the steps like the fields above):
  private long answeredAtNanos = NEVER; // when the last request's answer (or failure) arrived
  private boolean stepMovedWithData; // the last step's page had data and moved the cursor
  boolean goneSuspected; // a documented 404 came and no page since: one more confirms GONE
  boolean offsetUnwritten; // the last offset write failed: written again before anything else
  int writeFailures; // consecutive failed offset writes (backoff)
  private EndListener onEnd;
  private Sinks.One<SessionStatus> done; // created when someone waits for the end; guarded by this
  private boolean finished; // guarded by this

  /** Told once when a poller ends; one listener serves every poller of a supervisor (no lambda per session). */
  @FunctionalInterface
  interface EndListener {
    void ended(SessionPoller poller, SessionStatus status, Throwable error);
  }

  SessionPoller(SessionState state, PollerContext ctx) {
    this.state = state;
    this.ctx = ctx;
    this.intervalMillis = ctx.options.minInterval().toMillis();
  }

  SessionState state() {
    return state;
  }

  /**
   * Starts polling; {@code onEnd} is called once when the session ends (terminated, gone, released)
   * or after {@link #stop()}, with its final status, or with the error that ended it (a
   * {@link FatalPipelineException}, or a bug).
   */
  void start(EndListener onEnd) {
    this.onEnd = onEnd;
    next();
  }

  /** Completes with the final status when the poller has ended (at once if it has); never errors. */
  synchronized Mono<SessionStatus> done() {
    if (done == null) {
      done = Sinks.one();
      if (finished) {
        done.tryEmitValue(state.status());
      }
    }
    return done.asMono();
  }

  /** The timer: the wait with {@code token} is due (nothing if it was ended early meanwhile). */
  @Override
  public void wake(int token) {
    if (WAIT.compareAndSet(this, token, 0)) {
      next();
    }
  }

  /** Stops after the step in progress; ends a waiting poller at once. */
  void stop() {
    phase = Phase.STOPPING;
    wakeUp();
    PageBudget.Waiter w = budgetWait;
    if (w != null && ctx.budget.withdraw(w)) {
      finish(null); // was queued for the page budget: no step to wait for
    }
  }

  /** The session was released: read what is left, then end with status RELEASED. */
  void release() {
    if (PHASE.compareAndSet(this, Phase.RUNNING, Phase.DRAINING)) {
      wakeUp();
    }
  }

  /**
   * Ends the wait in progress, if any: a stop ends the poller at once, a release goes on as soon as
   * the minimum spacing of requests allows.
   */
  private void wakeUp() {
    if (WAIT.getAndSet(this, 0) != 0) { // its timer entry, when due, finds the token gone
      if (phase == Phase.STOPPING) {
        next();
      } else {
        afterStep(0);
      }
    }
  }

  /** The next step, through the gate; or the end when stopping. */
  private void next() {
    if (phase == Phase.STOPPING) {
      finish(null);
      return;
    }
    if (ctx.budget.unbounded()) {
      ctx.gate.enter(this::admitted);
      return;
    }
    // The page's heap is reserved before the request, so pages fetched and not yet acknowledged
    // stay within kafka.max-in-flight-bytes however many sessions wait for Kafka.
    // The place is recorded before it is queued: a grant that comes at once (on this thread) clears
    // it, where assigning the queued place afterwards kept a granted waiter, and its callback, on
    // every idle session (40 bytes each).
    PageBudget.Waiter w = ctx.budget.waiter(ctx.options.pageSize(), r -> {
      budgetWait = null;
      reservation = r;
      ctx.gate.enter(this::admitted);
    });
    budgetWait = w;
    ctx.budget.enqueue(w);
  }

  private void releaseReservation() {
    PageBudget.Reservation r = reservation;
    reservation = null;
    if (r != null) {
      r.release();
    }
  }

  /**
   * The gate let this poller in: one step. The gate place is held for the request only (it always
   * ends: the API client bounds it with timeouts and retries) and given back when the page (or the
   * error) arrives, so a delivery that waits for Kafka never holds other sessions back.
   */
  private void admitted() {
    if (phase == Phase.STOPPING) {
      ctx.gate.leave();
      releaseReservation();
      finish(null);
      return;
    }
    GatePlace place = new GatePlace();
    try {
      Mono.defer(() -> step(place)).defaultIfEmpty(0L).subscribe(delay -> {
        place.leave();
        releaseReservation();
        afterStep(delay);
      }, error -> {
        place.leave();
        releaseReservation();
        finish(error);
      });
    } catch (RuntimeException e) { // subscribe itself failed (a bug): the step never ran
      place.leave();
      releaseReservation();
      finish(e);
    }
  }

  /** A step's place in the gate, given back exactly once. */
  private final class GatePlace extends AtomicBoolean {
    void leave() {
      if (compareAndSet(false, true)) {
        ctx.gate.leave();
      }
    }
  }

  /**
   * Schedules the next step after {@code delayMillis} — in every phase: a draining session waits
   * like a running one — and never sooner than {@link #spacingNanos()} allows.
   */
  private void afterStep(long delayMillis) {
    if (delayMillis == END || phase == Phase.STOPPING) {
      finish(null);
      return;
    }
    long waitNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(delayMillis), spacingNanos());
    if (waitNanos <= 0) {
      next();
      return;
    }
    if (delayMillis > 0) {
      ctx.listener.pollScheduled(state.sessionId(), delayMillis);
    }
    int token;
    do {
      token = WAIT_TOKENS.incrementAndGet();
    } while (token == 0);
    waitToken = token;
    ctx.timer.schedule(this, token, waitNanos);
    if (phase == Phase.STOPPING) {
      wakeUp(); // stop() ran before the wait was visible to it
    }
  }

  /**
   * How long the next request must still wait so that the session sends at most one request per
   * minimum interval: measured from the previous answer (so however long a request queued in the
   * client, two requests arrive at the server at least that far apart); 0 after a page with data
   * that moved the cursor, the one case where reading on at once is right.
   */
  private long spacingNanos() {
    if (stepMovedWithData || answeredAtNanos == NEVER) {
      return 0;
    }
    return Math.max(0, answeredAtNanos + ctx.options.minInterval().toNanos() - ctx.nanoClock.getAsLong());
  }

  private void finish(Throwable error) {
    Sinks.One<SessionStatus> d;
    synchronized (this) {
      if (finished) {
        return;
      }
      finished = true;
      d = done;
    }
    SessionStatus status = state.status();
    // onEnd first: it takes the poller out of the table, and whoever waits for the end forgets the
    // session or tracks it again at once — neither works while the ended poller is still listed.
    EndListener end = onEnd;
    if (end != null) {
      end.ended(this, status, error);
    }
    if (d != null) {
      d.tryEmitValue(status); // errors go to onEnd; waiters only need to know it has ended
    }
  }

  private Mono<Long> step(GatePlace place) {
    stepMovedWithData = false;
    if (offsetUnwritten) {
      // Delivered, but its offset record failed: write it before anything else (no request).
      place.leave();
      return writeOffset(state.status().isFinal() ? END : 0);
    }
    String cursor = state.cursor();
    return Mono.defer(() -> {
      // Only a read that starts after the release was seen is sure to hold every event from before
      // the release; a page already in flight may not, so it cannot end the drain.
      boolean readAfterRelease = phase == Phase.DRAINING;
      return ctx.api.eventsAfter(state.sessionId(), cursor, ctx.options.pageSize())
          // Stamped before the answer travels on (a doFinally would run only after the whole step).
          .doOnSuccess(page -> answeredAtNanos = ctx.nanoClock.getAsLong())
          .doOnError(e -> answeredAtNanos = ctx.nanoClock.getAsLong())
          .doFinally(signal -> place.leave()) // the request is over: the next session may send its own
          .flatMap(page -> {
            goneSuspected = false; // the session answered: a 404 before was not its end
            PageBudget.Reservation r = reservation;
            if (r != null) {
              r.resize(page.data()); // the estimate becomes what the page holds
            }
            Page<SessionEvent> p = SessionPages.withLastId(page);
            return handle(p, readAfterRelease).doOnNext(next -> stepMovedWithData =
                !p.data().isEmpty() && p.lastId() != null && !p.lastId().equals(cursor)
                    && p.lastId().equals(state.cursor()));
          });
    })
        .onErrorResume(QoderApiException.class, e -> PollerRecovery.onApiError(this, e, cursor))
        .onErrorResume(e -> !(e instanceof FatalPipelineException), e -> {
          if (phase == Phase.STOPPING) {
            // Stopping (the session moved to another instance, or shutdown): whoever polls it next
            // reads the page again from the last written offset; not an error worth an alert.
            log.debug("session {}: page not delivered while stopping: {}", state.sessionId(), e.toString());
            return Mono.just(maxMillis());
          }
          // Kafka did not acknowledge the page: keep the cursor and read the same page again later.
          warn("delivery failed, the page will be read again in " + maxMillis() + " ms: " + e, e);
          ctx.listener.error(state.sessionId(), e);
          return Mono.just(maxMillis());
        });
  }

  private Mono<Long> handle(Page<SessionEvent> page, boolean readAfterRelease) {
    fallbackCursors = null; // the cursor was accepted
    if (!page.data().isEmpty()) {
      state.window().growTo(ctx.options.windowCapacity()); // no-op unless it shrank while quiet
    }
    List<SessionEvent> fresh = new ArrayList<>(page.data().size());
    List<SessionEvent> skipped = new ArrayList<>();
    Set<String> inPage = new HashSet<>();
    boolean[] known = SessionPages.deliveredByPosition(state, page.data());
    int duplicates = 0;
    boolean terminated = false;
    String lastType = null;
    for (int i = 0; i < page.data().size(); i++) {
      SessionEvent e = page.data().get(i);
      lastType = e.type();
      terminated |= "terminated".equals(e.type());
      boolean duplicate = known[i] || state.seen(e.id()) || !inPage.add(e.id());
      ctx.listener.eventFetched(state.sessionId(), e.type(), duplicate);
      if (duplicate) {
        duplicates++;
      } else if (SessionPages.skipAsHistory(ctx.options, state, e)) {
        skipped.add(e);
      } else {
        fresh.add(e);
      }
    }
    ctx.listener.pageFetched(state.sessionId(), page.data().size(), duplicates);
    int dups = duplicates;
    boolean ends = terminated;
    String last = lastType;
    if (!fresh.isEmpty()) {
      // Freshness: read, not yet in Kafka. Pages are chronological, so the first is the oldest.
      state.undeliveredSince(SessionPages.createdAtNanos(fresh.get(0)));
    }
    Mono<EventDelivery.Report> sent = fresh.isEmpty()
        ? Mono.just(new EventDelivery.Report(0, 0))
        : ctx.delivery.deliver(state.sessionId(), fresh);
    return sent.flatMap(report -> {
      state.allDelivered();
      // Kafka acknowledged every record of the page: from here on nothing of it can be lost.
      for (SessionEvent e : skipped) {
        state.acknowledged(e.id(), 0);
      }
      for (SessionEvent e : fresh) {
        state.acknowledged(e.id(), SessionPages.createdAtNanos(e));
      }
      state.count(report.delivered(), report.deadLettered(), dups);
      String before = state.cursor();
      state.advance(page.lastId());
      SessionStatus old = state.status();
      SessionStatus now = ends ? SessionStatus.TERMINATED
          : "session.status_idle".equals(last) ? SessionStatus.IDLE
          : !fresh.isEmpty() ? SessionStatus.ACTIVE : old;
      if (!fresh.isEmpty()) {
        ctx.listener.delivered(state.sessionId(), report.delivered(), report.deadLettered(),
            state.newestCreatedAtNanos());
      }
      state.caughtUp(!page.hasMore());
      long next = nextDelay(page, !fresh.isEmpty(), ends, readAfterRelease);
      if (next == END && !ends && phase == Phase.DRAINING) {
        now = SessionStatus.RELEASED;
      }
      boolean changed = setStatus(old, now);
      boolean moved = page.lastId() != null && !page.lastId().equals(before);
      // A page whose events were handed over always writes its offset record: in exactly-once mode
      // that record closes the page's part of the open transaction.
      return moved || changed || dups > 0 || !fresh.isEmpty() ? writeOffset(next) : Mono.just(next);
    });
  }

  private long nextDelay(Page<SessionEvent> page, boolean hadNew, boolean terminated, boolean readAfterRelease) {
    if (terminated) {
      return END;
    }
    if (page.hasMore() && !page.data().isEmpty()) {
      return 0; // the spacing in afterStep still applies unless the page moved the cursor
    }
    // An empty page that says has_more has nothing to continue from: it waits like a caught-up
    // session, draining or not (asking again at once would only repeat the same request).
    if (phase == Phase.DRAINING && !page.hasMore()) {
      return readAfterRelease ? END : 0; // drained to the end, or read once more (after the spacing)
    }
    long now = TimeUnit.NANOSECONDS.toMillis(ctx.nanoClock.getAsLong());
    long min = ctx.options.minInterval().toMillis();
    if (hadNew) {
      lastNewEventsAtMillis = now;
      intervalMillis = min;
    } else if (now - lastNewEventsAtMillis >= QUIET_AFTER_MIN_INTERVALS * min) {
      intervalMillis = Math.min(intervalMillis * 2, maxMillis());
      state.quiet(Math.min(QUIET_WINDOW, ctx.options.windowCapacity()));
    }
    return intervalMillis;
  }

  boolean setStatus(SessionStatus old, SessionStatus now) {
    if (old == now) {
      return false;
    }
    state.status(now);
    try {
      ctx.listener.statusChanged(state.sessionId(), old, now);
    } catch (RuntimeException ex) {
      log.debug("session listener failed", ex);
    }
    return true;
  }

  long maxMillis() {
    return ctx.options.maxInterval().toMillis();
  }

  private Mono<Long> writeOffset(long next) {
    return PollerRecovery.writeOffset(this, next);
  }

  private void warn(String msg, Throwable t) {
    PollerRecovery.warn(state.sessionId(), msg, t);
  }
}

package com.qoder.kafka.sim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.qoder.kafka.sim.Items.Device;
import com.qoder.kafka.sim.Items.ResourceItem;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * One simulated session: its listing attributes (document 004), its events (document 002) and its
 * resources (document 000).
 *
 * <p>Events come from a small state machine that follows a real turn: {@code user.message →
 * session.status_rescheduled → span.model_request_start → agent.thinking → agent.message →
 * span.model_request_end → session.status_idle}, sometimes looping back to another model request
 * (a tool round) or failing with {@code session.error}. Every decision draws from the session's
 * own random source the same number of values whatever the clock says, so a seed gives the same
 * ids and types whether events are generated as history or live; only live timestamps follow the
 * wall clock. Timestamps are strictly increasing (unless the timestamp-tie fault makes an event share
 * its predecessor's) and mix millisecond and nanosecond precision.
 *
 * <p>Thread-safe: every method synchronizes on the session (the live generator, control calls
 * and server threads share it). Renders happen under the same lock, so a page is a consistent
 * snapshot.
 */
final class SimSession {

  enum State { ACTIVE, TERMINATED }

  /** Probabilities applied while generating events (fault injection at generation time). */
  record GenerationFaults(double unknownTypeProbability, double oversizedProbability, int oversizedBytes,
      double timestampTieProbability) {
    static final GenerationFaults NONE = new GenerationFaults(0, 0, 0, 0);
  }

  static final String[] UNKNOWN_TYPES = {
      "agent.tool_use", "span.tool_call_start", "session.status_compacting", "agent.plan_update"};

  private static final long MS = 1_000_000L;

  final String id;
  final String uuid;
  final long seed;
  final String organization;
  final String user;
  final Device device;
  /**
   * {@code createdAt} of document 004. Several sessions may share one (the sessions list then
   * orders them by {@link #ordinal}). Set once before the session is published, except that the
   * history generator may move it earlier (never past an event) to make ties; see SimData.
   */
  volatile long createdNanos;
  /** Creation order in the whole simulator: breaks createdAt ties in the sessions list. */
  final long ordinal;
  final ItemStore<ResourceItem> resources = new ItemStore<>(ResourceItem::id);

  private final EventLog log = new EventLog();
  private final SplittableRandom rng;
  private long releasedNanos = Long.MIN_VALUE;
  private State state = State.ACTIVE;
  private boolean deleted;
  private int step;
  private int currentTurn = -1;

  SimSession(String id, String uuid, long seed, String organization, String user, Device device,
      long createdNanos, long ordinal) {
    this.id = id;
    this.uuid = uuid;
    this.seed = seed;
    this.organization = organization;
    this.user = user;
    this.device = device;
    this.createdNanos = createdNanos;
    this.ordinal = ordinal;
    this.rng = new SplittableRandom(Ids.mix64(seed ^ 0x5EED_E7E7L));
  }

  // ---- state -------------------------------------------------------------------------------

  synchronized State state() {
    return state;
  }

  synchronized boolean isDeleted() {
    return deleted;
  }

  synchronized void markDeleted() {
    deleted = true;
  }

  /** Released sessions stop receiving live events; null when not released. */
  synchronized Long releasedNanos() {
    return releasedNanos == Long.MIN_VALUE ? null : releasedNanos;
  }

  /** Sets releasedAt (no later than any event of the session); returns false if already released. */
  synchronized boolean release(long nowNanos) {
    if (releasedNanos != Long.MIN_VALUE) {
      return false;
    }
    long last = log.size() == 0 ? createdNanos : log.lastCreated();
    releasedNanos = (Math.max(nowNanos, last + MS) / MS) * MS;
    return true;
  }

  synchronized boolean acceptsLiveEvents() {
    return !deleted && state == State.ACTIVE && releasedNanos == Long.MIN_VALUE;
  }

  synchronized int eventCount() {
    return log.liveCount();
  }

  /** Runs {@code reader} under the session lock: a consistent view of the events. */
  synchronized <R> R read(Function<EventLog, R> reader) {
    return reader.apply(log);
  }

  // ---- event generation ----------------------------------------------------------------------

  /**
   * Appends the next event of the turn machine.
   *
   * @param nowNanos wall clock for live events, or {@code Long.MIN_VALUE} for history (timestamps
   *     then advance by realistic gaps from the previous event)
   */
  synchronized String appendNext(long nowNanos, GenerationFaults faults) {
    return appendNext(nowNanos, faults, null, 0);
  }

  /** As {@link #appendNext(long, GenerationFaults)}, with extra fields and/or padded content. */
  synchronized String appendNext(long nowNanos, GenerationFaults faults, ObjectNode fields, int contentBytes) {
    double unknown = rng.nextDouble();
    double oversized = rng.nextDouble();
    double branch = rng.nextDouble();
    if (unknown < faults.unknownTypeProbability()) {
      String type = UNKNOWN_TYPES[(int) (branch * UNKNOWN_TYPES.length)];
      return emit(EventKind.CUSTOM, new EventLog.Extra(type, fields, contentBytes), nowNanos,
          faults.timestampTieProbability());
    }
    EventKind kind;
    switch (step) {
      case 0 -> { kind = EventKind.USER_MESSAGE; step = 1; }
      case 1 -> { kind = EventKind.STATUS_RESCHEDULED; step = 2; }
      case 2 -> { kind = EventKind.MODEL_REQUEST_START; step = 3; }
      case 3 -> {
        if (branch < 0.03) {
          kind = EventKind.SESSION_ERROR;
          step = 6;
        } else {
          kind = EventKind.AGENT_THINKING;
          step = 4;
        }
      }
      case 4 -> {
        kind = EventKind.AGENT_MESSAGE;
        step = 5;
        if (oversized < faults.oversizedProbability() && contentBytes == 0) {
          contentBytes = faults.oversizedBytes();
        }
      }
      case 5 -> { kind = EventKind.MODEL_REQUEST_END; step = branch < 0.25 ? 2 : 6; }
      default -> { kind = EventKind.STATUS_IDLE; step = 0; }
    }
    boolean plain = fields == null && contentBytes == 0;
    return emit(kind, plain ? null : new EventLog.Extra(null, fields, contentBytes), nowNanos,
        faults.timestampTieProbability());
  }

  /** Appends one event of an explicit type (control API); {@code terminated} ends the session. */
  synchronized String appendExplicit(String type, ObjectNode fields, int contentBytes, long nowNanos) {
    return appendExplicit(type, fields, contentBytes, nowNanos, 0);
  }

  /** As above; with {@code tieProbability} the event may share the previous event's {@code created_at}. */
  synchronized String appendExplicit(String type, ObjectNode fields, int contentBytes, long nowNanos,
      double tieProbability) {
    rng.nextDouble(); // keep the draw count equal to appendNext's so later ids stay reproducible
    rng.nextDouble();
    rng.nextDouble();
    EventKind kind = EventKind.forType(type);
    boolean plain = kind != EventKind.CUSTOM && fields == null && contentBytes == 0;
    EventLog.Extra extra = plain ? null
        : new EventLog.Extra(kind == EventKind.CUSTOM ? type : null, fields, contentBytes);
    if (kind == EventKind.USER_MESSAGE) {
      step = 1;
    } else if (kind == EventKind.STATUS_IDLE) {
      step = 0;
    }
    String id = emit(kind, extra, nowNanos, tieProbability);
    if (kind == EventKind.TERMINATED) {
      state = State.TERMINATED;
    }
    return id;
  }

  /** Appends {@code terminated}; returns its id, or null when the session already ended. */
  synchronized String terminate(long nowNanos) {
    if (state == State.TERMINATED) {
      return null;
    }
    return appendExplicit(EventKind.TERMINATED.wireType, null, 0, nowNanos);
  }

  synchronized boolean deleteEvent(String eventId) {
    long[] id = new long[2];
    return Ids.parse128(eventId, "evt_", id) && log.delete(id[0], id[1]);
  }

  /** Every event id ever created, in order, deleted ones included. */
  synchronized List<String> allEventIds() {
    List<String> out = new ArrayList<>(log.size());
    for (int i = 0; i < log.size(); i++) {
      out.add(log.id(i));
    }
    return out;
  }

  synchronized List<String> deletedEventIds() {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < log.size(); i++) {
      if (log.isDeleted(i)) {
        out.add(log.id(i));
      }
    }
    return out;
  }

  /**
   * Appends one event. With {@code tieProbability} it takes the previous event's {@code
   * created_at} exactly (document 002 promises no strictly increasing timestamps, so a client
   * must not use {@code created_at} alone as a position). The decision is derived from draws
   * made anyway, so with the probability at 0 (the default) the seed's data is unchanged.
   */
  private String emit(EventKind kind, EventLog.Extra extra, long nowNanos, double tieProbability) {
    long gapMs = gapMillis(kind);
    boolean milliPrecision = rng.nextBoolean();
    long subMilli = rng.nextInt(100_000) * 10L + 1 + rng.nextInt(9); // last digit never 0: 9 digits shown
    boolean timeOrdered = rng.nextBoolean();
    long hiRandom = rng.nextLong();
    long loRandom = rng.nextLong();

    long prev = log.size() == 0 ? createdNanos : log.lastCreated();
    long base = nowNanos == Long.MIN_VALUE ? prev + gapMs * MS : Math.max(nowNanos, prev + 2 * MS);
    long floorMs = Math.floorDiv(base, MS) * MS; // ≥ prev + 1 ms, so strictly after prev
    long t = milliPrecision ? floorMs : floorMs + subMilli;
    if (tieProbability > 0 && log.size() > 0
        && (Ids.mix64(hiRandom ^ Long.rotateLeft(loRandom, 17)) >>> 11) * 0x1.0p-53 < tieProbability) {
      t = prev;
    }
    long epochMs = Math.floorDiv(t, MS);

    long hi = timeOrdered ? (epochMs << 16) | 0x7000L | (hiRandom & 0x0FFFL)
        : (hiRandom & ~0xF000L) | 0x4000L;
    long lo = (loRandom & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    while (log.contains(hi, lo)) { // astronomically rare; stays deterministic
      lo = (Ids.mix64(lo) & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    }
    if (kind == EventKind.USER_MESSAGE || currentTurn < 0) {
      long turnHi = (epochMs << 16) | 0x7000L | (Ids.mix64(hiRandom) & 0x0FFFL);
      long turnLo = (Ids.mix64(loRandom) & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
      currentTurn = log.newTurn(turnHi, turnLo);
    }
    int index = log.append(hi, lo, t, currentTurn, kind, extra);
    return log.id(index);
  }

  /** Realistic pauses before each kind of event, in milliseconds (min 2 ms, see emit). */
  private long gapMillis(EventKind kind) {
    return switch (kind) {
      case USER_MESSAGE -> log.size() == 0 ? rng.nextLong(1_000, 30_000) : rng.nextLong(20_000, 600_000);
      case STATUS_RESCHEDULED -> rng.nextLong(200, 2_000);
      case MODEL_REQUEST_START -> rng.nextLong(50, 500);
      case AGENT_THINKING -> rng.nextLong(300, 3_000);
      case AGENT_MESSAGE -> rng.nextLong(1_000, 15_000);
      case MODEL_REQUEST_END, STATUS_IDLE -> rng.nextLong(20, 300);
      case SESSION_ERROR -> rng.nextLong(5_000, 60_000);
      case TERMINATED -> rng.nextLong(1_000, 60_000);
      case CUSTOM -> rng.nextLong(10, 2_000);
    };
  }
}

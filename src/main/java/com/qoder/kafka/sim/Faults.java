package com.qoder.kafka.sim;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The fault switchboard of a running simulator. Every switch is independent and can be changed at
 * any time from any thread (tests, the control API, CLI flags at start-up).
 *
 * <p>Request faults fire per request of the endpoints in {@link #scope(Endpoint...)} (all by
 * default), in this order: latency, connection reset, misrouted 404, token check, 403, 429, 5xx;
 * then the request is answered normally, where the answer faults (cursor rejected, replay from the
 * start, empty page) shape it, and a malformed-body fault may corrupt a 200 answer. Each has a
 * {@link Trigger}: the next {@code count} matching requests fire, then each further one fires with
 * {@code probability}; a trigger made with {@link Trigger#forSessions(String...)} matches only
 * requests about those sessions. Decisions draw from one random source seeded from the simulator
 * seed, so a single-threaded client sees the same faults for the same seed.
 *
 * <p>Generation faults (unknown event types, oversized events, timestamp ties) shape events when they are
 * created. Those in force when the simulator is built apply to its generated history too.
 *
 * <p>This class is the switchboard (settings) and the server's view of it (one decision per
 * fault); how one trigger decides lives in {@link FaultRule}, the control API's JSON form in
 * {@link FaultsJson}.
 *
 * <p>Thread-safe.
 */
public final class Faults {

  /**
   * When a fault fires.
   *
   * @param probability chance per matching request once {@code count} is used up, 0 to 1
   * @param count number of next matching requests that fire for sure
   * @param sessions canonical {@code sess_} ids the trigger is limited to; empty: every request
   *     (requests that name no session, such as the files list, match only an empty set)
   */
  public record Trigger(double probability, int count, Set<String> sessions) {

    public static final Trigger NEVER = new Trigger(0, 0);

    public Trigger {
      if (!(probability >= 0 && probability <= 1)) {
        throw new IllegalArgumentException("fault probability must be between 0 and 1; got " + probability);
      }
      if (count < 0) {
        throw new IllegalArgumentException("fault count must not be negative; got " + count);
      }
      Set<String> canonical = new LinkedHashSet<>();
      for (String id : sessions == null ? Set.<String>of() : sessions) {
        if (id == null || id.isBlank()) {
          throw new IllegalArgumentException("a fault's session id must not be blank");
        }
        canonical.add(Ids.canonicalSessionId(id.trim()));
      }
      sessions = Set.copyOf(canonical);
    }

    public Trigger(double probability, int count) {
      this(probability, count, Set.of());
    }

    /**
     * This trigger limited to requests about these sessions ({@code sess_} id or UUID): e.g. one
     * 429 with {@code Retry-After: 86400} for one session while every other session is served.
     */
    public Trigger forSessions(String... sessionIds) {
      return new Trigger(probability, count, Set.of(sessionIds));
    }

    boolean matches(String sessionId) {
      return sessions.isEmpty() || (sessionId != null && sessions.contains(sessionId));
    }

    public static Trigger chance(double probability) {
      return new Trigger(probability, 0);
    }

    public static Trigger next(int count) {
      return new Trigger(0, count);
    }

    public static Trigger always() {
      return new Trigger(1, 0);
    }

    boolean isOff() {
      return probability == 0 && count == 0;
    }
  }

  /** Largest Retry-After in seconds a 429 fault sends as a number: one day (larger values: {@link #retryAfterRaw}). */
  public static final int MAX_RETRY_AFTER_SECONDS = 86_400;
  /** Default Retry-After of a 429, in seconds. */
  public static final int DEFAULT_RETRY_AFTER_SECONDS = 1;
  /** Statuses a 5xx fault picks from unless told otherwise. */
  static final int[] DEFAULT_SERVER_STATUSES = {500, 502, 503};
  /** Default size of an oversized event's content: 2 MiB, above Kafka's default 1 MiB max.message.bytes. */
  public static final int DEFAULT_OVERSIZED_BYTES = 2 * 1024 * 1024;

  /**
   * How a misrouted 404 looks: what a client gets when its base URL or path prefix is wrong, or a
   * proxy in front of the API does not route the path. None of them is the API's documented
   * "session not found", so none may make a client mark a session gone.
   */
  public enum NotFoundStyle {
    /** An HTML error page, as nginx or a load balancer sends it. */
    HTML("html"),
    /** A gateway's own JSON, e.g. Kong's {@code {"message":"no Route matched with those values"}}. */
    GATEWAY_JSON("gateway_json"),
    /** The API's envelope with {@code not_found_error} for an unknown path, naming the path, not a session. */
    API_NO_ENDPOINT("api_no_endpoint");

    private final String label;

    NotFoundStyle(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }

    /** The style for a label (case-insensitive); IllegalArgumentException names the valid ones. */
    public static NotFoundStyle ofLabel(String label) {
      for (NotFoundStyle s : values()) {
        if (s.label.equalsIgnoreCase(label) || s.name().equalsIgnoreCase(label)) {
          return s;
        }
      }
      throw new IllegalArgumentException("unknown route_not_found style '" + label
          + "'; expected one of html, gateway_json, api_no_endpoint");
    }
  }

  private final FaultRule.Dice dice;
  // The settings below are written only through the public setters; they are package-private so
  // that FaultsJson can render and merge the control API's JSON form without a getter per field.
  volatile FaultRule latency = new FaultRule(Trigger.NEVER);
  volatile long latencyFixedMs;
  volatile long latencyJitterMs;
  volatile FaultRule rateLimit = new FaultRule(Trigger.NEVER);
  volatile int retryAfterSeconds = DEFAULT_RETRY_AFTER_SECONDS;
  volatile boolean retryAfterHttpDate;
  volatile String retryAfterRaw;
  volatile FaultRule permissionDenied = new FaultRule(Trigger.NEVER);
  volatile FaultRule emptyPage = new FaultRule(Trigger.NEVER);
  volatile FaultRule replayFromStart = new FaultRule(Trigger.NEVER);
  volatile FaultRule cursorRejected = new FaultRule(Trigger.NEVER);
  volatile FaultRule serverError = new FaultRule(Trigger.NEVER);
  volatile int[] serverStatuses = DEFAULT_SERVER_STATUSES;
  volatile FaultRule connectionReset = new FaultRule(Trigger.NEVER);
  volatile FaultRule malformedBody = new FaultRule(Trigger.NEVER);
  volatile FaultRule invalidResourceCursor = new FaultRule(Trigger.NEVER);
  volatile FaultRule routeNotFound = new FaultRule(Trigger.NEVER);
  volatile NotFoundStyle routeNotFoundStyle = NotFoundStyle.HTML;
  volatile double unknownEventTypeProbability;
  volatile double oversizedEventProbability;
  volatile int oversizedEventBytes = DEFAULT_OVERSIZED_BYTES;
  volatile double eventTimestampTieProbability;
  volatile boolean tokenRevoked;
  volatile Set<Endpoint> scope = EnumSet.allOf(Endpoint.class);

  Faults(long seed) {
    this.dice = new FaultRule.Dice(Ids.mix64(seed ^ 0xFA017L));
  }

  /** Delays answers by {@code fixedMs} plus a uniform random {@code 0..jitterMs}. */
  public Faults latency(Trigger trigger, long fixedMs, long jitterMs) {
    if (fixedMs < 0 || jitterMs < 0 || fixedMs + jitterMs > 600_000) {
      throw new IllegalArgumentException("latency must be 0..600000 ms in total; got fixed "
          + fixedMs + " ms, jitter " + jitterMs + " ms");
    }
    latencyFixedMs = fixedMs;
    latencyJitterMs = jitterMs;
    latency = new FaultRule(trigger);
    return this;
  }

  /** Answers 429 {@code rate_limit_error} with {@code Retry-After: <seconds>}. */
  public Faults rateLimit(Trigger trigger, int retryAfterSeconds) {
    if (retryAfterSeconds < 0 || retryAfterSeconds > MAX_RETRY_AFTER_SECONDS) {
      throw new IllegalArgumentException("Retry-After must be 0..86400 seconds; got " + retryAfterSeconds
          + " (send any other value with retryAfterRaw)");
    }
    this.retryAfterSeconds = retryAfterSeconds;
    rateLimit = new FaultRule(trigger);
    return this;
  }

  /** Sends Retry-After as an HTTP-date (RFC 9110 §10.2.3) instead of delay-seconds. */
  public Faults retryAfterAsHttpDate(boolean httpDate) {
    this.retryAfterHttpDate = httpDate;
    return this;
  }

  /**
   * Sends this exact {@code Retry-After} text with a 429 instead of the seconds (e.g. {@code
   * "604800"}, {@code "-1"}, {@code "1.5"}, {@code "soon"}, a past HTTP-date); {@code ""} sends no
   * Retry-After at all; null (the default) goes back to seconds or the HTTP-date. The documents
   * do not define Retry-After, so a client must survive any of these.
   */
  public Faults retryAfterRaw(String headerValue) {
    if (headerValue != null && headerValue.chars().anyMatch(c -> c < ' ' || c == 127)) {
      throw new IllegalArgumentException("Retry-After text must not contain control characters");
    }
    this.retryAfterRaw = headerValue;
    return this;
  }

  /**
   * Answers 403 {@code permission_error} (the token is valid but may not read this session or
   * list), after the token check. A client must neither give the session up on the first one nor
   * retry it without delay.
   */
  public Faults permissionDenied(Trigger trigger) {
    permissionDenied = new FaultRule(trigger);
    return this;
  }

  /**
   * Answers a list request (events, resources, files, agents, sessions) with an empty page that
   * says there is more: {@code "data":[]}, null {@code first_id}/{@code last_id}, {@code
   * "has_more":true} (resources: a {@code next_page} that continues from the same place; the
   * sessions list: a {@code nextCursor} that lists the same sessions again). The request is
   * validated first, so a bad cursor is still 400 and an unknown session still 404.
   */
  public Faults emptyPage(Trigger trigger) {
    emptyPage = new FaultRule(trigger);
    return this;
  }

  /**
   * Answers an events request that carries {@code after_id} as if it carried no cursor: the page
   * starts again from the session's first event (the cursor is still checked: an unknown one is
   * 400). Only requests with {@code after_id} consume the trigger.
   */
  public Faults replayFromStart(Trigger trigger) {
    replayFromStart = new FaultRule(trigger);
    return this;
  }

  /**
   * Rejects a valid cursor with 400 {@code invalid_request_error} as if its item had been deleted
   * (document 003, note 3): {@code after_id}/{@code before_id} of events, resources and agents,
   * {@code after}/{@code before} of files. Nothing is deleted; the same cursor works again once
   * the trigger is spent. Only requests with a cursor consume the trigger. (To really delete the
   * event a client holds as its cursor, use {@link QoderSimulator#deleteEvent}.)
   */
  public Faults cursorRejected(Trigger trigger) {
    cursorRejected = new FaultRule(trigger);
    return this;
  }

  /** Answers a 5xx {@code api_error}, picking uniformly from {@code statuses} (default 500, 502, 503). */
  public Faults serverError(Trigger trigger, int... statuses) {
    int[] s = statuses == null || statuses.length == 0 ? DEFAULT_SERVER_STATUSES : statuses.clone();
    for (int status : s) {
      if (status < 500 || status > 599) {
        throw new IllegalArgumentException("server error status must be 500..599; got " + status);
      }
    }
    serverStatuses = s;
    serverError = new FaultRule(trigger);
    return this;
  }

  /** Closes the connection with a TCP reset instead of answering. */
  public Faults connectionReset(Trigger trigger) {
    connectionReset = new FaultRule(trigger);
    return this;
  }

  /** Answers 200 with a body cut in half: not valid JSON. */
  public Faults malformedBody(Trigger trigger) {
    malformedBody = new FaultRule(trigger);
    return this;
  }

  /** Rejects a resources request that carries a {@code page} token with 400, as if the token expired. */
  public Faults invalidResourceCursor(Trigger trigger) {
    invalidResourceCursor = new FaultRule(trigger);
    return this;
  }

  /**
   * Answers 404 as if the request never reached the API (a wrong base URL or path prefix, a proxy
   * that does not route it), before the token is checked, in the given style.
   */
  public Faults routeNotFound(Trigger trigger, NotFoundStyle style) {
    routeNotFoundStyle = java.util.Objects.requireNonNull(style, "style");
    routeNotFound = new FaultRule(trigger);
    return this;
  }

  /** Generates an event of an unknown type with extra fields instead of the next one, with this probability. */
  public Faults unknownEventTypes(double probability) {
    unknownEventTypeProbability = Trigger.chance(probability).probability();
    return this;
  }

  /** Gives a generated {@code agent.message} content of {@code bytes} characters, with this probability. */
  public Faults oversizedEvents(double probability, int bytes) {
    if (bytes < 1 || bytes > 64 * 1024 * 1024) {
      throw new IllegalArgumentException("oversized event size must be 1..67108864 bytes; got " + bytes);
    }
    checkProbability(probability);
    oversizedEventProbability = probability;
    oversizedEventBytes = bytes;
    return this;
  }

  /**
   * Gives a new event (generated, live or appended) exactly the {@code created_at} of the event
   * before it, with this probability: several events of a session share one instant. The turns
   * (types, random ids) stay those of the seed; time-ordered ids follow the tied times. Set to 1,
   * append N events, set back to 0: N events tied to the previous one.
   */
  public Faults eventTimestampTies(double probability) {
    checkProbability(probability);
    eventTimestampTieProbability = probability;
    return this;
  }

  /** Every request answers 401 until {@link #restoreToken()}. */
  public Faults revokeToken() {
    tokenRevoked = true;
    return this;
  }

  public Faults restoreToken() {
    tokenRevoked = false;
    return this;
  }

  public boolean isTokenRevoked() {
    return tokenRevoked;
  }

  /** Limits request faults to these endpoints; no argument means all endpoints. */
  public Faults scope(Endpoint... endpoints) {
    scope = endpoints.length == 0 ? EnumSet.allOf(Endpoint.class) : EnumSet.copyOf(Arrays.asList(endpoints));
    return this;
  }

  /** Switches every fault off and restores the token. */
  public Faults clear() {
    latency(Trigger.NEVER, 0, 0);
    rateLimit(Trigger.NEVER, DEFAULT_RETRY_AFTER_SECONDS);
    retryAfterAsHttpDate(false);
    retryAfterRaw(null);
    permissionDenied(Trigger.NEVER);
    emptyPage(Trigger.NEVER);
    replayFromStart(Trigger.NEVER);
    cursorRejected(Trigger.NEVER);
    serverError(Trigger.NEVER);
    connectionReset(Trigger.NEVER);
    malformedBody(Trigger.NEVER);
    invalidResourceCursor(Trigger.NEVER);
    routeNotFound(Trigger.NEVER, NotFoundStyle.HTML);
    unknownEventTypes(0);
    oversizedEvents(0, DEFAULT_OVERSIZED_BYTES);
    eventTimestampTies(0);
    restoreToken();
    scope();
    return this;
  }

  // ---- decisions, used by the server --------------------------------------------------------

  /** Delay in ms for this request, or 0. */
  long latencyMs(Endpoint e, String sessionId) {
    if (!fires(latency, e, sessionId)) {
      return 0;
    }
    long jitter = latencyJitterMs;
    return latencyFixedMs + (jitter == 0 ? 0 : dice.nextLong(jitter + 1));
  }

  boolean connectionReset(Endpoint e, String sessionId) {
    return fires(connectionReset, e, sessionId);
  }

  boolean rateLimited(Endpoint e, String sessionId) {
    return fires(rateLimit, e, sessionId);
  }

  /** The exact Retry-After text to send, "" for none, or null to send the seconds. */
  String retryAfterRaw() {
    return retryAfterRaw;
  }

  boolean permissionDenied(Endpoint e, String sessionId) {
    return fires(permissionDenied, e, sessionId);
  }

  boolean emptyPage(Endpoint e, String sessionId) {
    return fires(emptyPage, e, sessionId);
  }

  boolean replayFromStart(String sessionId) {
    return fires(replayFromStart, Endpoint.EVENTS, sessionId);
  }

  boolean cursorRejected(Endpoint e, String sessionId) {
    return fires(cursorRejected, e, sessionId);
  }

  int retryAfterSeconds() {
    return retryAfterSeconds;
  }

  boolean retryAfterHttpDate() {
    return retryAfterHttpDate;
  }

  /** A 5xx status to answer, or 0. */
  int serverErrorStatus(Endpoint e, String sessionId) {
    if (!fires(serverError, e, sessionId)) {
      return 0;
    }
    int[] s = serverStatuses;
    return s[(int) dice.nextLong(s.length)];
  }

  boolean malformedBody(Endpoint e, String sessionId) {
    return fires(malformedBody, e, sessionId);
  }

  /** The style of a misrouted 404 for this request, or null when the fault does not fire. */
  NotFoundStyle routeNotFound(Endpoint e, String sessionId) {
    return fires(routeNotFound, e, sessionId) ? routeNotFoundStyle : null;
  }

  boolean invalidResourceCursor(String sessionId) {
    return fires(invalidResourceCursor, Endpoint.RESOURCES, sessionId);
  }

  SimSession.GenerationFaults generation() {
    return new SimSession.GenerationFaults(unknownEventTypeProbability, oversizedEventProbability,
        oversizedEventBytes, eventTimestampTieProbability);
  }

  private boolean fires(FaultRule rule, Endpoint e, String sessionId) {
    return rule.fires(scope, e, sessionId, dice);
  }

  private static void checkProbability(double probability) {
    Trigger.chance(probability);
  }
}

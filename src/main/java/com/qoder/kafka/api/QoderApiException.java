package com.qoder.kafka.api;

/**
 * A failed call to the Qoder API, classified once so that callers decide by type.
 *
 * <p>Every subtype says whether a retry may help ({@link #isRetryable()}); the client's retry
 * policy and the pollers act on that alone. Messages name the endpoint and never contain the
 * token.
 */
public abstract sealed class QoderApiException extends RuntimeException
    permits QoderApiException.Authentication,
        QoderApiException.InvalidRequest,
        QoderApiException.NotFound,
        QoderApiException.RateLimited,
        QoderApiException.ServerError,
        QoderApiException.MalformedResponse,
        QoderApiException.Transport,
        QoderApiException.Unexpected {

  private final String endpoint;
  private final int status;
  private final String errorType;
  // Set once by the client's retry policy when it gives up; read by getMessage(). Volatile because
  // the exception may be created on an event loop and read on a subscriber's thread.
  private volatile int attempts = 1;

  QoderApiException(String endpoint, int status, String errorType, String message, Throwable cause) {
    super(message, cause);
    this.endpoint = endpoint;
    this.status = status;
    this.errorType = errorType;
  }

  /**
   * The endpoint template, e.g. {@code GET /api/v1/cloud/sessions/{session_id}/events}: no ids,
   * cursors or secrets, so it is safe as a metrics label.
   */
  public String endpoint() {
    return endpoint;
  }

  /** HTTP status, or 0 when no response was received. */
  public int status() {
    return status;
  }

  /** The {@code error.type} of the documented envelope, or null. */
  public String errorType() {
    return errorType;
  }

  public abstract boolean isRetryable();

  /** How many attempts the client made before surfacing this error (1 when it was not retried). */
  public int attempts() {
    return attempts;
  }

  /** Records the number of attempts; called by the client when it stops retrying. */
  void recordAttempts(int attempts) {
    this.attempts = Math.max(1, attempts);
  }

  /** The classified message, followed by {@code (after N attempts)} when the client retried. */
  @Override
  public String getMessage() {
    int n = attempts;
    return n > 1 ? super.getMessage() + " (after " + n + " attempts)" : super.getMessage();
  }

  /** 401: the token is invalid or expired. Never retried: a retry cannot fix a token. */
  public static final class Authentication extends QoderApiException {
    public Authentication(String endpoint, String errorType, String serverMessage) {
      super(endpoint, 401, errorType,
          "401 from the Qoder API (" + endpoint + "): the token in QODER_PAT is invalid or expired"
              + (serverMessage == null ? "" : " (server said: " + serverMessage + ")"),
          null);
    }

    @Override
    public boolean isRetryable() {
      return false;
    }
  }

  /** 400: the request broke a documented rule (limit range, exclusive cursors, deleted cursor). */
  public static final class InvalidRequest extends QoderApiException {
    public InvalidRequest(String endpoint, String errorType, String serverMessage) {
      super(endpoint, 400, errorType,
          "400 from the Qoder API (" + endpoint + "): " + serverMessage, null);
    }

    @Override
    public boolean isRetryable() {
      return false;
    }
  }

  /**
   * 404. Only the API's documented not-found answer naming the session requested means the session
   * is gone ({@link #isSessionGone()}); any other 404 means the URL is wrong (base URL, path prefix,
   * a proxy) and says so in its message: the caller must retry it and never mark a session gone.
   */
  public static final class NotFound extends QoderApiException {
    private final String sessionId;

    public NotFound(String endpoint, String errorType, String serverMessage) {
      this(endpoint, errorType, serverMessage, null);
    }

    /**
     * The documented 404 of a session-scoped endpoint (events, resources, get-one session): the
     * session {@code sessionId} does not exist (any more), so its poller should mark it gone.
     */
    public NotFound(String endpoint, String errorType, String serverMessage, String sessionId) {
      super(endpoint, 404, errorType,
          "404 from the Qoder API (" + endpoint + "): "
              + (sessionId == null ? "" : "session " + sessionId + " does not exist: ") + serverMessage,
          null);
      this.sessionId = sessionId;
    }

    /** The session the request named when the endpoint is session-scoped, otherwise null. */
    public String sessionId() {
      return sessionId;
    }

    /**
     * True when this 404 means "the session is gone": a session-scoped endpoint answered with the
     * documented {@code not_found_error} naming the session. False for a misrouted request.
     */
    public boolean isSessionGone() {
      return sessionId != null;
    }

    @Override
    public boolean isRetryable() {
      return false;
    }
  }

  /** 429: over the server's rate limit; retry after {@link #retryAfterMillis()}. */
  public static final class RateLimited extends QoderApiException {
    private final long retryAfterMillis;

    public RateLimited(String endpoint, String errorType, String serverMessage, long retryAfterMillis) {
      super(endpoint, 429, errorType,
          "429 from the Qoder API (" + endpoint + "): rate limited, retry after " + retryAfterMillis
              + " ms" + (serverMessage == null ? "" : " (" + serverMessage + ")"),
          null);
      this.retryAfterMillis = retryAfterMillis;
    }

    /** The server's Retry-After in milliseconds, or -1 when it sent none. */
    public long retryAfterMillis() {
      return retryAfterMillis;
    }

    @Override
    public boolean isRetryable() {
      return true;
    }
  }

  /** 5xx. */
  public static final class ServerError extends QoderApiException {
    public ServerError(String endpoint, int status, String errorType, String serverMessage) {
      super(endpoint, status, errorType,
          status + " from the Qoder API (" + endpoint + "): " + serverMessage, null);
    }

    @Override
    public boolean isRetryable() {
      return true;
    }
  }

  /** A 2xx whose body is not the documented JSON; retryable, the next answer may be whole. */
  public static final class MalformedResponse extends QoderApiException {
    public MalformedResponse(String endpoint, String detail, Throwable cause) {
      super(endpoint, 200, null,
          "malformed response body from the Qoder API (" + endpoint + "): " + detail, cause);
    }

    @Override
    public boolean isRetryable() {
      return true;
    }
  }

  /** No response: connection refused or reset, or the response timeout passed. */
  public static final class Transport extends QoderApiException {
    private final boolean retryable;

    public Transport(String endpoint, String detail, Throwable cause) {
      this(endpoint, detail, cause, true);
    }

    /**
     * A transport failure that a retry cannot fix when {@code retryable} is false, e.g. a TLS
     * certificate the client does not trust.
     */
    public Transport(String endpoint, String detail, Throwable cause, boolean retryable) {
      super(endpoint, 0, null, "no response from the Qoder API (" + endpoint + "): " + detail, cause);
      this.retryable = retryable;
    }

    @Override
    public boolean isRetryable() {
      return retryable;
    }
  }

  /** Any other status (403, 409, ...): not documented, not retried. */
  public static final class Unexpected extends QoderApiException {
    public Unexpected(String endpoint, int status, String errorType, String serverMessage) {
      super(endpoint, status, errorType,
          "unexpected " + status + " from the Qoder API (" + endpoint + "): " + serverMessage, null);
    }

    @Override
    public boolean isRetryable() {
      return false;
    }
  }
}

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

  QoderApiException(String endpoint, int status, String errorType, String message, Throwable cause) {
    super(message, cause);
    this.endpoint = endpoint;
    this.status = status;
    this.errorType = errorType;
  }

  /** The endpoint template, e.g. {@code GET /v1/sessions/{id}/events}. */
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

  /** 404: the session (or other entity) does not exist; for a session this means it is gone. */
  public static final class NotFound extends QoderApiException {
    public NotFound(String endpoint, String errorType, String serverMessage) {
      super(endpoint, 404, errorType, "404 from the Qoder API (" + endpoint + "): " + serverMessage, null);
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
    public Transport(String endpoint, String detail, Throwable cause) {
      super(endpoint, 0, null, "no response from the Qoder API (" + endpoint + "): " + detail, cause);
    }

    @Override
    public boolean isRetryable() {
      return true;
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

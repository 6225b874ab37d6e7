package com.qoder.kafka.registry;

/**
 * A Schema Registry call that failed, classified once so callers decide by {@link #reason()}.
 *
 * <p>Carries the HTTP status and Confluent's {@code error_code} (e.g. 40401 subject not found,
 * 40403 schema not found, 409/40901 incompatible, 42201 invalid schema, 50001 store error), or 0
 * when no response was received. Messages say what to do; they name the registry by URL without
 * credentials and never contain a secret.
 */
public final class SchemaRegistryException extends RuntimeException {

  /** What went wrong, in terms a caller acts on. */
  public enum Reason {
    /** Lookup: the subject has no version with this schema (40401 / 40403). */
    NOT_REGISTERED,
    /** A schema id or a subject asked for does not exist (40403 / 40401 / 40402). */
    NOT_FOUND,
    /** The schema breaks the subject's compatibility level (409 / 40901). */
    INCOMPATIBLE,
    /** The registry cannot parse the schema (422 / 42201). */
    INVALID_SCHEMA,
    /** 401 / 403: missing or refused credentials. */
    UNAUTHORIZED,
    /** No HTTP answer: connection refused, DNS, TLS or timeout, after retries. */
    UNREACHABLE,
    /** 5xx (or 429) after retries. */
    SERVER_ERROR,
    /** Any other status, or a response this client cannot read. */
    UNEXPECTED
  }

  private final Reason reason;
  private final int httpStatus;
  private final int errorCode;
  private final String serverMessage;

  SchemaRegistryException(Reason reason, int httpStatus, int errorCode, String serverMessage,
      String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
    this.httpStatus = httpStatus;
    this.errorCode = errorCode;
    this.serverMessage = serverMessage;
  }

  public Reason reason() {
    return reason;
  }

  /** The HTTP status, or 0 when the registry did not answer. */
  public int httpStatus() {
    return httpStatus;
  }

  /** Confluent's {@code error_code} from the response body, or 0 when there was none. */
  public int errorCode() {
    return errorCode;
  }

  /** The registry's own {@code message}, or null. */
  public String serverMessage() {
    return serverMessage;
  }

  /** True when waiting and trying again may succeed. */
  public boolean isRetryable() {
    return reason == Reason.UNREACHABLE || reason == Reason.SERVER_ERROR;
  }
}

package com.qoder.kafka.sim;

/**
 * An error answer in the envelope of the API documents:
 * {@code {"type":"error","error":{"type":"<type>","message":"<message>"}}}. Thrown by request
 * handling and turned into a response in one place; carries no stack trace because it is an
 * answer, not a bug.
 */
final class ApiError extends RuntimeException {

  final int status;
  final String type;
  /** The injected fault that caused this answer (for the request log and {@code x-sim-fault}), or null. */
  final String fault;

  private ApiError(int status, String type, String message) {
    this(status, type, message, null);
  }

  private ApiError(int status, String type, String message, String fault) {
    super(message, null, false, false);
    this.status = status;
    this.type = type;
    this.fault = fault;
  }

  /** The same answer, marked as caused by an injected fault. */
  ApiError causedBy(String faultName) {
    return new ApiError(status, type, getMessage(), faultName);
  }

  static ApiError invalidRequest(String message) {
    return new ApiError(400, "invalid_request_error", message);
  }

  static ApiError authentication(String message) {
    return new ApiError(401, "authentication_error", message);
  }

  static ApiError permission(String message) {
    return new ApiError(403, "permission_error", message);
  }

  static ApiError notFound(String message) {
    return new ApiError(404, "not_found_error", message);
  }

  static ApiError methodNotAllowed(String message) {
    return new ApiError(405, "invalid_request_error", message);
  }

  static ApiError rateLimit(String message) {
    return new ApiError(429, "rate_limit_error", message);
  }

  static ApiError server(int status, String message) {
    return new ApiError(status, "api_error", message);
  }
}

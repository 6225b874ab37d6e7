package com.qoder.kafka.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.timeout.ReadTimeoutException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import reactor.netty.http.client.PrematureCloseException;

/**
 * The one place that turns what came back (a status and body, or a failure without response)
 * into a {@link QoderApiException}. Whether to retry is then the exception's {@link
 * QoderApiException#isRetryable()}; how long to wait is {@link RetryPolicy}'s.
 *
 * <p>Server messages are cut to {@link #MAX_SERVER_MESSAGE} characters and scrubbed of the token,
 * in case a server echoes the Authorization header back.
 */
final class ResponseClassifier {

  /** Long enough for the documented messages, short enough for a log line. */
  static final int MAX_SERVER_MESSAGE = 300;
  /** {@code error.type} of the documented 404 (documents 000 and 002). */
  static final String DOCUMENTED_NOT_FOUND = "not_found_error";

  private final ObjectMapper mapper;
  private final String tokenToScrub;

  ResponseClassifier(ObjectMapper mapper, String tokenToScrub) {
    this.mapper = mapper;
    this.tokenToScrub = tokenToScrub;
  }

  /** Classifies a non-2xx response of a request whose URL is not known (tests). */
  QoderApiException classifyStatus(String endpoint, int status, String body, String retryAfter,
      String sessionId, Instant now) {
    return classifyStatus(endpoint, null, status, body, retryAfter, sessionId, now);
  }

  /**
   * Classifies a non-2xx response.
   *
   * @param url the URL requested, without its query (named in a misrouted 404's message); may be null
   * @param sessionId the session a session-scoped endpoint named, so a 404 says "session gone";
   *     null for other endpoints
   * @param retryAfter the raw {@code Retry-After} header, or null
   */
  QoderApiException classifyStatus(String endpoint, String url, int status, String body, String retryAfter,
      String sessionId, Instant now) {
    ErrorEnvelope env = parseEnvelope(body);
    return switch (status) {
      case 400 -> new QoderApiException.InvalidRequest(endpoint, env.type, env.message);
      case 401 -> new QoderApiException.Authentication(endpoint, env.type, env.messageOrNull);
      case 404 -> notFound(endpoint, url, env, sessionId);
      case 429 -> new QoderApiException.RateLimited(endpoint, env.type, env.messageOrNull,
          parseRetryAfterMillis(retryAfter, now));
      default -> status >= 500 && status <= 599
          ? new QoderApiException.ServerError(endpoint, status, env.type, env.message)
          : new QoderApiException.Unexpected(endpoint, status, env.type, env.message);
    };
  }

  /**
   * A 404 says "the session is gone" only when it is the documented answer (documents 000 and 002):
   * {@code {"type":"error","error":{"type":"not_found_error","message":"Session '<id>' was not
   * found."}}} naming the very session requested. Anything else — an HTML page from a proxy, a
   * gateway's own JSON, the API's answer for a path it does not serve, a 404 of the sessions list —
   * means the URL is wrong, and marking sessions gone on it would silently stop following all of them.
   */
  private QoderApiException notFound(String endpoint, String url, ErrorEnvelope env, String sessionId) {
    if (sessionId != null && env.json && DOCUMENTED_NOT_FOUND.equals(env.type) && names(env.message, sessionId)) {
      return new QoderApiException.NotFound(endpoint, env.type, env.message, sessionId);
    }
    String what = !env.json ? "not a JSON answer of the Qoder API"
        : !DOCUMENTED_NOT_FOUND.equals(env.type) ? "not the API's error envelope with type " + DOCUMENTED_NOT_FOUND
        : sessionId == null ? "on an endpoint that must exist"
        : "a " + DOCUMENTED_NOT_FOUND + " that does not name session " + sessionId;
    return new QoderApiException.NotFound(endpoint, env.type, env.message + " (" + what + "; "
        + (url == null ? "" : "requested " + url + "; ")
        + "check qoder.base-url and qoder.path-prefix, or the proxy in front of the API)");
  }

  /**
   * True when {@code message} says "Session '<id>'" for this session in either spelling ({@code
   * sess_…} or UUID), as the documented answer does. The id alone is not enough: an answer for an
   * unknown path ("No endpoint at '/…/sessions/sess_…/events'") contains it too.
   */
  private static boolean names(String message, String sessionId) {
    if (message == null) {
      return false;
    }
    String m = message.toLowerCase(java.util.Locale.ROOT);
    String uuid = SessionIds.toUuid(sessionId);
    for (String id : new String[] {sessionId.toLowerCase(java.util.Locale.ROOT), uuid}) {
      if (id != null && java.util.regex.Pattern.compile("\\bsession\\s+'?" + java.util.regex.Pattern.quote(id)
          + "(?![0-9a-z_-])").matcher(m).find()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Classifies a failure that is not already a {@link QoderApiException}: anything the transport
   * threw means no (complete) response arrived. {@link IllegalArgumentException} (argument
   * validation) passes through unchanged.
   */
  static Throwable classifyFailure(String endpoint, Throwable t, Duration responseTimeout) {
    if (t instanceof QoderApiException || t instanceof IllegalArgumentException) {
      return t;
    }
    if (t instanceof ReadTimeoutException || t instanceof TimeoutException) {
      return new QoderApiException.Transport(endpoint,
          "no response within the response timeout of " + responseTimeout.toMillis() + " ms", t);
    }
    if (t instanceof ConnectTimeoutException) {
      return new QoderApiException.Transport(endpoint, "connect timed out: " + t.getMessage(), t);
    }
    if (isUntrustedCertificate(t)) {
      return new QoderApiException.Transport(endpoint,
          "TLS handshake failed, the server certificate is not trusted (" + t.getMessage()
              + "): give the CA's PEM file as caFile, or check the base URL's host name",
          t, false);
    }
    if (t instanceof SSLException) {
      return new QoderApiException.Transport(endpoint, "TLS failure: " + t.getMessage(), t);
    }
    if (t instanceof PrematureCloseException || t instanceof ClosedChannelException) {
      return new QoderApiException.Transport(endpoint,
          "connection closed before the response was complete", t);
    }
    if (t instanceof ConnectException) {
      return new QoderApiException.Transport(endpoint, "cannot connect: " + t.getMessage(), t);
    }
    if (t instanceof UnknownHostException) {
      return new QoderApiException.Transport(endpoint, "unknown host " + t.getMessage(), t);
    }
    if (t instanceof IOException) {
      return new QoderApiException.Transport(endpoint,
          "I/O error: " + t.getClass().getSimpleName() + ": " + t.getMessage(), t);
    }
    // A bug in the client or an unexpected runtime failure: not a transport problem, not retried.
    return t;
  }

  private static boolean isUntrustedCertificate(Throwable t) {
    if (!(t instanceof SSLHandshakeException)) {
      return false;
    }
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof CertificateException) {
        return true;
      }
      String m = c.getMessage();
      if (m != null && (m.contains("PKIX") || m.contains("certificate") || m.contains("subject alternative"))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Parses {@code Retry-After} (RFC 9110 §10.2.3): either delay-seconds or an HTTP-date.
   *
   * @return milliseconds to wait (0 for a date in the past), or -1 when absent or unparseable
   */
  static long parseRetryAfterMillis(String value, Instant now) {
    if (value == null || value.isBlank()) {
      return -1;
    }
    String v = value.strip();
    if (v.chars().allMatch(Character::isDigit)) {
      try {
        return Math.multiplyExact(Long.parseLong(v), 1000L);
      } catch (NumberFormatException | ArithmeticException e) {
        return -1;
      }
    }
    try {
      // Some servers send fractional seconds; accept them rather than fall back to backoff.
      double seconds = Double.parseDouble(v);
      if (seconds >= 0 && Double.isFinite(seconds)) {
        return (long) Math.ceil(seconds * 1000d);
      }
      return -1;
    } catch (NumberFormatException notANumber) {
      // fall through to HTTP-date
    }
    try {
      Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      return Math.max(0L, Duration.between(now, at).toMillis());
    } catch (DateTimeParseException e) {
      return -1;
    }
  }

  /** {@code json}: the body was a JSON object, i.e. most likely the API's own answer. */
  private record ErrorEnvelope(String type, String message, String messageOrNull, boolean json) {}

  /** Reads {@code {"type":"error","error":{"type":..,"message":..}}}; tolerates any other body. */
  private ErrorEnvelope parseEnvelope(String body) {
    if (body == null || body.isBlank()) {
      return new ErrorEnvelope(null, "(empty body)", null, false);
    }
    String type = null;
    String message = null;
    boolean json = false;
    try {
      JsonNode root = mapper.readTree(body);
      json = root != null && root.isObject();
      JsonNode error = root == null ? null : root.get("error");
      if (error != null && error.isObject()) {
        type = textOrNull(error.get("type"));
        message = textOrNull(error.get("message"));
      } else if (error != null && error.isTextual()) {
        message = error.asText();
      } else if (root != null && root.isObject()) {
        message = textOrNull(root.get("message"));
      }
    } catch (IOException notJson) {
      // An HTML page from a proxy, plain text, a truncated body: keep its start as the message.
    }
    if (message == null) {
      message = body.strip();
    }
    message = scrub(truncate(message));
    return new ErrorEnvelope(type == null ? null : scrub(truncate(type)), message, message, json);
  }

  private static String textOrNull(JsonNode n) {
    return n == null || n.isNull() ? null : n.asText();
  }

  private static String truncate(String s) {
    String oneLine = s.replaceAll("\\s+", " ");
    return oneLine.length() <= MAX_SERVER_MESSAGE ? oneLine : oneLine.substring(0, MAX_SERVER_MESSAGE) + "…";
  }

  String scrub(String s) {
    if (s == null || tokenToScrub == null || tokenToScrub.isEmpty()) {
      return s;
    }
    return s.replace(tokenToScrub, com.qoder.kafka.config.Secret.MASK);
  }
}

package com.qoder.kafka.sim;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The request validation every endpoint shares: query parameters (400) and the session a path
 * names (404). Kept in one place so that the five documents' limits and the wording of their
 * errors cannot drift apart between endpoints.
 */
final class RequestChecks {

  static final int DEFAULT_LIMIT = 20; // documents 000, 002, 003
  static final int LIST_MAX_LIMIT = 100; // document 003: "range 1–100"
  static final int RESOURCES_MAX_LIMIT = 1000; // document 000: "server cap (currently 1000)"
  static final int SESSIONS_DEFAULT_LIMIT = 100; // document 004
  static final int SESSIONS_MAX_LIMIT = 500; // document 004

  private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");

  private RequestChecks() {}

  static SimSession requireSession(SimData data, String rawId) {
    SimSession s = data.session(rawId);
    if (s == null) {
      throw ApiError.notFound("Session '" + rawId + "' was not found.");
    }
    return s;
  }

  /**
   * Parses {@code limit}: absent gives the default; a non-integer or non-positive value is 400;
   * above {@code max} is 400 unless {@code clamp} (document 000 clamps silently).
   */
  static int limit(Map<String, List<String>> q, int defaultLimit, int max, boolean clamp) {
    String raw = param(q, "limit");
    if (raw == null) {
      return defaultLimit;
    }
    String range = clamp ? "a positive integer (values above " + max + " are clamped)"
        : "an integer between 1 and " + max;
    if (!INTEGER.matcher(raw).matches()) {
      throw ApiError.invalidRequest("limit must be " + range + "; got '" + raw + "'.");
    }
    BigInteger v = new BigInteger(raw);
    if (v.signum() <= 0) {
      throw ApiError.invalidRequest("limit must be " + range + "; got '" + raw + "'.");
    }
    if (v.compareTo(BigInteger.valueOf(max)) > 0) {
      if (clamp) {
        return max;
      }
      throw ApiError.invalidRequest("limit must be " + range + "; got '" + raw + "'.");
    }
    return v.intValueExact();
  }

  static String param(Map<String, List<String>> q, String name) {
    List<String> v = q.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  static void exclusive(String a, String va, String b, String vb) {
    if (va != null && vb != null) {
      throw ApiError.invalidRequest(a + " and " + b + " are mutually exclusive; send at most one of them.");
    }
  }
}

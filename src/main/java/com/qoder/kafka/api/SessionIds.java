package com.qoder.kafka.api;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The two spellings of one session id.
 *
 * <p>The events, resources and files endpoints (documents 000–002) name a session
 * {@code sess_<32 hex>}; the sessions list (document 004) names it by UUID. Both carry the same
 * 128 bits: {@code sess_019e392c0d1e74e095d21ea4c6b41def} is the session
 * {@code 019e392c-0d1e-74e0-95d2-1ea4c6b41def}. The connector keys every record by the
 * {@code sess_} form, which is the canonical one.
 */
public final class SessionIds {

  private static final Pattern SESS = Pattern.compile("sess_[0-9a-f]{32}");
  private static final Pattern UUID_FORM =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  private SessionIds() {}

  /** Returns the canonical {@code sess_} id for either spelling; other strings pass unchanged. */
  public static String canonical(String id) {
    String lower = id.toLowerCase(Locale.ROOT);
    if (UUID_FORM.matcher(lower).matches()) {
      return "sess_" + lower.replace("-", "");
    }
    return id;
  }

  /** Returns the UUID spelling of a {@code sess_} id, or null when the id has no UUID form. */
  public static String toUuid(String sessId) {
    if (!SESS.matcher(sessId).matches()) {
      return UUID_FORM.matcher(sessId).matches() ? sessId : null;
    }
    String h = sessId.substring(5);
    return h.substring(0, 8) + "-" + h.substring(8, 12) + "-" + h.substring(12, 16) + "-"
        + h.substring(16, 20) + "-" + h.substring(20);
  }
}

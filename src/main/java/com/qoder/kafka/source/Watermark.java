package com.qoder.kafka.source;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * "Which items were already reported" as a timestamp plus a few exceptions: everything stamped at
 * or before {@code mark} counts as reported, and so do the ids listed in {@code above} (reported
 * out of order, stamped after the mark). The source raises the mark only over stamps it knows are
 * all reported, which keeps {@code above} small. Stored as text: {@code <mark> <id>:<stamp> …}
 * with numbers in base 36.
 *
 * <p>Not thread-safe: used by one serialized source.
 */
final class Watermark {

  static final long NONE = Long.MIN_VALUE;

  private long mark = NONE;
  private final Map<String, Long> above = new HashMap<>();

  boolean covers(String id, long stamp) {
    return (mark != NONE && stamp != NONE && stamp <= mark) || above.containsKey(id);
  }

  /** Records that {@code id}, stamped {@code stamp}, was reported. */
  void reported(String id, long stamp) {
    if (stamp == NONE || mark == NONE || stamp > mark) {
      above.put(id, stamp);
    }
  }

  /** Raises the mark to {@code upTo} (every item stamped up to it is reported) and forgets the covered ids. */
  void raise(long upTo) {
    if (upTo != NONE && (mark == NONE || upTo > mark)) {
      mark = upTo;
    }
    if (mark != NONE) {
      above.values().removeIf(s -> s != NONE && s <= mark);
    }
  }

  long mark() {
    return mark;
  }

  int exceptions() {
    return above.size();
  }

  String encode() {
    StringBuilder sb = new StringBuilder(mark == NONE ? "-" : Long.toString(mark, 36));
    List<String> ids = new ArrayList<>(above.keySet());
    ids.sort(null);
    for (String id : ids) {
      long s = above.get(id);
      sb.append(' ').append(id).append(':').append(s == NONE ? "-" : Long.toString(s, 36));
    }
    return sb.toString();
  }

  /** @throws IllegalArgumentException when the text is not a watermark encoding */
  static Watermark decode(String text) {
    Watermark w = new Watermark();
    if (text == null || text.isEmpty()) {
      return w;
    }
    String[] parts = text.split(" ");
    try {
      w.mark = parts[0].equals("-") ? NONE : Long.parseLong(parts[0], 36);
      for (int i = 1; i < parts.length; i++) {
        int colon = parts[i].lastIndexOf(':');
        if (colon <= 0) {
          throw new IllegalArgumentException("watermark entry '" + parts[i] + "' is not <id>:<stamp>");
        }
        String s = parts[i].substring(colon + 1);
        w.above.put(parts[i].substring(0, colon), s.equals("-") ? NONE : Long.parseLong(s, 36));
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("watermark '" + text + "' has a malformed number: " + e.getMessage());
    }
    return w;
  }
}

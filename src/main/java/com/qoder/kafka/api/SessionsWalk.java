package com.qoder.kafka.api;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The position of one walk of the sessions list, which pages by a {@code before} timestamp that
 * is <em>strictly before</em> (document 004). Passing {@code nextCursor} — the last session's
 * {@code createdAt} — unchanged would skip every other session created at that same instant, so
 * the next page is asked {@code before} that instant plus one nanosecond, and the sessions of the
 * instant already listed are left out of it (their ids are the only thing remembered: at most
 * {@code limit} of them per instant). When a whole page is sessions already listed at one
 * instant — more sessions share it than a page holds — no {@code before} can reach the others;
 * the walk logs it and goes on strictly before that instant, so it neither loops nor repeats.
 * Pages are strictly sequential (PageWalker), so the state needs no lock.
 */
final class SessionsWalk {

  // The client's log lines keep one logger name (QoderApiClient), which operators and tests filter by.
  private static final Logger log = LoggerFactory.getLogger(QoderApiClient.class);

  private final String endpoint;
  private final int limit;
  private long tieAt = Long.MIN_VALUE;
  private final Set<String> tieIds = new HashSet<>();
  private String next;

  SessionsWalk(String endpoint, int limit) {
    this.endpoint = endpoint;
    this.limit = limit;
  }

  /** The page without the sessions already listed; computes the next cursor. */
  Page<SessionInfo> accept(String before, Page<SessionInfo> page) {
    List<SessionInfo> fresh = new ArrayList<>(page.data().size());
    long oldest = Long.MAX_VALUE;
    boolean stamped = !page.data().isEmpty();
    for (SessionInfo s : page.data()) {
      long at = createdAt(s);
      if (at == Long.MIN_VALUE) {
        stamped = false;
      } else {
        oldest = Math.min(oldest, at);
      }
      if (at == Long.MIN_VALUE || at != tieAt || !tieIds.contains(s.id())) {
        fresh.add(s);
      }
    }
    if (page.nextCursor() == null) {
      next = null;
    } else if (!stamped) {
      // Nothing to compute a tie-safe cursor from: follow the server's.
      next = page.nextCursor();
    } else if (Timestamps.format(oldest + 1).equals(before) || (fresh.isEmpty() && oldest == tieAt)) {
      // The page answered "before the instant + 1 ns" with sessions of that one instant only:
      // asking the same again would give the same page.
      log.warn("{}: a whole page ({} sessions) was created at {}: sessions of that instant beyond a page"
          + " cannot be reached with the strictly-before `before` cursor; the walk goes on with older ones",
          endpoint, limit, Timestamps.format(oldest));
      next = Timestamps.format(oldest);
      tieAt = Long.MIN_VALUE;
      tieIds.clear();
    } else {
      if (oldest != tieAt) {
        tieAt = oldest;
        tieIds.clear();
      }
      for (SessionInfo s : page.data()) {
        if (createdAt(s) == oldest) {
          tieIds.add(s.id());
        }
      }
      next = Timestamps.format(oldest + 1);
    }
    if (next != null && next.equals(before) && !stamped) {
      throw new QoderApiException.MalformedResponse(endpoint,
          "the walk would repeat the cursor just used (" + before + "): the page did not move", null);
    }
    return fresh.size() == page.data().size() ? page : new Page<>(fresh,
        fresh.isEmpty() ? null : fresh.get(0).id(), fresh.isEmpty() ? null : fresh.get(fresh.size() - 1).id(),
        page.hasMore(), page.nextCursor());
  }

  /** The {@code before} of the next page, or null when the walk is over. */
  String next() {
    return next;
  }

  private static long createdAt(SessionInfo s) {
    if (s.createdAt() == null) {
      return Long.MIN_VALUE;
    }
    try {
      return Timestamps.parseEpochNanos(s.createdAt());
    } catch (IllegalArgumentException e) {
      return Long.MIN_VALUE;
    }
  }
}

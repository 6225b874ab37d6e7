package com.qoder.kafka.source;

import com.qoder.kafka.api.Page;
import com.qoder.kafka.api.SessionEvent;
import com.qoder.kafka.api.Timestamps;
import java.util.List;

/** How a {@link SessionPoller} reads a page of events: what was delivered already, where it ends. Stateless. */
final class SessionPages {

  private SessionPages() {
  }

  /**
   * Which events of a page were delivered already by the session's position alone: those created
   * before the newest delivered event (events are chronological, document 002), and those without
   * a parseable {@code created_at} that come before such an event in the page (their place in the
   * chronological order puts them before it too). Replays and re-reads of any length fall here; the
   * window is left to the events at the position's instant.
   */
  static boolean[] deliveredByPosition(SessionState state, List<SessionEvent> events) {
    boolean[] old = new boolean[events.size()];
    if (state.positionNanos() == 0) {
      return old;
    }
    boolean olderFollows = false;
    for (int i = events.size() - 1; i >= 0; i--) {
      long created = createdAtNanos(events.get(i));
      if (created == 0) {
        old[i] = olderFollows;
      } else {
        old[i] = state.beforePosition(created);
        olderFollows = old[i];
      }
    }
    return old;
  }

  static boolean skipAsHistory(PollerOptions options, SessionState state, SessionEvent e) {
    if (!options.startLatest() || state.delivered() > 0) {
      return false;
    }
    long created = createdAtNanos(e);
    return created != 0 && created / 1_000_000 < state.firstSeenAtMillis();
  }

  /**
   * The page with {@code last_id} taken from its last event when the API sent data with
   * {@code "last_id": null}: events are oldest first, so the last one is where the next page
   * starts; keeping the old cursor would read the page again and again.
   */
  static Page<SessionEvent> withLastId(Page<SessionEvent> page) {
    if (page.lastId() != null || page.data().isEmpty()) {
      return page;
    }
    String last = page.data().get(page.data().size() - 1).id();
    return last == null ? page : new Page<>(page.data(), page.firstId(), last, page.hasMore(), page.nextCursor());
  }

  static long createdAtNanos(SessionEvent e) {
    String t = e.createdAt();
    if (t == null) {
      return 0;
    }
    try {
      return Timestamps.parseEpochNanos(t);
    } catch (IllegalArgumentException ex) {
      return 0;
    }
  }
}

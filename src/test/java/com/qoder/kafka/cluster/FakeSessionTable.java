package com.qoder.kafka.cluster;

import com.qoder.kafka.source.SessionState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * A session table in memory with the real table's rules: a session is polled only if owned
 * ({@code owns}); a stopped poller stops at once unless the test made it {@link #linger}; forgetting
 * drops the state only of sessions whose poller stopped. Records what was restored, tracked and
 * stopped, and the ownership seen by each stop.
 */
final class FakeSessionTable implements SessionTable {

  /** Each session's restored cursor (null: no state restored). */
  final Map<String, String> cursors = new ConcurrentHashMap<>();
  final Set<String> states = ConcurrentHashMap.newKeySet();
  final Set<String> polled = ConcurrentHashMap.newKeySet();
  final List<String> tracked = new CopyOnWriteArrayList<>();
  final List<String> stopped = new CopyOnWriteArrayList<>();
  final List<String> scanned = new CopyOnWriteArrayList<>();
  /** Run at each stop, before the pollers stop (to see what ownership allows meanwhile). */
  volatile Runnable onStop = () -> { };
  private final Map<String, Sinks.Empty<Void>> lingering = new ConcurrentHashMap<>();
  private final Set<String> slowToLeave = ConcurrentHashMap.newKeySet();
  private final Predicate<String> owns;

  FakeSessionTable(Predicate<String> owns) {
    this.owns = owns;
  }

  /** The session's poller will not stop until {@link #endLingering}. */
  void linger(String id) {
    lingering.put(id, Sinks.empty());
  }

  /**
   * The session's stop completes at once, but its poller stays in the table until {@link
   * #leaveTable}: what a real poller did when it signalled its end before leaving the table.
   */
  void slowToLeave(String id) {
    slowToLeave.add(id);
  }

  void leaveTable(String id) {
    slowToLeave.remove(id);
    polled.remove(id);
  }

  void endLingering(String id) {
    polled.remove(id);
    lingering.remove(id).tryEmitEmpty();
  }

  @Override
  public void restore(Collection<SessionState.Snapshot> snapshots) {
    snapshots.forEach(s -> {
      states.add(s.sessionId());
      cursors.put(s.sessionId(), String.valueOf(s.cursor()));
    });
  }

  @Override
  public boolean track(String id) {
    if (!owns.test(id) || polled.contains(id)) {
      return false;
    }
    states.add(id);
    polled.add(id);
    tracked.add(id);
    return true;
  }

  @Override
  public Mono<Integer> scan(String organization) {
    return Mono.fromCallable(() -> {
      scanned.add(organization);
      return 0;
    });
  }

  @Override
  public Mono<Void> stop(Collection<String> ids, Duration timeout) {
    onStop.run();
    List<Mono<Void>> waits = new ArrayList<>();
    for (String id : ids) {
      if (!polled.contains(id)) {
        continue;
      }
      stopped.add(id);
      Sinks.Empty<Void> l = lingering.get(id);
      if (l == null && !slowToLeave.contains(id)) {
        polled.remove(id);
      } else if (l != null) {
        waits.add(l.asMono());
      }
    }
    // Like the real table: a stop that outlasts its timeout completes anyway.
    return Mono.when(waits).timeout(timeout, Mono.empty());
  }

  @Override
  public void forget(Collection<String> ids) {
    ids.stream().filter(id -> !polled.contains(id)).forEach(id -> {
      states.remove(id);
      cursors.remove(id);
    });
  }

  @Override
  public List<String> sessionIds() {
    return List.copyOf(states);
  }

  @Override
  public boolean has(String id) {
    return states.contains(id);
  }
}

package com.qoder.kafka.cluster;

import com.qoder.kafka.cluster.StableOffsets.HangingTransactionException;
import com.qoder.kafka.cluster.TransactionCycle.Outcome;
import com.qoder.kafka.offsets.OffsetKey;
import com.qoder.kafka.offsets.OffsetRecord;
import com.qoder.kafka.offsets.OffsetSource;
import com.qoder.kafka.offsets.OffsetStore;
import com.qoder.kafka.offsets.SessionOffsetRecords;
import com.qoder.kafka.source.SessionState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Sessions changing hands: what this member does when the group assigns it offsets partitions,
 * revokes them or declares them lost, and when sessions must be rebuilt from their committed offsets
 * (an aborted transaction, a late offset write, a poller that outlived its partition).
 *
 * <ul>
 *   <li><b>Assigned</b>: wait until no transaction of the previous owner is open ({@link
 *       StableOffsets}), restore the partitions' records, start their pollers, scan discovery once.
 *   <li><b>Revoked</b>: stop the pollers after the step in hand, commit (exactly-once) or let their
 *       offset writes finish (at-least-once), forget their state — all before the callback returns,
 *       so the next owner starts from the final offsets.
 *   <li><b>Lost</b>: exactly-once, refuse every further write and abort the open transaction (the
 *       group gave the partitions away: a commit would be refused); at-least-once, drain like a
 *       revocation — there is nothing to fence, and a refused offset is only a duplicate later.
 * </ul>
 *
 * <p>Member thread only, except {@link #onLateWrite} and the completion of stops, which queue their
 * follow-up as {@link #runTasks tasks} for the member thread. Restores run on {@code restorer} while
 * the member thread keeps committing ({@link CommitTimer#await}).
 */
final class HandOver {

  private static final Logger log = LoggerFactory.getLogger(HandOver.class);

  /** Where the hand-over reads and writes what the member knows. */
  record Parts(Ownership ownership, PartitionPositions positions, StableOffsets stable,
      Function<Set<Integer>, Map<OffsetKey, OffsetRecord>> restore, CommitTimer commits,
      MemberStatus status, Executor restorer) {}

  private final Ownership ownership;
  private final PartitionPositions positions;
  private final StableOffsets stable;
  private final Function<Set<Integer>, Map<OffsetKey, OffsetRecord>> restore;
  private final CommitTimer commits;
  private final MemberStatus status;
  private final Executor restorer;
  private final SessionTable sessions;
  /** Read at each use: the change sources may attach theirs late (before the member starts). */
  private final Supplier<PartitionListener> listener;
  private final Duration revocationTimeout;
  private final List<String> staticIds;
  private final List<String> organizations;
  private final BooleanSupplier failed;
  private final BooleanSupplier closing;
  private final Consumer<Throwable> fatal;
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final List<PendingResume> pendingResumes = new ArrayList<>();

  /**
   * @param staticIds canonical session ids configured statically (tracked when their partition comes)
   * @param organizations organizations scanned once after each assignment
   * @param failed whether the member failed (nothing more is committed)
   * @param closing whether the member is leaving (no discovery scans)
   * @param fatal stops the member
   */
  HandOver(Parts parts, SessionTable sessions, Supplier<PartitionListener> listener, Duration revocationTimeout,
      List<String> staticIds, List<String> organizations, BooleanSupplier failed, BooleanSupplier closing,
      Consumer<Throwable> fatal) {
    this.ownership = parts.ownership();
    this.positions = parts.positions();
    this.stable = parts.stable();
    this.restore = parts.restore();
    this.commits = parts.commits();
    this.status = parts.status();
    this.restorer = parts.restorer();
    this.sessions = sessions;
    this.listener = listener;
    this.revocationTimeout = revocationTimeout;
    this.staticIds = List.copyOf(staticIds);
    this.organizations = List.copyOf(organizations);
    this.failed = failed;
    this.closing = closing;
    this.fatal = fatal;
  }

  private record PendingResume(List<String> ids, Set<String> reload, Map<Integer, Long> epochs,
      CompletableFuture<Map<OffsetKey, OffsetRecord>> stored) {}

  private record Restored(Map<Integer, Long> ends, Map<OffsetKey, OffsetRecord> records) {}

  // ---- the rebalance callbacks ------------------------------------------------------------------

  /** The group assigned {@code added}: restore their sessions, then poll them. Blocks until restored. */
  void assign(Set<Integer> added) {
    if (added.isEmpty()) {
      log.info("rebalance: generation {}, no partitions added; this instance owns {}", status.generation(),
          positions.assigned());
      return;
    }
    long t0 = System.nanoTime();
    positions.moved(added);
    Restored restored = commits.awaitValue(CompletableFuture.supplyAsync(() -> {
      Map<Integer, Long> ends = stable.await(added, null);
      return new Restored(ends, restore.apply(added));
    }, restorer), stable.timeout().plus(OffsetStore.DEFAULT_RESTORE_TIMEOUT), "restoring offsets partitions " + added);
    Map<OffsetKey, OffsetRecord> stored = restored.records();
    List<SessionState.Snapshot> snapshots = new ArrayList<>();
    for (OffsetRecord r : stored.values()) {
      if (r.key().source() == OffsetSource.EVENTS && !ownership.isHeld(r.key().sessionId())) {
        snapshots.add(SessionOffsetRecords.toSnapshot(r));
      }
    }
    listener.get().assigned(added, stored);
    sessions.restore(snapshots);
    positions.assigned(added, restored.ends());
    ownership.add(added);
    List<String> polled = new ArrayList<>();
    for (SessionState.Snapshot s : snapshots) {
      if (sessions.track(s.sessionId())) {
        polled.add(s.sessionId());
      }
    }
    for (String id : staticIds) {
      if (added.contains(ownership.partitionOf(id)) && sessions.track(id)) {
        polled.add(id);
      }
    }
    for (String org : closing.getAsBoolean() ? List.<String>of() : organizations) {
      sessions.scan(org).subscribe(n -> { }, e -> log.warn("discovery after the assignment of partitions {} failed:"
          + " {}; the next scan retries", added, e.toString()));
    }
    listener.get().owned(added);
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    status.rebalanced("assigned", added, snapshots.size(), polled);
    log.info("rebalance: generation {}, assigned partitions {} in {} ms: {} session(s) restored, {} now polled here{};"
        + " this instance owns {}", status.generation(), added, ms, snapshots.size(), polled.size(), sample(polled),
        positions.assigned());
  }

  /**
   * The group took {@code removed} away: {@code clean} when revoked (this member hands over), false
   * when lost (it was dropped from the group). Returns when nothing more is written for them.
   */
  void revoke(Set<Integer> removed, boolean clean) {
    if (removed.isEmpty()) {
      return;
    }
    long t0 = System.nanoTime();
    // At-least-once has nothing to fence, so lost partitions drain like revoked ones: the offsets of
    // pages already in Kafka still go out. Refusing them would only make the next owner (often this
    // member, rejoining after a broker restart) deliver those pages again.
    if (clean || !commits.exactlyOnce()) {
      ownership.drain(removed);
    } else {
      ownership.remove(removed);
    }
    positions.moved(removed);
    if (!clean) {
      // Lost: the group already gave them away, so nothing may be committed for them.
      positions.removed(removed);
    }
    List<String> ids = sessionsIn(removed);
    Mono<Void> stopping = Mono.when(sessions.stop(ids, revocationTimeout),
        listener.get().revoking(removed).timeout(revocationTimeout).onErrorResume(e -> {
          log.warn("partitions {}: the change sources did not finish their work within {}: {}", removed,
              revocationTimeout, e.toString());
          return Mono.empty();
        }));
    if (!failed.getAsBoolean()) {
      if (clean) {
        commits.commitNow(true);
      } else {
        commits.abortOpen(new IllegalStateException("this member lost partitions " + removed
            + " (dropped from the group)"));
      }
    }
    commits.await(stopping.toFuture(), revocationTimeout.plusSeconds(1));
    // Discovery may have started a poller just as ownership changed (its state existed, its poller did
    // not yet when stop() looked): stop whatever of these partitions still runs; stopping twice is harmless.
    Set<String> all = new TreeSet<>(ids);
    List<String> again = sessionsIn(removed);
    if (!again.isEmpty()) {
      commits.await(sessions.stop(again, revocationTimeout).toFuture(), revocationTimeout.plusSeconds(1));
      all.addAll(again);
    }
    // From here nothing more is written for these partitions: a poller that outlived the stop is
    // refused. Then the commit below closes the last transaction that may hold their records (pages
    // that completed while the pollers stopped), so once this callback returns no open transaction of
    // this instance touches them: the next owner's fencing (ZombieFencer) can only hit a dead or
    // dropped owner, never one that handed over cleanly.
    ownership.drained(removed);
    if (clean && !failed.getAsBoolean()) {
      commits.commitNow(true);
    }
    sessions.forget(all);
    List<String> lingering = all.stream().filter(sessions::has).toList();
    if (!lingering.isEmpty()) {
      holdUntilStopped(lingering);
    }
    if (clean) {
      positions.removed(removed);
    }
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    status.rebalanced(clean ? "revoked" : "lost", removed, all.size(), List.copyOf(all));
    log.info("rebalance: partitions {} {} ({} session(s) handed over in {} ms{}); this instance owns {}",
        removed, clean ? "revoked" : "lost", all.size(), ms, sample(all), positions.assigned());
  }

  private List<String> sessionsIn(Set<Integer> partitionIds) {
    List<String> out = new ArrayList<>();
    for (String id : sessions.sessionIds()) {
      if (partitionIds.contains(ownership.partitionOf(id))) {
        out.add(id);
      }
    }
    return out;
  }

  // ---- rebuilding sessions from their committed offsets -----------------------------------------

  /** A transaction was aborted or the producer failed ({@link CommitTimer}'s outcomes besides a commit). */
  void afterFailedCommit(Outcome outcome) {
    if (outcome instanceof Outcome.Aborted a) {
      log.warn("transaction {} aborted: {}; {} session(s) resume from their committed offsets{}", a.id(),
          a.cause() == null ? "?" : a.cause().getMessage(), a.dirty().size(), sample(a.dirty()));
      dropAndResume(a.dirty(), a.reload(), a.signal());
    } else if (outcome instanceof Outcome.Fatal f) {
      ownership.hold(f.dirty());
      sessions.stop(f.dirty(), revocationTimeout).subscribe(v -> { }, e -> { });
      f.signal().run();
      fatal.accept(new IllegalStateException("the transactional producer cannot continue: " + f.cause().getMessage()
          + "; this instance stops (its sessions move to the other instances, which resume from the committed"
          + " offsets; restart it to rejoin)", f.cause()));
    }
  }

  /**
   * @param reload sessions whose lifecycle records were in the aborted transaction: held back until
   *     the change sources have their committed state again ({@link PartitionListener#reloaded})
   */
  private void dropAndResume(Collection<String> ids, Set<String> reload, Runnable signal) {
    ownership.reloading(reload);
    if (ids.isEmpty()) {
      signal.run();
      resume(List.of(), reload);
      return;
    }
    List<String> list = List.copyOf(ids);
    ownership.hold(list);
    // Stop first: the pollers then end on the failed write instead of reading on from a cursor
    // that is ahead of what was committed.
    CompletableFuture<Void> stoppedPollers = sessions.stop(list, revocationTimeout).toFuture();
    signal.run();
    stoppedPollers.whenComplete((v, e) -> tasks.add(() -> forgetAndResume(list, reload)));
  }

  /** An offset record arrived for a transaction already aborted (called on a poller thread). */
  void onLateWrite(String sessionId) {
    stopThenResume(List.of(sessionId));
  }

  /** Sessions in the table whose partition this instance does not own: should not exist; stop them. */
  void reconcile() {
    List<String> stray = new ArrayList<>();
    for (String id : sessions.sessionIds()) {
      if (!ownership.ownsPartitionOf(id) && !ownership.isHeld(id)) {
        stray.add(id);
      }
    }
    if (stray.isEmpty()) {
      return;
    }
    log.warn("{} session(s) of partitions this instance does not own were still in its table; stopping them{}",
        stray.size(), sample(stray));
    stopThenResume(stray);
  }

  /** Holds the sessions, stops their pollers, then (member thread) forgets and resumes them. */
  private void stopThenResume(List<String> ids) {
    ownership.hold(ids);
    sessions.stop(ids, revocationTimeout).toFuture().whenComplete((v, e) -> tasks.add(
        () -> forgetAndResume(ids, Set.of())));
  }

  private void forgetAndResume(List<String> ids, Set<String> reload) {
    sessions.forget(ids);
    List<String> lingering = ids.stream().filter(sessions::has).toList();
    if (!lingering.isEmpty()) {
      holdUntilStopped(lingering);
    }
    resume(ids, reload);
  }

  /** Pollers that outlived the revocation timeout: held back until they end, then resumed if owned. */
  private void holdUntilStopped(List<String> ids) {
    ownership.hold(ids);
    log.warn("{} poller(s) still running after their partition was given up (a request that outlasts {}, or a"
        + " poller discovery started meanwhile); their sessions are held back until they stop{}", ids.size(),
        revocationTimeout, sample(ids));
    awaitHeldStop(ids);
  }

  /**
   * Forgets and resumes the held sessions once their pollers stopped. One still listed then (its
   * end signalled, not yet out of the table) is looked at again at the next poll: dropping it would
   * leave it held, never polled again.
   */
  private void awaitHeldStop(List<String> ids) {
    Runnable after = () -> tasks.add(() -> {
      sessions.forget(ids);
      List<String> running = ids.stream().filter(sessions::has).toList();
      if (!running.isEmpty()) {
        awaitHeldStop(running);
      }
      resume(ids.stream().filter(id -> !running.contains(id)).toList(), Set.of());
    });
    sessions.stop(ids, Duration.ofDays(1)).subscribe(v -> { }, e -> after.run(), after);
  }

  /**
   * Rebuilds sessions whose state was dropped (aborted transaction, late poller) from their committed
   * offsets. Non-blocking: the wait for stable offsets and the restore run on a helper thread, and
   * {@link #applyResumes} finishes the job on the member thread, which keeps polling meanwhile.
   */
  private void resume(List<String> ids, Set<String> reload) {
    List<String> mine = new ArrayList<>();
    List<String> gone = new ArrayList<>();
    for (String id : ids) {
      if (sessions.has(id)) {
        continue; // still running: holdUntilStopped resumes it
      }
      (ownership.ownsPartitionOf(id) ? mine : gone).add(id);
    }
    Set<String> toReload = new TreeSet<>();
    for (String id : reload) {
      if (ownership.ownsPartitionOf(id)) {
        toReload.add(id);
      } else {
        ownership.reloaded(List.of(id)); // moved meanwhile: its new owner restores it
      }
    }
    ownership.release(gone);
    if (mine.isEmpty() && toReload.isEmpty()) {
      return;
    }
    Set<Integer> parts = new TreeSet<>();
    mine.forEach(id -> parts.add(ownership.partitionOf(id)));
    toReload.forEach(id -> parts.add(ownership.partitionOf(id)));
    Map<Integer, Long> minimums = positions.minimums(parts);
    Map<Integer, Long> epochsAtStart = positions.epochs(parts);
    CompletableFuture<Map<OffsetKey, OffsetRecord>> stored = CompletableFuture.supplyAsync(() -> {
      stable.await(parts, minimums);
      return restore.apply(parts);
    }, restorer);
    pendingResumes.add(new PendingResume(List.copyOf(mine), Set.copyOf(toReload), epochsAtStart, stored));
  }

  /** Runs the follow-ups queued by other threads (member thread, once per poll). */
  void runTasks() {
    // Only those queued before: a task that queues itself again waits for the next poll.
    for (int n = tasks.size(); n > 0 && !failed.getAsBoolean(); n--) {
      Runnable r = tasks.poll();
      if (r == null) {
        return;
      }
      r.run();
    }
  }

  /** Finishes the resumes whose restore is done (member thread, once per poll). */
  void applyResumes() {
    if (pendingResumes.isEmpty()) {
      return;
    }
    List<PendingResume> done = pendingResumes.stream().filter(r -> r.stored().isDone()).toList();
    pendingResumes.removeAll(done);
    for (PendingResume r : done) {
      Map<OffsetKey, OffsetRecord> stored;
      try {
        stored = r.stored().join();
      } catch (RuntimeException e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        if (cause instanceof HangingTransactionException) {
          fatal.accept(cause);
          return;
        }
        log.warn("resuming {} session(s) failed ({}); trying again", r.ids().size(), cause.toString());
        resume(r.ids(), r.reload());
        continue;
      }
      if (positions.movedSince(r.epochs())) {
        resume(r.ids(), r.reload()); // a partition moved meanwhile: what was read may be old
        continue;
      }
      List<SessionState.Snapshot> snapshots = new ArrayList<>();
      List<String> mine = new ArrayList<>();
      for (String id : r.ids()) {
        if (ownership.ownsPartitionOf(id) && !sessions.has(id)) {
          mine.add(id);
          OffsetRecord rec = stored.get(OffsetKey.events(id));
          if (rec != null) {
            snapshots.add(SessionOffsetRecords.toSnapshot(rec));
          }
        }
      }
      sessions.restore(snapshots);
      Set<String> reload = r.reload().stream().filter(ownership::ownsPartitionOf)
          .collect(Collectors.toCollection(TreeSet::new));
      if (!reload.isEmpty()) {
        // Before they are released: their lifecycle state goes back to what was committed.
        listener.get().reloaded(reload, stored);
        log.info("{} session(s) with lifecycle records in an aborted transaction: their committed lifecycle state"
            + " restored{}", reload.size(), sample(reload));
      }
      ownership.release(r.ids());
      ownership.reloaded(r.reload());
      int polled = 0;
      for (String id : mine) {
        if (sessions.track(id)) {
          polled++;
        }
      }
      log.info("{} session(s) resumed from their committed offsets, {} polled again{}", mine.size(), polled,
          sample(mine));
    }
  }

  /** Whether resumes are still waiting for their restore (tests). */
  boolean resuming() {
    return !pendingResumes.isEmpty();
  }

  static String sample(Collection<String> ids) {
    if (ids.isEmpty()) {
      return "";
    }
    List<String> list = new ArrayList<>(new TreeSet<>(ids));
    int n = MemberStatus.SAMPLE;
    String head = String.join(", ", list.subList(0, Math.min(n, list.size())));
    return ": " + head + (list.size() > n ? ", … (" + (list.size() - n) + " more)" : "");
  }
}

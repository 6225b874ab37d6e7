package com.qoder.kafka.source;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.qoder.kafka.api.Page;
import com.qoder.kafka.api.QoderApi;
import com.qoder.kafka.api.QoderApiException;
import com.qoder.kafka.api.QoderFile;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Change-data-capture of the account's files (document 001): one record keyed by {@code file_id}
 * per new or changed file, and a tombstone for a file that disappeared.
 *
 * <h2>Rounds</h2>
 * <ul>
 *   <li><b>Incremental</b> (every {@code interval}): files are listed newest first, so the first
 *       page starts with whatever was created since the last round. The source asks for a small
 *       page ({@code pageSize}) and stops as soon as it reaches the high-water mark — the newest
 *       file of the last complete walk (id and {@code created_at}) — or a file created before it; in
 *       a steady state that is ONE small request. Only when a whole page is new does it continue
 *       ({@code after=<last_id>}, 100 per page), down to the mark however many files that is (a burst
 *       after an outage): every file above the mark the window does not hold is new, whatever the
 *       window's floor, and the walk's position — its top, and the last file it passed with the ids
 *       passed at that file's instant — is stored after each page, so a walk interrupted by a
 *       failure, a restart or a rebalance resumes where it stood. The top becomes the mark when the
 *       walk reaches the old one.
 *   <li><b>Full re-scan</b> (the first round, then every {@code fullRescanInterval}, after the
 *       incremental walk): walks every file (100 per page) to catch updates of older files, and
 *       files no longer listed get a tombstone (null value, key {@code file_id}; the files topic is
 *       compacted by default). Files newer than the mark are left to the incremental walk.
 * </ul>
 *
 * <h2>State</h2>
 * Stored under {@code files/<purpose|all>}: the high-water mark (cursor = its file id, attribute
 * with its {@code created_at}), the incremental walk in progress if any, the time of the last full
 * re-scan, and an {@link ItemWindow} of file id → creation time and fingerprint of the documented
 * fields (status, metadata, size, {@code updated_at}, …), written after each acknowledged page with
 * changes. The window holds the {@code maxTracked} newest files: older ones are delivered once (the
 * first full scan emits every file, resumable through a backfill position; later ones through the
 * incremental walk's position) but their later updates and deletions are not detected — see
 * {@link ItemWindow} for the size of the record. Memory is bounded by {@code maxTracked} and a page,
 * never by the size of a burst.
 *
 * <p>A cursor rejected with 400 (the file named by {@code after} was deleted during the walk)
 * restarts the walk from the newest file: a full walk relies on the window to drop what was
 * delivered; an incremental walk skips down to its stored position (files of that position's
 * instant beyond {@link FilesPosition#MAX_TIE_IDS} may then be produced once more).
 *
 * <p>Thread-safety: rounds never overlap ({@link PollLoop}); all state is touched by the round.
 */
public final class FilesSource {

  private static final Logger log = LoggerFactory.getLogger(FilesSource.class);
  private static final int FULL_PAGE = QoderApi.LIST_MAX_LIMIT;
  private static final int MAX_WALKS = 3;

  /**
   * How files are polled.
   *
   * @param interval pause between rounds
   * @param fullRescanInterval how often every file is listed again (updates of older files, deletions)
   * @param purpose the {@code purpose} filter, or null for every file
   * @param pageSize {@code limit} of an incremental round's first request (1–100)
   * @param maxTracked files remembered for change detection ({@link ItemWindow} capacity)
   */
  public record Options(Duration interval, Duration fullRescanInterval, String purpose, int pageSize,
      int maxTracked) {
    public Options {
      if (pageSize < 1 || pageSize > QoderApi.LIST_MAX_LIMIT) {
        throw new IllegalArgumentException("files page size must be 1–" + QoderApi.LIST_MAX_LIMIT + ", was "
            + pageSize);
      }
      if (maxTracked < 1) {
        throw new IllegalArgumentException("maxTracked must be positive");
      }
      if (fullRescanInterval.isNegative() || fullRescanInterval.isZero()) {
        throw new IllegalArgumentException("the full re-scan interval must be positive");
      }
      purpose = purpose == null || purpose.isBlank() ? null : purpose;
    }

    /** The entity of the offset key: the purpose, or {@code all}. */
    public String entity() {
      return purpose == null ? "all" : purpose;
    }
  }

  private final QoderApi api;
  private final ChangeDelivery delivery;
  private final CheckpointWriter offsets;
  private final Options options;
  private final BooleanSupplier owned;
  private final Clock clock;
  private final PollLoop loop;
  // State, touched only by the round in progress; its stored form is FilesPosition's.
  private final FilesPosition pos;
  /**
   * Full scans asked for (resync-files signals) and the number of those a finished scan answered:
   * while fewer were answered, the next round runs one whatever the interval. Counted, not a flag: a
   * request made while a scan is under way is answered only by a scan that starts after it (the one
   * under way may have read its pages already).
   */
  private final AtomicLong fullScansAsked = new AtomicLong();
  private volatile long fullScansAnswered;
  /** A position handed over by a rebalance, applied by the next round (rounds own the state). */
  private final AtomicReference<Checkpoint> reassigned = new AtomicReference<>();
  private volatile long fullScans;

  public FilesSource(QoderApi api, ChangeDelivery delivery, CheckpointWriter offsets, Options options,
      BooleanSupplier owned, Consumer<Throwable> onFatal) {
    this(api, delivery, offsets, options, owned, onFatal, Clock.systemUTC());
  }

  FilesSource(QoderApi api, ChangeDelivery delivery, CheckpointWriter offsets, Options options,
      BooleanSupplier owned, Consumer<Throwable> onFatal, Clock clock) {
    this.api = api;
    this.delivery = delivery;
    this.offsets = offsets;
    this.options = options;
    this.owned = owned;
    this.clock = clock;
    this.pos = new FilesPosition(options.entity(), options.maxTracked());
    this.loop = new PollLoop("files source (" + options.entity() + ")", options.interval(), this::round, onFatal);
  }

  /**
   * Restores the stored position; call before {@link #start()}.
   *
   * @throws IllegalArgumentException when the stored record is corrupt
   */
  public void restore(Checkpoint c) {
    pos.decode(c); // fail at start-up on a corrupt record
    pos.apply(c);
  }

  /**
   * The files key's offsets partition was (re)assigned to this instance: the next round starts from
   * {@code stored} — the position its previous owner left — or from scratch when there is none, never
   * from what this instance remembered from an earlier ownership. Thread-safe.
   *
   * @throws IllegalArgumentException when the stored record is corrupt
   */
  public void reassigned(Checkpoint stored) {
    Checkpoint c = stored != null ? stored : FilesPosition.empty(options.entity());
    pos.decode(c);
    reassigned.set(c);
  }

  public void start() {
    loop.start();
  }

  /** Completes when the round in progress, if any, has ended. */
  public Mono<Void> idle() {
    return loop.idle();
  }

  public void wakeUp() {
    loop.wakeUp();
  }

  /** Runs a full scan of the files list at the next round, which starts now (a resync-files signal). */
  public void fullScanNow() {
    fullScansAsked.incrementAndGet();
    loop.wakeUp();
  }

  public long rounds() {
    return loop.rounds();
  }

  public long fullScans() {
    return fullScans;
  }

  public Mono<Void> stop() {
    return loop.stop();
  }

  Mono<Void> round() {
    if (!owned.getAsBoolean()) {
      return Mono.empty(); // another instance owns files/<purpose> (scale-out)
    }
    Checkpoint moved = reassigned.getAndSet(null);
    if (moved != null) {
      pos.apply(moved); // the position as the previous owner left it (rebalance)
    }
    if (!pos.backfilled) {
      return walk(new FilesWalk(true));
    }
    // New files first, to the end of the burst, so that a full scan only ever sees files at or below
    // the high-water mark: what is above it is the incremental walk's, whose position is stored.
    FilesWalk incremental = new FilesWalk(false);
    return walk(incremental).then(Mono.defer(() -> incremental.complete
        && (fullScansAsked.get() > fullScansAnswered || clock.millis() - pos.lastFullScanMillis >= options.fullRescanInterval().toMillis())
        ? walk(new FilesWalk(true)) : Mono.empty()));
  }

  private Mono<Void> walk(FilesWalk w) {
    if (!w.full && pos.walkAfterId != null) {
      w.after = pos.walkAfterId; // resume the walk in progress where it stood
    }
    long asked = fullScansAsked.get(); // the requests this walk answers, if it is a full one that ends
    // Ownership is checked before each page: a partition being given up waits for one page, not a walk.
    return Mono.defer(() -> step(w))
        .repeat(() -> !w.done && owned.getAsBoolean())
        .then(Mono.defer(() -> finish(w, asked)));
  }

  private Mono<Void> step(FilesWalk w) {
    boolean usedCursor = w.after != null;
    int limit = w.full || w.requests > 0 || usedCursor ? FULL_PAGE : options.pageSize();
    w.requests++;
    return api.filesPage(options.purpose(), w.after, null, limit)
        .flatMap(page -> w.full ? handleFull(w, page) : handleIncremental(w, page))
        .onErrorResume(QoderApiException.InvalidRequest.class, e -> {
          if (!usedCursor || w.walks >= MAX_WALKS) {
            return Mono.error(e);
          }
          w.walks++;
          w.after = null;
          w.seen.clear();
          w.passedHwm = false;
          // An incremental walk in progress skips, from the newest file down to where it stood, what it
          // already delivered (and what is newer than its top: the next walk's).
          w.seeking = !w.full && pos.walkAfterId != null;
          log.warn("files: cursor rejected ({}); listing again from the newest file{}", e.getMessage(),
              w.seeking ? " down to where the walk stood" : "");
          return Mono.empty();
        });
  }

  /**
   * A page of the walk from the newest file down to the high-water mark. Every file on the way that
   * the window does not hold is new, whatever the window's floor: the window keeps only the newest
   * {@code maxTracked}, and a burst larger than that must not shadow its own older half. The walk's
   * position (its top and the last file it passed) is stored after each page, so a burst of any size
   * is walked to its end across rounds, restarts and rebalances, with memory bounded by a page.
   */
  private Mono<Void> handleIncremental(FilesWalk w, Page<QoderFile> page) {
    Instant now = Instant.now();
    List<ItemChange> changes = new ArrayList<>();
    Map<String, long[]> tracked = new HashMap<>(); // id → {created, fingerprint}
    boolean reached = false;
    String top = null;
    long topCreated = ItemWindow.UNKNOWN;
    String last = null;
    long lastCreated = ItemWindow.UNKNOWN;
    List<String> lastIds = new ArrayList<>();
    for (QoderFile f : page.data()) {
      long created = Fingerprints.timestamp(f.json(), "created_at");
      boolean first = pos.walkTopId == null && w.requests == 1 && f == page.data().get(0);
      if (pos.reachedHighWaterMark(f.id(), created)) {
        reached = true;
        break;
      }
      if (first) {
        top = f.id(); // the newest file: the top of a new walk, the high-water mark once it is done
        topCreated = created;
      }
      if (w.seeking) {
        if (f.id().equals(pos.walkAfterId)) {
          w.seeking = false; // the file the walk stood at: delivered; what follows is not
          continue;
        }
        if (created == ItemWindow.UNKNOWN || created > pos.walkAfterCreated
            || (created == pos.walkAfterCreated && pos.walkAfterIds.contains(f.id()))) {
          continue; // delivered by this walk, or newer than its top (the next walk's)
        }
        if (created < pos.walkAfterCreated) {
          w.seeking = false;
        }
        // At the position's instant and not known as delivered: handled (at worst once more).
      }
      if (!w.seen.add(f.id())) {
        continue;
      }
      if (created != lastCreated) {
        lastIds.clear();
      }
      last = f.id();
      lastCreated = created;
      lastIds.add(f.id());
      long fp = Fingerprints.of(f.json(), Fingerprints.FILE_FIELDS);
      String change = switch (pos.window.classify(f.id(), created, fp)) {
        case NEW, OUTSIDE -> ItemChange.CREATED; // above the high-water mark: never delivered
        case CHANGED -> ItemChange.UPDATED;
        case UNCHANGED -> null;
      };
      if (change != null) {
        changes.add(new ItemChange(ChangeSource.FILES, f.id(), f.id(), change, f.json(),
            f.id() + "/" + Fingerprints.hex(fp), now));
        tracked.put(f.id(), new long[] {created, fp});
      }
    }
    if (w.seen.size() > FULL_PAGE) {
      w.seen.clear(); // only to drop a file listed twice on one page; the stored position does the rest
    }
    w.advance(page, reached);
    String newTop = top;
    long newTopCreated = topCreated;
    String passed = last;
    long passedCreated = lastCreated;
    boolean stillSeeking = w.seeking;
    Mono<ChangeDelivery.Report> sent = changes.isEmpty() ? Mono.just(ChangeDelivery.Report.NONE)
        : delivery.deliver(changes);
    return sent.flatMap(report -> {
      // Acknowledged: these files are delivered; the walk stands after them.
      tracked.forEach((id, cf) -> pos.window.put(id, cf[0], cf[1]));
      pos.count(report);
      boolean moved = !changes.isEmpty();
      if (newTop != null) {
        pos.walkTopId = newTop;
        pos.walkTopCreated = newTopCreated;
        moved = true;
      }
      if (w.complete) {
        return Mono.<Void>empty(); // finish() makes the top the high-water mark and stores it
      }
      if (passed != null && !stillSeeking) {
        pos.walkedPast(passed, passedCreated, lastIds);
        moved = true;
      }
      return moved ? write(pos.checkpoint()) : Mono.<Void>empty();
    });
  }

  /** A page of a full walk: changes of watched files, and (first scan) every file once. */
  private Mono<Void> handleFull(FilesWalk w, Page<QoderFile> page) {
    Instant now = Instant.now();
    List<ItemChange> changes = new ArrayList<>();
    Map<String, long[]> tracked = new HashMap<>(); // id → {created, fingerprint}
    long lowest = Long.MAX_VALUE;
    Set<String> lowestIds = new LinkedHashSet<>();
    boolean reached = false;
    for (QoderFile f : page.data()) {
      long created = Fingerprints.timestamp(f.json(), "created_at");
      if (w.newestId == null) {
        w.newestId = f.id();
        w.newestCreated = created;
      }
      if (pos.backfilled && pos.hwmId != null && !w.passedHwm) {
        if (f.id().equals(pos.hwmId) || pos.hwmCreated == ItemWindow.UNKNOWN
            || (created != ItemWindow.UNKNOWN && created < pos.hwmCreated)) {
          w.passedHwm = true;
        } else if (created == ItemWindow.UNKNOWN || created >= pos.hwmCreated) {
          w.seen.add(f.id()); // created since the incremental walk: its next round reports it
          continue;
        }
      }
      if (pos.backfilled && pos.window.floor() != ItemWindow.UNKNOWN && created != ItemWindow.UNKNOWN
          && created < pos.window.floor()) {
        reached = true; // newest first: every file from here on is older than anything watched
        break;
      }
      if (w.seen.contains(f.id())) {
        continue;
      }
      if (created < lowest) {
        lowest = created;
        lowestIds.clear();
      }
      if (created == lowest) {
        lowestIds.add(f.id());
      }
      long fp = Fingerprints.of(f.json(), Fingerprints.FILE_FIELDS);
      ItemWindow.Verdict v = pos.window.classify(f.id(), created, fp);
      if (v != ItemWindow.Verdict.OUTSIDE) {
        w.seen.add(f.id()); // watched files only: what the tombstones are decided from
      }
      String change = switch (v) {
        case NEW -> ItemChange.CREATED;
        case CHANGED -> ItemChange.UPDATED;
        case UNCHANGED -> null;
        case OUTSIDE -> !pos.backfilled && pos.notYetBackfilled(f.id(), created) ? ItemChange.CREATED : null;
      };
      if (change != null) {
        changes.add(new ItemChange(ChangeSource.FILES, f.id(), f.id(), change, f.json(),
            f.id() + "/" + Fingerprints.hex(fp), now));
        if (v != ItemWindow.Verdict.OUTSIDE) {
          tracked.put(f.id(), new long[] {created, fp});
        }
      }
    }
    w.advance(page, reached);
    boolean backfilling = !pos.backfilled && lowest != Long.MAX_VALUE;
    long lowestFinal = lowest;
    if (changes.isEmpty() && !backfilling) {
      return Mono.empty();
    }
    Mono<ChangeDelivery.Report> sent = changes.isEmpty() ? Mono.just(ChangeDelivery.Report.NONE)
        : delivery.deliver(changes);
    return sent.flatMap(report -> {
      // Acknowledged: these files are now in the window (or behind the backfill position).
      tracked.forEach((id, cf) -> pos.window.put(id, cf[0], cf[1]));
      if (backfilling) {
        pos.moveBackfillPosition(lowestFinal, lowestIds);
      }
      pos.count(report);
      return write(pos.checkpoint());
    });
  }


  private Mono<Void> finish(FilesWalk w, long asked) {
    if (!w.complete) {
      return Mono.empty();
    }
    if (!w.full) {
      // The walk reached the previous high-water mark: its top is the new one.
      String top = pos.walkTopId;
      if (top == null) {
        return Mono.empty(); // nothing new: the first file was the mark
      }
      pos.hwmId = top;
      pos.hwmCreated = pos.walkTopCreated;
      pos.clearWalk();
      return write(pos.checkpoint());
    }
    List<ItemChange> tombstones = new ArrayList<>();
    Instant now = Instant.now();
    List<String> ids = new ArrayList<>(pos.window.ids());
    ids.sort(null);
    for (String id : ids) {
      if (!w.seen.contains(id)) {
        tombstones.add(new ItemChange(ChangeSource.FILES, id, id, ItemChange.DELETED,
            JsonNodeFactory.instance.objectNode().put("file_id", id), id + "/deleted", now));
      }
    }
    Mono<ChangeDelivery.Report> sent = tombstones.isEmpty() ? Mono.just(ChangeDelivery.Report.NONE)
        : delivery.deliver(tombstones);
    return sent.flatMap(report -> {
      tombstones.forEach(t -> pos.window.remove(t.id()));
      pos.count(report);
      if (!pos.backfilled) {
        // The first scan walked everything below its newest file: new files are counted from there.
        if (w.newestId != null) {
          pos.hwmId = w.newestId;
          pos.hwmCreated = w.newestCreated;
        }
        pos.clearWalk();
        log.info("files ({}): first full scan done, {} file(s) watched", options.entity(), pos.window.size());
      }
      pos.fullScanDone(clock.millis());
      fullScansAnswered = Math.max(fullScansAnswered, asked);
      fullScans++;
      return write(pos.checkpoint());
    });
  }


  /**
   * Stores the position. Exactly-once, a write whose transaction was aborted took the records
   * delivered with it along: the state goes back to the last committed position before the error
   * ends the round, so the next round observes those files again.
   */
  private Mono<Void> write(Checkpoint c) {
    return offsets.write(c)
        .doOnSuccess(v -> pos.committed = c)
        .onErrorResume(WriteAbortedException.class, e -> {
          pos.apply(pos.committed);
          return Mono.error(e);
        });
  }

}

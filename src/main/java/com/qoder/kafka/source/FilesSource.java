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
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 *       file it has delivered (id and {@code created_at}) — or a file created before it; in a
 *       steady state that is ONE small request. Only when a whole page is new does it continue
 *       ({@code after=<last_id>}, 100 per page).
 *   <li><b>Full re-scan</b> (the first round, then every {@code fullRescanInterval}): walks every
 *       file (100 per page) to catch updates of older files, and files no longer listed get a
 *       tombstone (null value, key {@code file_id}; the files topic is compacted by default).
 * </ul>
 *
 * <h2>State</h2>
 * Stored under {@code files/<purpose|all>}: the high-water mark (cursor = its file id, attribute
 * with its {@code created_at}), the time of the last full re-scan, and an {@link ItemWindow} of
 * file id → creation time and fingerprint of the documented fields (status, metadata, size,
 * {@code updated_at}, …), written after each acknowledged page with changes. The window holds the
 * {@code maxTracked} newest files: older ones are delivered once (the first full scan emits every
 * file, resumable through a backfill position) but their later updates and deletions are not
 * detected — see {@link ItemWindow} for the size of the record.
 *
 * <p>A cursor rejected with 400 (the file named by {@code after} was deleted during the walk)
 * restarts the walk from the newest file; the window drops what was delivered.
 *
 * <p>Thread-safety: rounds never overlap ({@link PollLoop}); all state is touched by the round.
 */
public final class FilesSource {

  private static final Logger log = LoggerFactory.getLogger(FilesSource.class);
  static final String WINDOW = "window";
  static final String HWM_CREATED = "hwm_created_at_ns";
  static final String LAST_FULL_SCAN = "last_full_scan_ms";
  static final String BACKFILLED = "backfilled";
  static final String BACKFILL_POSITION = "backfill_position_ns";
  static final String BACKFILL_IDS = "backfill_ids";
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

  // State, touched only by the round in progress.
  private ItemWindow window;
  private String hwmId;
  private long hwmCreated = ItemWindow.UNKNOWN;
  private long lastFullScanMillis;
  private boolean backfilled;
  private long backfillPosition = Long.MAX_VALUE; // files created before it were not handled by the backfill yet
  private Set<String> backfillIds = new HashSet<>(); // handled files created exactly at the position
  private long delivered;
  private long deadLettered;
  private volatile long fullScans;

  /** Where one walk stands. */
  private static final class Walk {
    final boolean full;
    final Set<String> seen = new HashSet<>();
    String after;
    String newestId;
    long newestCreated = ItemWindow.UNKNOWN;
    boolean done;
    boolean complete;
    int walks = 1;
    int requests;

    Walk(boolean full) {
      this.full = full;
    }
  }

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
    this.window = new ItemWindow(options.maxTracked());
    this.loop = new PollLoop("files source (" + options.entity() + ")", options.interval(), this::round, onFatal);
  }

  /**
   * Restores the stored position; call before {@link #start()}.
   *
   * @throws IllegalArgumentException when the stored record is corrupt
   */
  public void restore(Checkpoint c) {
    String key = "files/" + c.entity();
    try {
      window = ItemWindow.decode(c.attribute(WINDOW, ""), options.maxTracked());
      hwmId = c.cursor();
      hwmCreated = parseLong(c.attribute(HWM_CREATED, null), ItemWindow.UNKNOWN);
      lastFullScanMillis = parseLong(c.attribute(LAST_FULL_SCAN, null), 0);
      backfilled = Boolean.parseBoolean(c.attribute(BACKFILLED, "false"));
      backfillPosition = parseLong(c.attribute(BACKFILL_POSITION, null), Long.MAX_VALUE);
      String ids = c.attribute(BACKFILL_IDS, "");
      backfillIds = ids.isEmpty() ? new HashSet<>() : new HashSet<>(Arrays.asList(ids.split(" ")));
      delivered = c.delivered();
      deadLettered = c.deadLettered();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("offset record " + key + ": " + e.getMessage()
          + "; delete the key to list the files again from scratch", e);
    }
  }

  public void start() {
    loop.start();
  }

  public void wakeUp() {
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
    boolean full = !backfilled
        || clock.millis() - lastFullScanMillis >= options.fullRescanInterval().toMillis();
    Walk w = new Walk(full);
    return Mono.defer(() -> step(w))
        .repeat(() -> !w.done)
        .then(Mono.defer(() -> finish(w)));
  }

  private Mono<Void> step(Walk w) {
    boolean usedCursor = w.after != null;
    int limit = w.full || w.requests > 0 ? FULL_PAGE : options.pageSize();
    w.requests++;
    return api.filesPage(options.purpose(), w.after, null, limit)
        .flatMap(page -> handle(w, page))
        .onErrorResume(QoderApiException.InvalidRequest.class, e -> {
          if (!usedCursor || w.walks >= MAX_WALKS) {
            return Mono.error(e);
          }
          w.walks++;
          w.after = null;
          w.seen.clear();
          log.warn("files: cursor rejected ({}); listing again from the newest file", e.getMessage());
          return Mono.empty();
        });
  }

  private Mono<Void> handle(Walk w, Page<QoderFile> page) {
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
      if (!w.full && reachedHighWaterMark(f.id(), created)) {
        reached = true;
        break;
      }
      if (w.full && backfilled && window.floor() != ItemWindow.UNKNOWN && created != ItemWindow.UNKNOWN
          && created < window.floor()) {
        reached = true; // newest first: every file from here on is older than anything watched
        break;
      }
      if (!w.seen.add(f.id())) {
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
      ItemWindow.Verdict v = window.classify(f.id(), created, fp);
      String change = switch (v) {
        case NEW -> ItemChange.CREATED;
        case CHANGED -> ItemChange.UPDATED;
        case UNCHANGED -> null;
        case OUTSIDE -> w.full && !backfilled && notYetBackfilled(f.id(), created) ? ItemChange.CREATED : null;
      };
      if (change != null) {
        changes.add(new ItemChange(ChangeSource.FILES, f.id(), f.id(), change, f.json(),
            f.id() + "/" + Fingerprints.hex(fp), now));
        if (v != ItemWindow.Verdict.OUTSIDE) {
          tracked.put(f.id(), new long[] {created, fp});
        }
      }
    }
    advance(w, page, reached);
    boolean backfilling = w.full && !backfilled && lowest != Long.MAX_VALUE;
    long lowestFinal = lowest;
    if (changes.isEmpty() && !backfilling) {
      return Mono.empty();
    }
    Mono<ChangeDelivery.Report> sent = changes.isEmpty() ? Mono.just(ChangeDelivery.Report.NONE)
        : delivery.deliver(changes);
    return sent.flatMap(report -> {
      // Acknowledged: these files are now in the window (or behind the backfill position).
      tracked.forEach((id, cf) -> window.put(id, cf[0], cf[1]));
      if (backfilling) {
        moveBackfillPosition(lowestFinal, lowestIds);
      }
      delivered += report.delivered();
      deadLettered += report.deadLettered();
      return offsets.write(checkpoint());
    });
  }

  private boolean reachedHighWaterMark(String id, long created) {
    if (hwmId == null) {
      return false;
    }
    return id.equals(hwmId)
        || (created != ItemWindow.UNKNOWN && hwmCreated != ItemWindow.UNKNOWN && created < hwmCreated);
  }

  /** During the first full scan: was this file, outside the window, not delivered yet? */
  private boolean notYetBackfilled(String id, long created) {
    return created < backfillPosition || (created == backfillPosition && !backfillIds.contains(id));
  }

  private void moveBackfillPosition(long lowest, Set<String> lowestIds) {
    if (lowest < backfillPosition) {
      backfillPosition = lowest;
      backfillIds = new HashSet<>(lowestIds);
    } else if (lowest == backfillPosition) {
      backfillIds.addAll(lowestIds);
    }
  }

  private static void advance(Walk w, Page<QoderFile> page, boolean reached) {
    if (reached || !page.hasMore()) {
      w.done = true;
      w.complete = true;
    } else if (page.lastId() == null) {
      w.done = true; // has_more without a cursor: incomplete, no deletions this time
    } else {
      w.after = page.lastId();
    }
  }

  private Mono<Void> finish(Walk w) {
    if (!w.complete) {
      return Mono.empty();
    }
    List<ItemChange> tombstones = new ArrayList<>();
    if (w.full) {
      Instant now = Instant.now();
      List<String> ids = new ArrayList<>(window.ids());
      ids.sort(null);
      for (String id : ids) {
        if (!w.seen.contains(id)) {
          tombstones.add(new ItemChange(ChangeSource.FILES, id, id, ItemChange.DELETED,
              JsonNodeFactory.instance.objectNode().put("file_id", id), id + "/deleted", now));
        }
      }
    }
    Mono<ChangeDelivery.Report> sent = tombstones.isEmpty() ? Mono.just(ChangeDelivery.Report.NONE)
        : delivery.deliver(tombstones);
    return sent.flatMap(report -> {
      tombstones.forEach(t -> window.remove(t.id()));
      delivered += report.delivered();
      deadLettered += report.deadLettered();
      boolean moved = false;
      if (w.newestId != null && !w.newestId.equals(hwmId)) {
        hwmId = w.newestId;
        hwmCreated = w.newestCreated;
        moved = true;
      }
      if (w.full) {
        if (!backfilled) {
          log.info("files ({}): first full scan done, {} file(s) watched", options.entity(), window.size());
        }
        backfilled = true;
        backfillPosition = Long.MAX_VALUE;
        backfillIds = new HashSet<>();
        lastFullScanMillis = clock.millis();
        fullScans++;
        moved = true;
      }
      return moved || !tombstones.isEmpty() ? offsets.write(checkpoint()) : Mono.<Void>empty();
    });
  }

  private Checkpoint checkpoint() {
    Map<String, String> a = new HashMap<>();
    a.put(WINDOW, window.encode());
    if (hwmCreated != ItemWindow.UNKNOWN) {
      a.put(HWM_CREATED, Long.toString(hwmCreated));
    }
    a.put(LAST_FULL_SCAN, Long.toString(lastFullScanMillis));
    a.put(BACKFILLED, Boolean.toString(backfilled));
    if (!backfilled && backfillPosition != Long.MAX_VALUE) {
      a.put(BACKFILL_POSITION, Long.toString(backfillPosition));
      List<String> ids = new ArrayList<>(backfillIds);
      ids.sort(null);
      a.put(BACKFILL_IDS, String.join(" ", ids));
    }
    return new Checkpoint(ChangeSource.FILES, options.entity(), hwmId, delivered, deadLettered, a);
  }

  private static long parseLong(String text, long fallback) {
    if (text == null || text.isEmpty()) {
      return fallback;
    }
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("malformed number '" + text + "'");
    }
  }
}

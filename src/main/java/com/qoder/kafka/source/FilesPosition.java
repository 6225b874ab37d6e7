package com.qoder.kafka.source;

import com.qoder.kafka.api.QoderApi;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where the {@link FilesSource} stands, and its offset record {@code files/<purpose|all>}: the
 * high-water mark, the first scan's backfill position, the incremental walk in progress, the window
 * and the counters. Kept apart from the walk so that what is stored, and how it is read back, is in
 * one place.
 *
 * <p>Not thread-safe: touched only by the round in progress.
 */
final class FilesPosition {

  static final String WINDOW = "window";
  static final String HWM_CREATED = "hwm_created_at_ns";
  static final String LAST_FULL_SCAN = "last_full_scan_ms";
  static final String BACKFILLED = "backfilled";
  static final String BACKFILL_POSITION = "backfill_position_ns";
  static final String BACKFILL_IDS = "backfill_ids";
  static final String WALK_TOP = "walk_top";
  static final String WALK_TOP_CREATED = "walk_top_created_ns";
  static final String WALK_AFTER = "walk_after";
  static final String WALK_AFTER_CREATED = "walk_after_created_ns";
  static final String WALK_AFTER_IDS = "walk_after_ids";
  /**
   * Ids remembered at the walk position's instant (about 40 bytes each in the offset record). Only a
   * walk whose cursor was rejected needs them; beyond them, files of that one instant may be produced
   * once more — never lost.
   */
  static final int MAX_TIE_IDS = QoderApi.LIST_MAX_LIMIT;

  private final String entity;
  private final int maxTracked;

  ItemWindow window;
  String hwmId;
  long hwmCreated = ItemWindow.UNKNOWN;
  long lastFullScanMillis;
  boolean backfilled;
  long backfillPosition = Long.MAX_VALUE; // files created before it were not handled by the backfill yet
  Set<String> backfillIds = new HashSet<>(); // handled files created exactly at the position
  // The incremental walk in progress (null top: none): from its top (the newest file when it began)
  // down to the high-water mark; it stands after walkAfterId, and the files created at that instant it
  // passed are walkAfterIds.
  String walkTopId;
  long walkTopCreated = ItemWindow.UNKNOWN;
  String walkAfterId;
  long walkAfterCreated = ItemWindow.UNKNOWN;
  Set<String> walkAfterIds = new LinkedHashSet<>();
  /** The last position known to be stored (exactly-once: committed), where an aborted write goes back to. */
  Checkpoint committed;
  long delivered;
  long deadLettered;

  FilesPosition(String entity, int maxTracked) {
    this.entity = entity;
    this.maxTracked = maxTracked;
    this.window = new ItemWindow(maxTracked);
    this.committed = empty(entity);
  }

  static Checkpoint empty(String entity) {
    return new Checkpoint(ChangeSource.FILES, entity, null, 0, 0, Map.of());
  }

  /**
   * Checks a stored record without applying it.
   *
   * @throws IllegalArgumentException when the stored record is corrupt
   */
  void decode(Checkpoint c) {
    try {
      ItemWindow.decode(c.attribute(WINDOW, ""), maxTracked);
      for (String n : List.of(HWM_CREATED, LAST_FULL_SCAN, BACKFILL_POSITION, WALK_TOP_CREATED, WALK_AFTER_CREATED)) {
        parseLong(c.attribute(n, null), 0);
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("offset record files/" + c.entity() + ": " + e.getMessage()
          + "; delete the key to list the files again from scratch", e);
    }
  }

  void apply(Checkpoint c) {
    committed = c;
    window = ItemWindow.decode(c.attribute(WINDOW, ""), maxTracked);
    hwmId = c.cursor();
    hwmCreated = parseLong(c.attribute(HWM_CREATED, null), ItemWindow.UNKNOWN);
    lastFullScanMillis = parseLong(c.attribute(LAST_FULL_SCAN, null), 0);
    backfilled = Boolean.parseBoolean(c.attribute(BACKFILLED, "false"));
    backfillPosition = parseLong(c.attribute(BACKFILL_POSITION, null), Long.MAX_VALUE);
    backfillIds = new HashSet<>(ids(c.attribute(BACKFILL_IDS, "")));
    walkTopId = emptyToNull(c.attribute(WALK_TOP, null));
    walkTopCreated = parseLong(c.attribute(WALK_TOP_CREATED, null), ItemWindow.UNKNOWN);
    walkAfterId = walkTopId == null ? null : emptyToNull(c.attribute(WALK_AFTER, null));
    walkAfterCreated = parseLong(c.attribute(WALK_AFTER_CREATED, null), ItemWindow.UNKNOWN);
    walkAfterIds = new LinkedHashSet<>(ids(c.attribute(WALK_AFTER_IDS, "")));
    delivered = c.delivered();
    deadLettered = c.deadLettered();
  }

  private static List<String> ids(String text) {
    return text == null || text.isEmpty() ? List.of() : Arrays.asList(text.split(" "));
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  void count(ChangeDelivery.Report report) {
    delivered += report.delivered();
    deadLettered += report.deadLettered();
  }

  /** The incremental walk stands after {@code id}; {@code idsAtInstant} were passed at its instant. */
  void walkedPast(String id, long created, List<String> idsAtInstant) {
    if (created != walkAfterCreated) {
      walkAfterIds = new LinkedHashSet<>();
    }
    walkAfterIds.addAll(idsAtInstant);
    trimTieIds();
    walkAfterId = id;
    walkAfterCreated = created;
  }

  /** A full scan reached the end of the list: the backfill, if any, is over. */
  void fullScanDone(long nowMillis) {
    backfilled = true;
    backfillPosition = Long.MAX_VALUE;
    backfillIds = new HashSet<>();
    lastFullScanMillis = nowMillis;
  }

  /** Keeps the ids at the walk position's instant to the most recent {@link #MAX_TIE_IDS}. */
  private void trimTieIds() {
    var it = walkAfterIds.iterator();
    while (walkAfterIds.size() > MAX_TIE_IDS && it.hasNext()) {
      it.next();
      it.remove();
    }
  }

  boolean reachedHighWaterMark(String id, long created) {
    if (hwmId == null) {
      return false;
    }
    return id.equals(hwmId)
        || (created != ItemWindow.UNKNOWN && hwmCreated != ItemWindow.UNKNOWN && created < hwmCreated);
  }

  /** During the first full scan: was this file, outside the window, not delivered yet? */
  boolean notYetBackfilled(String id, long created) {
    return created < backfillPosition || (created == backfillPosition && !backfillIds.contains(id));
  }

  void moveBackfillPosition(long lowest, Set<String> lowestIds) {
    if (lowest < backfillPosition) {
      backfillPosition = lowest;
      backfillIds = new HashSet<>(lowestIds);
    } else if (lowest == backfillPosition) {
      backfillIds.addAll(lowestIds);
    }
  }

  void clearWalk() {
    walkTopId = null;
    walkTopCreated = ItemWindow.UNKNOWN;
    walkAfterId = null;
    walkAfterCreated = ItemWindow.UNKNOWN;
    walkAfterIds = new LinkedHashSet<>();
  }

  Checkpoint checkpoint() {
    Map<String, String> a = new HashMap<>();
    a.put(WINDOW, window.encode());
    if (hwmCreated != ItemWindow.UNKNOWN) {
      a.put(HWM_CREATED, Long.toString(hwmCreated));
    }
    a.put(LAST_FULL_SCAN, Long.toString(lastFullScanMillis));
    a.put(BACKFILLED, Boolean.toString(backfilled));
    if (walkTopId != null) {
      a.put(WALK_TOP, walkTopId);
      a.put(WALK_TOP_CREATED, Long.toString(walkTopCreated));
      if (walkAfterId != null) {
        a.put(WALK_AFTER, walkAfterId);
        a.put(WALK_AFTER_CREATED, Long.toString(walkAfterCreated));
        a.put(WALK_AFTER_IDS, String.join(" ", walkAfterIds));
      }
    }
    if (!backfilled && backfillPosition != Long.MAX_VALUE) {
      a.put(BACKFILL_POSITION, Long.toString(backfillPosition));
      List<String> ids = new ArrayList<>(backfillIds);
      ids.sort(null);
      a.put(BACKFILL_IDS, String.join(" ", ids));
    }
    return new Checkpoint(ChangeSource.FILES, entity, hwmId, delivered, deadLettered, a);
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

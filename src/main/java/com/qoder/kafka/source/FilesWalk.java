package com.qoder.kafka.source;

import com.qoder.kafka.api.Page;
import com.qoder.kafka.api.QoderFile;
import java.util.HashSet;
import java.util.Set;

/** Where one walk of the {@link FilesSource} over the files list stands (one round's, never stored). */
final class FilesWalk {
  final boolean full;
  final Set<String> seen = new HashSet<>();
  String after;
  String newestId;
  long newestCreated = ItemWindow.UNKNOWN;
  boolean done;
  boolean complete;
  boolean seeking; // incremental, after a rejected cursor: skipping down to the stored position
  boolean passedHwm; // full: past the files newer than the high-water mark
  int walks = 1;
  int requests;

  FilesWalk(boolean full) {
    this.full = full;
  }

  /** After a page: done when the list ended or the walk reached its end; else the next cursor. */
  void advance(Page<QoderFile> page, boolean reached) {
    if (reached || !page.hasMore()) {
      done = true;
      complete = true;
    } else if (page.lastId() == null) {
      done = true; // has_more without a cursor: incomplete, no deletions this time
    } else {
      after = page.lastId();
    }
  }
}

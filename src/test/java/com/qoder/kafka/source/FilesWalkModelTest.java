package com.qoder.kafka.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.api.QoderApi;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * The files source against an in-process files list (document 001: newest first, {@code after}
 * toward older files) with bursts larger than {@code max-tracked}, many files per instant,
 * deletions during a walk (a rejected cursor), updates, restarts from the stored position and
 * crashes between a delivery and its checkpoint. Checked after every run: every file that exists
 * reached the topic as CREATED; a CREATED is repeated only for pages in flight at a crash; no
 * tombstone names a file that exists; the stored position stays bounded by configuration.
 */
class FilesWalkModelTest {

  private static final Instant BASE = Instant.parse("2026-05-18T15:33:53Z");

  /** The source, its fakes and what they saw. */
  static final class Harness {
    final FakeFilesApi api = new FakeFilesApi();
    final AtomicLong millis = new AtomicLong(1_000_000);
    final Clock clock = new Clock() {
      @Override
      public ZoneOffset getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return Instant.ofEpochMilli(millis.get());
      }
    };
    final Map<String, Integer> created = new HashMap<>();
    final List<String> problems = new ArrayList<>();
    final FilesSource.Options options;
    Checkpoint stored;
    int maxCheckpointChars;
    boolean failNextWrite;
    int failWriteIn; // fail the n-th checkpoint write from now (0: none)
    int deleteInDelivery; // delete the last file of the n-th delivery from now (0: none)
    boolean deleteDuringNextDelivery;
    int crashes;
    int restarts;
    FilesSource source;
    Instant clockOfFiles = BASE;

    Harness(int maxTracked, int pageSize) {
      options = new FilesSource.Options(Duration.ofSeconds(1), Duration.ofHours(1), null, pageSize, maxTracked);
      start();
    }

    void start() {
      ChangeDelivery delivery = changes -> {
        Set<String> live = new HashSet<>(api.ids());
        for (ItemChange c : changes) {
          switch (c.change()) {
            case ItemChange.CREATED -> created.merge(c.id(), 1, Integer::sum);
            case ItemChange.DELETED -> {
              if (live.contains(c.id())) {
                problems.add("tombstone of existing file " + c.id());
              }
            }
            default -> { }
          }
        }
        if (deleteInDelivery > 0 && --deleteInDelivery == 0) {
          deleteDuringNextDelivery = true;
        }
        if (deleteDuringNextDelivery && !changes.isEmpty()) {
          // The file the walk will continue after is deleted: its cursor is rejected next.
          deleteDuringNextDelivery = false;
          api.delete(changes.get(changes.size() - 1).id());
        }
        return Mono.just(new ChangeDelivery.Report(changes.size(), 0));
      };
      CheckpointWriter writer = c -> {
        if (failWriteIn > 0 && --failWriteIn == 0) {
          failNextWrite = true;
        }
        if (failNextWrite) {
          failNextWrite = false;
          return Mono.error(new IllegalStateException("offsets topic unavailable (test)"));
        }
        stored = c;
        int chars = c.attributes().values().stream().mapToInt(String::length).sum();
        maxCheckpointChars = Math.max(maxCheckpointChars, chars);
        return Mono.empty();
      };
      source = new FilesSource(api, delivery, writer, options, () -> true, e -> problems.add("fatal " + e), clock);
      if (stored != null) {
        source.restore(stored);
      }
    }

    void restart() {
      restarts++;
      start();
    }

    /** One round; a failure is what the poll loop would log before the next round. */
    void round() {
      try {
        source.round().block(Duration.ofSeconds(30));
      } catch (RuntimeException e) {
        if (e.getMessage() == null || !e.getMessage().contains("(test)")) {
          throw e;
        }
      }
    }

    /** A crash after the next delivery, before its checkpoint: the source restarts from the stored one. */
    void crashAfterNextDelivery() {
      failNextWrite = true;
      round();
      crashes++;
      restart();
    }

    void fullScanDue() {
      millis.addAndGet(Duration.ofHours(2).toMillis());
    }

    /** {@code n} new files; each lands on the previous one's instant with probability {@code tie}. */
    List<String> burst(int n, double tie, SplittableRandom r) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        if (r.nextDouble() >= tie) {
          clockOfFiles = clockOfFiles.plusSeconds(1);
        }
        ids.add(api.create(clockOfFiles));
      }
      return ids;
    }

    /** Rounds until everything is quiet, a full scan included. */
    void settle() {
      round();
      fullScanDue();
      round();
      round();
    }

    List<String> lost() {
      return api.ids().stream().filter(id -> !created.containsKey(id)).toList();
    }

    int duplicates() {
      return created.values().stream().mapToInt(c -> c - 1).sum();
    }
  }

  @Test
  void aBurstOfSixThousandFilesAgainstMaxTrackedOneThousandIsDeliveredWhole() {
    SplittableRandom r = new SplittableRandom(6000);
    Harness h = new Harness(1000, 10);
    h.burst(50, 0.5, r);
    h.round(); // first full scan: the 50
    assertThat(h.lost()).isEmpty();

    h.burst(6000, 0.8, r); // an outage's worth, about five files per second
    h.round();
    h.round();
    h.settle();

    assertThat(h.lost().size()).as("files never delivered, of %d", h.api.ids().size()).isZero();
    assertThat(h.duplicates()).as("duplicate CREATED").isZero();
    assertThat(h.problems).isEmpty();
    // About 66 characters per watched file, plus the walk's position: bounded by max-tracked.
    assertThat(h.maxCheckpointChars).isLessThan(1000 * 70 + 8_000);
  }

  @Test
  void aBurstWalkInterruptedByRestartsAndARejectedCursorResumesWhereItWas() {
    SplittableRandom r = new SplittableRandom(7);
    Harness h = new Harness(20, 5);
    h.burst(30, 0.5, r);
    h.round();
    h.burst(450, 0.9, r);
    h.deleteInDelivery = 2; // the file the walk stands at after its second page is deleted under it
    h.failWriteIn = 4; // and the instance dies before storing its fourth position
    h.round();
    h.crashes++;
    h.restart();
    h.round();
    h.restart();
    h.settle();

    assertThat(h.lost()).isEmpty();
    assertThat(h.api.rejected()).isPositive();
    // Only the page in flight at the crash (at most 100 files) may be produced twice.
    assertThat(h.duplicates()).isLessThanOrEqualTo(QoderApi.LIST_MAX_LIMIT);
    assertThat(h.problems).isEmpty();
  }

  /**
   * Random histories: bursts up to several times {@code max-tracked}, ties, deletions (also of the
   * walk's cursor), updates, full scans, restarts and crashes at random steps.
   */
  @Property(tries = 80, seed = "120301")
  void everyFileReachesTheTopicWhateverTheBurst(@ForAll long seed, @ForAll @IntRange(min = 1, max = 40) int maxTracked,
      @ForAll @IntRange(min = 1, max = 12) int pageSize, @ForAll @IntRange(min = 1, max = 14) int steps) {
    SplittableRandom r = new SplittableRandom(seed);
    Harness h = new Harness(maxTracked, pageSize);
    h.burst(r.nextInt(60), r.nextDouble(), r);
    for (int s = 0; s < steps; s++) {
      switch (r.nextInt(9)) {
        case 0, 1 -> h.burst(r.nextInt(maxTracked * 8 + 1), r.nextDouble(), r);
        case 2 -> {
          List<String> ids = h.api.ids();
          for (int i = 0; i < Math.min(3, ids.size()); i++) {
            h.api.delete(ids.get(r.nextInt(ids.size())));
          }
        }
        case 3 -> {
          List<String> ids = h.api.ids();
          if (!ids.isEmpty()) {
            h.api.update(ids.get(r.nextInt(ids.size())), "processing-" + s);
          }
        }
        case 4 -> h.fullScanDue();
        case 5 -> h.restart();
        case 6 -> h.crashAfterNextDelivery();
        case 7 -> h.deleteDuringNextDelivery = true;
        default -> { }
      }
      h.round();
    }
    h.deleteDuringNextDelivery = false;
    h.settle();

    assertThat(h.lost()).as("files never delivered (max-tracked %d, %d crashes)", maxTracked, h.crashes).isEmpty();
    assertThat(h.duplicates()).as("duplicate CREATED with %d crashes", h.crashes)
        .isLessThanOrEqualTo(h.crashes * QoderApi.LIST_MAX_LIMIT);
    assertThat(h.problems).isEmpty();
    assertThat(h.maxCheckpointChars).as("offset record attributes").isLessThan(maxTracked * 70 + 8_000);
  }
}

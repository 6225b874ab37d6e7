package com.qoder.kafka.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * Exactly-once: a files step's records and its position are one transaction. When that
 * transaction is aborted (the position write fails with a {@link WriteAbortedException}), the
 * records vanish with it, so the source must observe those files again — without a restart — and
 * deliver them once. The fake below commits a step's records only when its position write
 * succeeds, as a {@code read_committed} reader would see them.
 */
class FilesAbortedWriteTest {

  private static final Instant BASE = Instant.parse("2026-05-18T15:33:53Z");

  private final FakeFilesApi api = new FakeFilesApi();
  private final Map<String, Integer> committed = new HashMap<>();
  private final List<ItemChange> pending = new ArrayList<>();
  private int abortWrites;
  private int aborted;

  private FilesSource source() {
    ChangeDelivery delivery = changes -> {
      pending.addAll(changes);
      return Mono.just(new ChangeDelivery.Report(changes.size(), 0));
    };
    CheckpointWriter writer = c -> {
      if (abortWrites > 0) {
        abortWrites--;
        aborted++;
        pending.clear(); // the transaction is aborted: its records are never visible
        return Mono.error(new WriteAbortedException("transaction aborted (test)", null));
      }
      for (ItemChange ch : pending) {
        if (ch.change().equals(ItemChange.CREATED)) {
          committed.merge(ch.id(), 1, Integer::sum);
        }
      }
      pending.clear();
      return Mono.empty();
    };
    return new FilesSource(api, delivery, writer,
        new FilesSource.Options(Duration.ofSeconds(1), Duration.ofHours(1), null, 10, 1000), () -> true, e -> { });
  }

  private static void round(FilesSource s) {
    try {
      s.round().block(Duration.ofSeconds(30));
    } catch (WriteAbortedException e) {
      // the poll loop logs it and runs the next round
    }
  }

  @Test
  void filesOfAnAbortedStepAreDeliveredAgainOnceByTheNextRound() {
    FilesSource s = source();
    for (int i = 0; i < 30; i++) {
      api.create(BASE.plusSeconds(i));
    }
    round(s); // first full scan: 30 files, committed
    for (int i = 0; i < 250; i++) {
      api.create(BASE.plusSeconds(100 + i));
    }
    abortWrites = 2; // the first two pages of the burst walk are aborted
    round(s);
    round(s);
    round(s);
    round(s);

    List<String> lost = api.ids().stream().filter(id -> !committed.containsKey(id)).toList();
    long dup = committed.values().stream().mapToInt(n -> n - 1).sum();
    assertThat(aborted).as("aborted position writes").isEqualTo(2);
    assertThat(lost.size()).as("files of %d never committed after %d aborted step(s)", api.ids().size(), aborted)
        .isZero();
    assertThat(dup).as("files committed twice").isZero();
  }
}

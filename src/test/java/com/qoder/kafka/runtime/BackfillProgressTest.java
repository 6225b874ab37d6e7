package com.qoder.kafka.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.source.SessionSupervisor.Backlog;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class BackfillProgressTest {

  private static final long S = 1_000_000_000L;

  private final AtomicReference<Backlog> backlog = new AtomicReference<>(new Backlog(0, 0));
  private final AtomicLong delivered = new AtomicLong();
  private final BackfillProgress progress = new BackfillProgress(backlog::get, delivered::get);

  @Test
  void reportsWhileSessionsAreBehindWithRateAndEtaThenOnceWhenDone() {
    assertThat(progress.tick(0)).as("nothing polled yet").isEmpty();

    backlog.set(new Backlog(40, 0));
    assertThat(progress.tick(10 * S)).hasValue("backfill: 0 of 40 sessions caught up");

    backlog.set(new Backlog(40, 0));
    delivered.set(15_000);
    assertThat(progress.tick(25 * S)).hasValue("backfill: 0 of 40 sessions caught up, 1000 events/s, ETA unknown");

    // 10 sessions in 30 s since the start: 30 left take 90 s.
    backlog.set(new Backlog(40, 10));
    delivered.set(30_000);
    assertThat(progress.tick(40 * S)).hasValue("backfill: 10 of 40 sessions caught up, 1000 events/s, ETA 1m30s");

    backlog.set(new Backlog(40, 40));
    assertThat(progress.tick(55 * S)).hasValue("backfill: all 40 sessions caught up");
    assertThat(progress.tick(70 * S)).as("silent once caught up").isEmpty();

    // New sessions discovered later start a new backfill.
    backlog.set(new Backlog(45, 40));
    assertThat(progress.tick(85 * S)).hasValue("backfill: 40 of 45 sessions caught up");
  }

  @Test
  void aConnectorWithNothingToBackfillNeverLogs() {
    backlog.set(new Backlog(5, 5));
    assertThat(progress.tick(0)).isEmpty();
    assertThat(progress.tick(15 * S)).isEmpty();
  }

  @Test
  void durationsReadLikeAPerson() {
    assertThat(BackfillProgress.duration(42)).isEqualTo("42s");
    assertThat(BackfillProgress.duration(90)).isEqualTo("1m30s");
    assertThat(BackfillProgress.duration(3 * 3600 + 5 * 60 + 7)).isEqualTo("3h05m");
  }
}

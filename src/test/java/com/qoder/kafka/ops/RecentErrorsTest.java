package com.qoder.kafka.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.ops.StatusSnapshot.ErrorEntry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RecentErrorsTest {

  private final Clock clock = Clock.fixed(Instant.parse("2025-06-01T12:00:00Z"), ZoneOffset.UTC);

  @Test
  void keepsTheLastNNewestFirst() {
    RecentErrors errors = new RecentErrors(3, clock);
    assertThat(errors.newestFirst()).isEmpty();
    for (int i = 1; i <= 5; i++) {
      errors.add("sess_" + i, "error " + i);
    }
    assertThat(errors.newestFirst())
        .extracting(ErrorEntry::message)
        .containsExactly("error 5", "error 4", "error 3");
    assertThat(errors.newestFirst().get(0).at()).isEqualTo(clock.instant());
    assertThat(errors.total()).isEqualTo(5);
  }

  @Test
  void describesThrowablesAndCutsLongMessages() {
    RecentErrors errors = new RecentErrors(5, clock);
    errors.add(null, new IllegalStateException("broker down"));
    errors.add("s", new NullPointerException());
    errors.add("s", "y".repeat(5000));
    errors.add((ErrorEntry) null);
    List<ErrorEntry> list = errors.newestFirst();
    assertThat(list).hasSize(3);
    assertThat(list.get(0).message()).hasSize(RecentErrors.MAX_MESSAGE_LENGTH + 1).endsWith("…");
    assertThat(list.get(1).message()).isEqualTo("NullPointerException");
    assertThat(list.get(2).message()).isEqualTo("IllegalStateException: broker down");
    assertThat(list.get(2).sessionId()).isNull();
  }

  @Test
  void concurrentWritersNeverExceedTheCapacity() throws Exception {
    RecentErrors errors = new RecentErrors(50, Clock.systemUTC());
    ExecutorService pool = Executors.newFixedThreadPool(4);
    CountDownLatch start = new CountDownLatch(1);
    List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int thread = t;
      futures.add(
          pool.submit(
              () -> {
                start.await();
                for (int i = 0; i < 1000; i++) {
                  errors.add("s" + thread, "e" + i);
                  if (i % 100 == 0) {
                    assertThat(errors.newestFirst().size()).isLessThanOrEqualTo(50);
                  }
                }
                return null;
              }));
    }
    start.countDown();
    for (var f : futures) {
      f.get(10, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertThat(errors.total()).isEqualTo(4000);
    assertThat(errors.newestFirst()).hasSize(50).doesNotContainNull();
  }
}

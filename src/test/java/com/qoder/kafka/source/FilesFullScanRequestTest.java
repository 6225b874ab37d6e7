package com.qoder.kafka.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * A full scan asked for (the resync-files signal) is answered only by a scan that starts after the
 * request: one under way when it comes walked part of the list before it, so it cannot stand for it.
 */
class FilesFullScanRequestTest {

  private static final Instant BASE = Instant.parse("2026-05-18T15:33:53Z");

  private final FakeFilesApi api = new FakeFilesApi();

  private FilesSource source() {
    ChangeDelivery delivery = changes -> Mono.just(new ChangeDelivery.Report(changes.size(), 0));
    CheckpointWriter writer = c -> Mono.empty();
    return new FilesSource(api, delivery, writer,
        new FilesSource.Options(Duration.ofSeconds(1), Duration.ofHours(1), null, 10, 1000), () -> true, e -> { });
  }

  @Test
  void aRequestMadeWhileAFullScanIsUnderWayIsAnsweredByTheNextOne() {
    // 250 files: a full scan walks three pages of 100.
    for (int i = 0; i < 250; i++) {
      api.create(BASE.plusSeconds(i));
    }
    FilesSource s = source();
    s.round().block(Duration.ofSeconds(30)); // the first full scan (backfill)
    assertThat(s.fullScans()).isOne();

    // The hourly full scan is due in the next round; the request comes while it walks its second page.
    List<String> firstPagesAfterTheRequest = new CopyOnWriteArrayList<>();
    AtomicBoolean asked = new AtomicBoolean();
    int[] pages = {0};
    api.onRequest = after -> {
      if (asked.get() && after == null) {
        firstPagesAfterTheRequest.add("first page");
      }
      if (++pages[0] == 3 && asked.compareAndSet(false, true)) {
        s.fullScanNow();
      }
    };
    s.fullScanNow(); // asked before the round: answered by this round's scan
    s.round().block(Duration.ofSeconds(30));
    assertThat(s.fullScans()).isEqualTo(2);
    assertThat(asked).isTrue();

    s.round().block(Duration.ofSeconds(30));
    assertThat(s.fullScans()).as("the request made during the scan gets a scan of its own").isEqualTo(3);
    assertThat(firstPagesAfterTheRequest).as("an incremental walk and a full scan from the newest file").hasSize(2);

    s.round().block(Duration.ofSeconds(30));
    assertThat(s.fullScans()).as("answered: no further full scan before the interval").isEqualTo(3);
  }
}

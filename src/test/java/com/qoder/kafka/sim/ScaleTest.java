package com.qoder.kafka.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The benchmark shapes: 1,000 sessions × 500 events with 5,000 files fit in little memory and page fast. */
@Tag("slow")
class ScaleTest {

  private static long usedHeap() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  @Test
  void halfAMillionEventsCostLittleHeapAndCursorsAreIndexed() {
    long before = usedHeap();
    long t0 = System.nanoTime();
    try (QoderSimulator sim = QoderSimulator.builder().seed(1).sessions(1_000).eventsPerSession(500).files(5_000)
        .build().start()) {
      long buildMs = (System.nanoTime() - t0) / 1_000_000;
      long heap = usedHeap() - before;
      System.out.printf("SCALE build %d ms, heap %d MB for %d events%n", buildMs, heap >> 20, sim.totalEvents());
      assertThat(sim.totalEvents()).isEqualTo(500_000);
      // columnar storage: ~40 bytes per event; 200 MB would mean objects per event crept back in
      assertThat(heap).isLessThan(200L << 20);

      SimHttp http = new SimHttp(sim);
      List<String> sessions = sim.sessionIds();
      SplittableRandom r = new SplittableRandom(3);
      long t1 = System.nanoTime();
      for (int i = 0; i < 500; i++) {
        String s = sessions.get(r.nextInt(sessions.size()));
        List<String> ids = sim.groundTruth(s).eventIds();
        String cursor = ids.get(r.nextInt(ids.size()));
        assertThat(http.get("/v1/sessions/" + s + "/events?limit=100&after_id=" + cursor).status()).isEqualTo(200);
      }
      System.out.printf("SCALE 500 random-cursor pages in %d ms%n", (System.nanoTime() - t1) / 1_000_000);
    }
  }
}

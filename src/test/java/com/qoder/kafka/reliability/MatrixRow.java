package com.qoder.kafka.reliability;

import com.qoder.kafka.api.RequestRates;
import com.qoder.kafka.sim.RequestRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One line of the fault matrix, printed by every reliability test after its check:
 * {@code RELIABILITY | fault | what happened | checked=N lost=N dup=N [rps_session=N rps_instance=N heap_mib=N]}.
 * The lines also go to {@code target/reliability-matrix.txt}, from which docs/RELIABILITY.md is filled.
 */
public final class MatrixRow {

  private MatrixRow() {}

  /**
   * Figures beyond loss and duplicates; -1 where a row has nothing to say.
   *
   * @param rpsSessionMax the most requests any one session sent in one second of the simulator's request log
   * @param rpsInstanceMax the most requests sent in one second, all sessions and endpoints together
   * @param heapMib used heap after a GC at the end of the run, in MiB (the test JVM's, where the connector ran in it)
   */
  public record Figures(long rpsSessionMax, long rpsInstanceMax, long heapMib) {
    public static final Figures NONE = new Figures(-1, -1, -1);

    /** Request-rate figures from a simulator's request log; heap not measured. */
    public static Figures requests(List<RequestRecord> log) {
      return new Figures(maxPerSecond(log, true), maxPerSecond(log, false), -1);
    }

    /** These figures plus the heap in use now, after a full GC. */
    public Figures withHeapAfterGc() {
      MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
      memory.gc();
      return new Figures(rpsSessionMax, rpsInstanceMax, memory.getHeapMemoryUsage().getUsed() >> 20);
    }
  }

  public static void report(String fault, String happened, long checked, long lost, long duplicated) {
    report(fault, happened, checked, lost, duplicated, Figures.NONE);
  }

  public static void report(String fault, String happened, long checked, long lost, long duplicated, Figures f) {
    String line = String.format("RELIABILITY | %s | %s | checked=%d lost=%d dup=%d rps_session=%s rps_instance=%s heap_mib=%s",
        fault, happened, checked, lost, duplicated, figure(f.rpsSessionMax()), figure(f.rpsInstanceMax()),
        figure(f.heapMib()));
    System.out.println(line);
    Path file = Path.of(System.getProperty("qoder.build.directory", "target"), "reliability-matrix.txt");
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, line + System.lineSeparator(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to " + file, e);
    }
  }

  private static String figure(long v) {
    return v < 0 ? "-" : Long.toString(v);
  }

  /**
   * The most requests in any one-second window [t, t+1s) of the log, per session (max over
   * sessions) or for the whole instance. Windows start at each request, so no boundary hides a burst.
   */
  static long maxPerSecond(List<RequestRecord> log, boolean perSession) {
    Map<String, List<Long>> byKey = new HashMap<>();
    for (RequestRecord r : log) {
      String key = perSession ? r.sessionId() : "all";
      if (key == null) {
        continue;
      }
      byKey.computeIfAbsent(key, k -> new ArrayList<>())
          .add(r.time().getEpochSecond() * 1_000_000_000L + r.time().getNano());
    }
    long max = 0;
    for (List<Long> times : byKey.values()) {
      times.sort(null);
      max = Math.max(max, RequestRates.maxPerSecond(times));
    }
    return max;
  }
}

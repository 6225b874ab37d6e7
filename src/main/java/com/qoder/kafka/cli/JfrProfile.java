package com.qoder.kafka.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * A JDK Flight Recorder profile of one bench phase, summarised: CPU samples per thread role and
 * the hottest methods per role (self time: the top frame), allocation samples by role, class and
 * allocating method. The roles separate the connector's threads (Reactor Netty event loops, the
 * Reactor parallel scheduler, the sink's send and callback threads) from the simulator and the
 * embedded broker, which share the process in the bench. The raw {@code .jfr} file is kept for
 * {@code jfr print} or JDK Mission Control.
 */
final class JfrProfile implements AutoCloseable {

  private final Recording recording;
  private final Path file;

  private JfrProfile(Recording recording, Path file) {
    this.recording = recording;
    this.file = file;
  }

  /** Starts a recording with the JDK's "profile" settings (20 ms CPU samples, allocation samples). */
  static JfrProfile start(Path file) throws IOException, ParseException {
    Recording r = new Recording(Configuration.getConfiguration("profile"));
    r.setName("qoder-kafka-bench");
    r.setToDisk(true);
    r.start();
    return new JfrProfile(r, file);
  }

  /** Stops, writes the file and summarises it. */
  Map<String, Object> stopAndSummarise(int top) throws IOException {
    recording.stop();
    java.nio.file.Files.createDirectories(file.toAbsolutePath().getParent());
    recording.dump(file);
    return summarise(file, top);
  }

  @Override
  public void close() {
    recording.close();
  }

  /** Which part of the process a thread belongs to, by its name. */
  static String role(String thread) {
    if (thread == null) {
      return "other";
    }
    if (thread.startsWith("reactor-http-")) {
      return "connector: Reactor Netty event loop (API client)";
    }
    if (thread.startsWith("parallel-")) {
      return "connector: Reactor parallel scheduler (timers)";
    }
    if (thread.startsWith("qoder-kafka-send")) {
      return "connector: sink send thread (Producer.send)";
    }
    if (thread.startsWith("qoder-kafka-callback")) {
      return "connector: sink callback thread";
    }
    if (thread.startsWith("kafka-producer-network-thread | bench-raw")) {
      return "raw producer: Kafka producer I/O thread";
    }
    if (thread.startsWith("kafka-producer-network-thread")) {
      return "connector: Kafka producer I/O thread";
    }
    if (thread.startsWith("qoder-sim")) {
      return "simulator";
    }
    if (thread.equals("main")) {
      return "main (bench driver; the raw producer's send loop)";
    }
    if (thread.startsWith("bench-")) {
      return "bench (consumer, driver)";
    }
    if (thread.startsWith("data-plane") || thread.startsWith("kafka-") || thread.startsWith("broker-")
        || thread.startsWith("controller") || thread.startsWith("raft") || thread.contains("Kafka")
        || thread.startsWith("ExpirationReaper") || thread.startsWith("LogDirFailureHandler")
        || thread.startsWith("executor-") || thread.startsWith("group-coordinator") || thread.startsWith("quorum")) {
      return "embedded broker";
    }
    if (thread.startsWith("GC") || thread.contains("G1") || thread.startsWith("VM ")) {
      return "JVM";
    }
    return "other: " + thread.replaceAll("[-#]?\\d+$", "");
  }

  static Map<String, Object> summarise(Path file, int top) throws IOException {
    Map<String, Long> samplesByRole = new HashMap<>();
    Map<String, Map<String, Long>> methodsByRole = new HashMap<>();
    Map<String, Map<String, Long>> projectFramesByRole = new HashMap<>();
    Map<String, Long> allocByRole = new HashMap<>();
    Map<String, Long> allocByClass = new HashMap<>();
    Map<String, Long> allocBySite = new HashMap<>();
    Map<String, Long> connectorAllocBySite = new HashMap<>();
    Map<String, Long> waitsByRole = new HashMap<>();
    Map<String, Long> waitMillisByRole = new HashMap<>();
    Map<String, Long> connectorWaitsBySite = new HashMap<>();
    long samples = 0;
    long allocated = 0;
    try (RecordingFile in = new RecordingFile(file)) {
      while (in.hasMoreEvents()) {
        RecordedEvent e = in.readEvent();
        String type = e.getEventType().getName();
        if (type.equals("jdk.ExecutionSample")) {
          samples++;
          String role = role(threadName(e.getThread("sampledThread")));
          samplesByRole.merge(role, 1L, Long::sum);
          methodsByRole.computeIfAbsent(role, k -> new HashMap<>()).merge(topFrame(e.getStackTrace()), 1L, Long::sum);
          projectFramesByRole.computeIfAbsent(role, k -> new HashMap<>())
              .merge(firstOwnFrame(e.getStackTrace()), 1L, Long::sum);
        } else if (WAITS.contains(type)) {
          String role = role(threadName(e.getThread("eventThread")));
          String site = waitSite(e.getStackTrace());
          String key = role + " / " + type.substring(4) + " / " + site;
          waitsByRole.merge(key, 1L, Long::sum);
          waitMillisByRole.merge(key, e.getDuration().toMillis(), Long::sum);
          if (role.startsWith("connector") && !site.startsWith("idle")) {
            connectorWaitsBySite.merge(role + " / " + type.substring(4) + " / " + site, e.getDuration().toMillis(),
                Long::sum);
          }
        } else if (type.equals("jdk.ObjectAllocationSample")) {
          long weight = e.getLong("weight");
          allocated += weight;
          String role = role(threadName(e.getThread("eventThread")));
          allocByRole.merge(role, weight, Long::sum);
          String cls = e.getClass("objectClass") == null ? "?" : e.getClass("objectClass").getName();
          allocByClass.merge(cls, weight, Long::sum);
          String site = firstOwnFrame(e.getStackTrace());
          allocBySite.merge(site, weight, Long::sum);
          if (role.startsWith("connector")) {
            connectorAllocBySite.merge(cls + " at " + site, weight, Long::sum);
          }
        }
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("file", file.toString());
    out.put("cpuSamples", samples);
    out.put("cpuSamplesByThreadRole", percentages(samplesByRole, samples, 20));
    Map<String, Object> hot = new LinkedHashMap<>();
    samplesByRole.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .filter(en -> en.getKey().startsWith("connector") || en.getKey().equals("simulator")
            || en.getKey().equals("embedded broker"))
        .forEach(en -> hot.put(en.getKey(), percentages(methodsByRole.get(en.getKey()), en.getValue(), top)));
    out.put("hotMethodsByThreadRole(selfTime,%ofRole)", hot);
    Map<String, Object> under = new LinkedHashMap<>();
    samplesByRole.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .filter(en -> en.getKey().startsWith("connector"))
        .forEach(en -> under.put(en.getKey(), percentages(projectFramesByRole.get(en.getKey()), en.getValue(), top)));
    // Where in this project's code the time was spent: the nearest project frame under the sampled one.
    out.put("cpuByNearestProjectFrame(%ofRole)", under);
    out.put("allocatedBytesSampled", allocated);
    out.put("allocationByThreadRole", percentages(allocByRole, allocated, 20));
    out.put("allocationByClass", percentages(allocByClass, allocated, top));
    out.put("allocationByFirstProjectFrame", percentages(allocBySite, allocated, top));
    out.put("connectorThreadAllocationsByClassAndSite", percentages(connectorAllocBySite, allocated, top));
    // Blocking: JFR records monitor waits, parks, sleeps and socket/file I/O longer than the
    // "profile" thresholds (10-20 ms). Idle workers waiting for work are told apart from a wait
    // inside a task; a Reactor thread should show none of the latter.
    Map<String, String> waits = new LinkedHashMap<>();
    waitsByRole.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top * 2L)
        .forEach(en -> waits.put(en.getKey(), en.getValue() + " events, " + waitMillisByRole.get(en.getKey()) + " ms"));
    out.put("waitsOver10msByThreadRoleAndSite", waits);
    out.put("connectorWaitsInsideTasksMillis", connectorWaitsBySite);
    return out;
  }

  private static final java.util.Set<String> WAITS = java.util.Set.of("jdk.JavaMonitorEnter", "jdk.JavaMonitorWait",
      "jdk.ThreadPark", "jdk.ThreadSleep", "jdk.SocketRead", "jdk.SocketWrite", "jdk.FileRead", "jdk.FileWrite");

  /** "idle …" when the thread waited for work (an executor's queue, an event loop's select), else where it waited. */
  private static String waitSite(RecordedStackTrace st) {
    if (st == null) {
      return "?";
    }
    for (RecordedFrame f : st.getFrames()) {
      String m = f.getMethod().getType().getName() + "." + f.getMethod().getName();
      if (m.endsWith("ThreadPoolExecutor.getTask") || m.endsWith("DelayedWorkQueue.take")
          || m.endsWith("LinkedBlockingQueue.take") || m.endsWith("LinkedBlockingQueue.poll")
          || m.contains("EventLoop.run") && st.getFrames().indexOf(f) < 4) {
        return "idle (waiting for work)";
      }
    }
    return firstOwnFrame(st);
  }

  private static String threadName(RecordedThread t) {
    if (t == null) {
      return null;
    }
    return t.getJavaName() != null ? t.getJavaName() : t.getOSName();
  }

  private static String topFrame(RecordedStackTrace st) {
    if (st == null || st.getFrames().isEmpty()) {
      return "?";
    }
    return frame(st.getFrames().get(0));
  }

  /** The first frame in this project's code (where the allocation was asked for), else the top frame. */
  private static String firstOwnFrame(RecordedStackTrace st) {
    if (st == null || st.getFrames().isEmpty()) {
      return "?";
    }
    for (RecordedFrame f : st.getFrames()) {
      if (f.isJavaFrame() && f.getMethod().getType().getName().startsWith("com.qoder.")) {
        return frame(f);
      }
    }
    return frame(st.getFrames().get(0));
  }

  private static String frame(RecordedFrame f) {
    String type = f.getMethod().getType().getName();
    return type.substring(type.lastIndexOf('.') + 1) + "." + f.getMethod().getName();
  }

  /** The {@code limit} largest entries as "percent% (value)", largest first. */
  private static Map<String, String> percentages(Map<String, Long> counts, long total, int limit) {
    Map<String, String> out = new LinkedHashMap<>();
    if (counts == null) {
      return out;
    }
    List<Map.Entry<String, Long>> entries = new ArrayList<>(counts.entrySet());
    entries.sort(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()));
    for (Map.Entry<String, Long> en : entries.subList(0, Math.min(limit, entries.size()))) {
      out.put(en.getKey(), String.format("%.1f%% (%d)", 100.0 * en.getValue() / Math.max(1, total), en.getValue()));
    }
    return out;
  }
}

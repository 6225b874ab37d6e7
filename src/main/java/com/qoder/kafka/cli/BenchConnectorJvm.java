package com.qoder.kafka.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.qoder.kafka.config.ConfigLoader;
import com.qoder.kafka.runtime.Connector;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The connector of a bench phase in its own JVM, so that its process CPU, heap and allocation are
 * the connector's alone: the broker and the simulator stay in the bench's JVM. The bench drives it
 * with one JSON command per line on stdin and reads one {@value #REPLY} line per command on stdout
 * (anything else on stdout is the connector's own logging).
 *
 * <p>Commands: {@code start} (settings), {@code track} (ids), {@code await} (delivered count),
 * {@code mark} / {@code since} (CPU, CPU by thread role, allocation and GC between two points),
 * {@code heap} (heap after full collections, with the class histogram), {@code status},
 * {@code profile-start} / {@code profile-stop} (JFR), {@code stop}, {@code exit}.
 */
final class BenchConnectorJvm {

  static final String REPLY = "@bench ";
  private static final ObjectMapper JSON = new ObjectMapper();

  private Connector connector;
  private JfrProfile profile;
  private final Map<String, Mark> marks = new HashMap<>();

  private record Mark(long wallNanos, long cpuNanos, Map<Long, Map.Entry<String, Long>> threads, long allocated,
      long gcMillis) {}

  private BenchConnectorJvm() {}

  public static void main(String[] args) throws Exception {
    BenchSupport.quietLogs(Boolean.getBoolean("bench.verbose"));
    if (!Boolean.getBoolean("bench.verbose")
        && org.slf4j.LoggerFactory.getLogger("org.apache.kafka") instanceof ch.qos.logback.classic.Logger l) {
      l.setLevel(ch.qos.logback.classic.Level.ERROR); // a broker outage is a phase here, not news
    }
    PrintStream out = System.out;
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    BenchConnectorJvm jvm = new BenchConnectorJvm();
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isBlank()) {
        continue;
      }
      Map<String, Object> reply;
      JsonNode cmd = JSON.readTree(line);
      try {
        reply = jvm.handle(cmd);
      } catch (Exception | AssertionError e) {
        reply = new LinkedHashMap<>();
        reply.put("error", e.toString());
      }
      if (reply == null) {
        break; // exit
      }
      synchronized (out) {
        out.println(REPLY + JSON.writeValueAsString(reply));
        out.flush();
      }
    }
    jvm.stop();
    System.exit(0); // the connector's non-daemon threads must not keep a finished bench's JVM alive
  }

  private Map<String, Object> handle(JsonNode cmd) throws Exception {
    Map<String, Object> r = new LinkedHashMap<>();
    switch (cmd.path("op").asText()) {
      case "start" -> {
        Map<String, String> settings = new HashMap<>();
        cmd.path("settings").fields().forEachRemaining(e -> settings.put(e.getKey(), e.getValue().asText()));
        long t0 = System.nanoTime();
        connector = Connector.start(ConfigLoader.load(null, Map.of(), settings));
        r.put("startSeconds", BenchSupport.round((System.nanoTime() - t0) / 1e9, 2));
      }
      case "track" -> {
        int n = 0;
        for (JsonNode id : cmd.path("ids")) {
          if (connector.sessions().track(id.asText())) {
            n++;
          }
        }
        r.put("tracked", n);
      }
      case "await" -> {
        long target = cmd.path("delivered").asLong();
        Duration timeout = Duration.ofMillis(cmd.path("timeoutMs").asLong(300_000));
        boolean done = BenchSupport.await(() -> connector.status().delivered() >= target
            || connector.fatalError().isPresent(), timeout);
        r.put("finishedAtEpochMillis", System.currentTimeMillis());
        r.put("done", done && connector.status().delivered() >= target);
        r.put("delivered", connector.status().delivered());
        connector.fatalError().ifPresent(e -> r.put("fatalError", e.toString()));
      }
      case "await-polled" -> {
        // Every tracked session polled at least once and nothing in a step: the idle state.
        long target = cmd.path("polled").asLong();
        Duration timeout = Duration.ofMillis(cmd.path("timeoutMs").asLong(600_000));
        boolean done = BenchSupport.await(() -> connector.sessions().polled() >= target, timeout);
        r.put("done", done);
        r.put("polled", connector.sessions().polled());
      }
      case "mark" -> marks.put(cmd.path("name").asText(), mark());
      case "since" -> {
        Mark a = marks.get(cmd.path("name").asText());
        Mark b = mark();
        long units = Math.max(1, cmd.path("units").asLong(1));
        double seconds = (b.wallNanos - a.wallNanos) / 1e9;
        r.put("seconds", BenchSupport.round(seconds, 3));
        r.put("cpuNanos", b.cpuNanos - a.cpuNanos);
        r.put("cpuCoresUsed", BenchSupport.round((b.cpuNanos - a.cpuNanos) / 1e9 / seconds, 2));
        r.put("cpuMicrosPerUnit", BenchSupport.round((b.cpuNanos - a.cpuNanos) / 1e3 / units, 2));
        r.put("cpuMicrosPerUnitByThreadRole", BenchSupport.cpuByRole(a.threads, b.threads, b.cpuNanos - a.cpuNanos,
            units));
        r.put("allocatedBytesPerUnit", BenchSupport.round((double) (b.allocated - a.allocated) / units, 0));
        r.put("gcMillis", b.gcMillis - a.gcMillis);
      }
      case "heap" -> {
        r.put("heapAfterGcBytes", BenchSupport.heapAfterGc());
        if (connector != null) {
          r.put("producerPooledFreeBytes", BenchProducerPool.pooledFreeBytes(connector.sink()));
        }
        if (cmd.path("histogram").asBoolean()) {
          Map<String, Object> h = new LinkedHashMap<>();
          BenchSupport.classHistogram().forEach((k, v) -> h.put(k, List.of(v[0], v[1])));
          r.put("histogram", h);
        }
      }
      case "status" -> {
        r.put("delivered", connector.status().delivered());
        r.put("polled", connector.sessions().polled());
        r.put("sessionsByStatus", connector.sessions().countByStatus());
        r.put("maxInFlightRecords", connector.sink().maxObservedInFlightRecords());
        r.put("maxInFlightBytes", connector.sink().maxObservedInFlightBytes());
        r.put("threads", BenchSupport.threads());
        connector.fatalError().ifPresent(e -> r.put("fatalError", e.toString()));
      }
      case "profile-start" -> profile = JfrProfile.start(Path.of(cmd.path("file").asText()));
      case "profile-stop" -> {
        r.put("profile", profile.stopAndSummarise(15));
        profile.close();
        profile = null;
      }
      case "stop" -> stop();
      case "exit" -> {
        return null;
      }
      default -> throw new IllegalArgumentException("unknown command " + cmd);
    }
    return r;
  }

  private void stop() {
    if (connector != null) {
      connector.close();
      connector = null;
    }
  }

  private static Mark mark() {
    long allocated = 0;
    var mx = ManagementFactory.getThreadMXBean();
    if (mx instanceof com.sun.management.ThreadMXBean sun) {
      long[] ids = sun.getAllThreadIds();
      for (long a : sun.getThreadAllocatedBytes(ids)) {
        allocated += Math.max(0, a);
      }
    }
    long gc = 0;
    for (var g : ManagementFactory.getGarbageCollectorMXBeans()) {
      gc += Math.max(0, g.getCollectionTime());
    }
    return new Mark(System.nanoTime(), BenchSupport.processCpuNanos(), BenchSupport.threadCpu(), allocated, gc);
  }

  // ---- the bench's side ----------------------------------------------------------------------

  /** The bench's handle on a child JVM: sends commands, waits for their replies. */
  static final class Child implements AutoCloseable {
    private final Process process;
    private final Writer stdin;
    private final BufferedReader stdout;
    private final PrintStream console;
    private int otherLines;

    private Child(Process process, PrintStream console) {
      this.process = process;
      this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
      this.stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      this.console = console;
    }

    /** Starts {@code mainClass} in a JVM with this one's class path and heap limit. */
    static Process launch(String mainClass, List<String> args, boolean verbose) throws IOException {
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
        // Same heap and collector as the bench was given; no agents or debug ports.
        if (a.startsWith("-Xmx") || a.startsWith("-Xms") || a.startsWith("-XX:+Use") || a.startsWith("-XX:MaxRAM")) {
          cmd.add(a);
        }
      }
      cmd.add("-Dbench.verbose=" + verbose);
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add(mainClass);
      cmd.addAll(args);
      return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    static Child start(PrintStream console, boolean verbose) throws IOException {
      return new Child(launch(BenchConnectorJvm.class.getName(), List.of(), verbose), console);
    }

    long pid() {
      return process.pid();
    }

    @SuppressWarnings("unchecked")
    synchronized Map<String, Object> call(Map<String, Object> command) throws IOException {
      stdin.write(JSON.writeValueAsString(command));
      stdin.write('\n');
      stdin.flush();
      String line;
      while ((line = stdout.readLine()) != null) {
        if (line.startsWith(REPLY)) {
          Map<String, Object> reply = JSON.readValue(line.substring(REPLY.length()), Map.class);
          if (reply.containsKey("error")) {
            throw new IllegalStateException("connector JVM: '" + command.get("op") + "' failed: " + reply.get("error"));
          }
          return reply;
        }
        if (otherLines++ < 20) {
          console.println("   [connector JVM] " + line);
        }
      }
      throw new IllegalStateException("the connector JVM ended (exit " + waitExit() + ") before answering " + command);
    }

    Map<String, Object> call(String op, Object... keyValues) throws IOException {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("op", op);
      for (int i = 0; i + 1 < keyValues.length; i += 2) {
        c.put((String) keyValues[i], keyValues[i + 1]);
      }
      return call(c);
    }

    private int waitExit() {
      try {
        return process.waitFor(10, TimeUnit.SECONDS) ? process.exitValue() : -1;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return -1;
      }
    }

    @Override
    public void close() {
      try {
        if (process.isAlive()) {
          call("exit");
        }
      } catch (IOException | RuntimeException e) {
        // ended already; fall through to the forced stop
      }
      try {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }
}

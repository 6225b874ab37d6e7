package com.qoder.kafka.cli;

import ch.qos.logback.classic.Level;
import com.qoder.kafka.config.ConfigLoader;
import com.qoder.kafka.config.ConnectorConfig;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.EmbeddedKafka;
import com.qoder.kafka.runtime.Connector;
import com.qoder.kafka.sim.QoderSimulator;
import com.qoder.kafka.sim.RequestStats;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.JMException;
import javax.management.ObjectName;
import java.util.function.BooleanSupplier;
import org.slf4j.LoggerFactory;

/** Plumbing shared by the phases of {@code qoder-kafka bench}: connector assembly and JVM readings. */
final class BenchSupport {

  private BenchSupport() {}

  /**
   * A connector against {@code sim} and {@code kafka} with its own name and topics (so phases do not
   * read each other's records) and no ops server. Discovery is off and only {@code firstSession}
   * is configured: the phase tracks the others itself through {@code sessions().track}, the call
   * discovery makes, so it controls when they start. {@code phaseSettings} come next, then the
   * user's {@code --set} values, which win.
   */
  static Connector connector(String phase, QoderSimulator sim, EmbeddedKafka kafka, String firstSession,
      Map<String, String> phaseSettings, Map<String, String> userSettings) {
    // The environment does not leak into a benchmark: only the values above count.
    ConnectorConfig config = ConfigLoader.load(null, Map.of(), connectorSettings(phase, sim.baseUrl(), sim.token(),
        kafka, firstSession, phaseSettings, userSettings));
    return Connector.start(config);
  }

  /** The settings of {@link #connector}, for a connector started in another JVM ({@link BenchConnectorJvm}). */
  static Map<String, String> connectorSettings(String phase, String baseUrl, String token, EmbeddedKafka kafka,
      String firstSession, Map<String, String> phaseSettings, Map<String, String> userSettings) {
    Map<String, String> o = new HashMap<>();
    o.put(Settings.QODER_BASE_URL.key(), baseUrl);
    o.put(Settings.QODER_TOKEN.key(), token);
    o.put(Settings.KAFKA_BOOTSTRAP.key(), kafka.bootstrapServers());
    o.put(Settings.REGISTRY_URL.key(), "mock://bench-" + phase);
    o.put(Settings.CONNECTOR_NAME.key(), "bench-" + phase);
    o.put(Settings.TOPIC_EVENTS.key(), eventsTopic(phase));
    o.put(Settings.TOPIC_ERRORS.key(), "bench." + phase + ".errors");
    o.put(Settings.TOPIC_DEAD_LETTER.key(), "bench." + phase + ".dead-letter");
    o.put(Settings.DISCOVERY.key(), "off");
    if (firstSession != null) {
      o.put(Settings.SESSION_IDS.key(), firstSession);
    }
    o.put(Settings.OPS_ENABLED.key(), "false");
    o.put(Settings.SHUTDOWN_TIMEOUT.key(), "5s");
    // The events pipeline is what the phases measure; the change sources (resources, files, the
    // sessions list) poll on their own and are switched on with --set sources.<name>.enabled=true.
    o.put(Settings.SOURCE_RESOURCES.key(), "false");
    o.put(Settings.SOURCE_FILES.key(), "false");
    o.put(Settings.SOURCE_SESSIONS.key(), "false");
    o.putAll(phaseSettings);
    o.putAll(userSettings);
    return o;
  }

  static String eventsTopic(String phase) {
    return "bench." + phase + ".events";
  }

  /** Polls {@code condition} every 5 ms until it holds or {@code timeout} passes; returns whether it held. */
  static boolean await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(5); // the bench measures from outside; a 5 ms poll bounds the timing error
    }
    return true;
  }

  /**
   * Heap in use right after full collections (a few rounds until it stops shrinking), in bytes: the
   * heap pools' usage as the collector left it. Reading the heap's current usage instead, even
   * 100 ms later, counts what a running connector allocated meanwhile — at 5,000 requests/s that was
   * 170-210 bytes a session on top of the live objects in the memory-idle phase.
   */
  static long heapAfterGc() throws InterruptedException {
    long previous = Long.MAX_VALUE;
    long used = 0;
    for (int i = 0; i < 5; i++) {
      System.gc();
      used = heapLeftByLastCollection();
      if (used >= previous - previous / 200) {
        break; // within 0.5 % of the previous round: settled
      }
      previous = used;
      Thread.sleep(100);
    }
    return used;
  }

  private static long heapLeftByLastCollection() {
    long sum = 0;
    boolean any = false;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      MemoryUsage after = pool.getType() == MemoryType.HEAP ? pool.getCollectionUsage() : null;
      if (after != null) {
        sum += after.getUsed();
        any = true;
      }
    }
    return any ? sum : ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** CPU time of the whole process (connector, simulator and broker share it), in nanoseconds. */
  static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  /**
   * The live objects per class ({@code jcmd <pid> GC.class_histogram}, which collects first):
   * class name to {instances, bytes}.
   */
  static Map<String, long[]> classHistogram() {
    Map<String, long[]> out = new HashMap<>();
    try {
      Object text = ManagementFactory.getPlatformMBeanServer().invoke(
          new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
          new Object[] {new String[0]}, new String[] {String[].class.getName()});
      for (String line : text.toString().split("\n")) {
        Matcher m = HISTOGRAM_LINE.matcher(line);
        if (m.find()) {
          out.put(m.group(3), new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
        }
      }
    } catch (JMException e) {
      out.put("(class histogram unavailable: " + e.getMessage() + ")", new long[] {0, 0});
    }
    return out;
  }

  /** "   1:        123456       7890123  java.lang.String (java.base@17)" */
  private static final Pattern HISTOGRAM_LINE = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");

  /** The classes whose live bytes grew most from {@code before} to {@code after}, per {@code per} units. */
  static Map<String, String> histogramGrowth(Map<String, long[]> before, Map<String, long[]> after, long per, int top) {
    List<Map.Entry<String, long[]>> growth = new ArrayList<>();
    for (Map.Entry<String, long[]> e : after.entrySet()) {
      long[] b = before.getOrDefault(e.getKey(), new long[2]);
      growth.add(Map.entry(e.getKey(), new long[] {e.getValue()[0] - b[0], e.getValue()[1] - b[1]}));
    }
    growth.sort((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]));
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : growth.subList(0, Math.min(top, growth.size()))) {
      out.put(e.getKey(), String.format("%.1f bytes, %.2f objects per session", (double) e.getValue()[1] / per,
          (double) e.getValue()[0] / per));
    }
    return out;
  }

  /** The system load average over the last minute (other processes on the machine skew every number). */
  static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  /** CPU time of every live Java thread so far, in nanoseconds, by thread id (with the thread's name). */
  static Map<Long, Map.Entry<String, Long>> threadCpu() {
    java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    Map<Long, Map.Entry<String, Long>> out = new HashMap<>();
    for (java.lang.management.ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      long cpu = mx.getThreadCpuTime(info.getThreadId());
      if (cpu >= 0) {
        out.put(info.getThreadId(), Map.entry(info.getThreadName(), cpu));
      }
    }
    return out;
  }

  /**
   * CPU per unit of work by thread role between two {@link #threadCpu()} readings, in microseconds;
   * what the Java threads do not account for of the process CPU is the JVM's own (GC, JIT).
   */
  static Map<String, Double> cpuByRole(Map<Long, Map.Entry<String, Long>> before,
      Map<Long, Map.Entry<String, Long>> after, long processCpuNanos, long units) {
    Map<String, Long> byRole = new HashMap<>();
    long threads = 0;
    for (Map.Entry<Long, Map.Entry<String, Long>> e : after.entrySet()) {
      Map.Entry<String, Long> b = before.get(e.getKey());
      long d = e.getValue().getValue() - (b == null ? 0 : b.getValue());
      threads += d;
      String role = JfrProfile.role(e.getValue().getKey());
      byRole.merge(role.startsWith("other") ? "other Java threads" : role, d, Long::sum);
    }
    byRole.put("JVM (GC, JIT compiler; not a Java thread)", Math.max(0, processCpuNanos - threads));
    Map<String, Double> out = new LinkedHashMap<>();
    byRole.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(en -> out.put(en.getKey(), round(en.getValue() / 1e3 / Math.max(1, units), 2)));
    return out;
  }

  static int threads() {
    return ManagementFactory.getThreadMXBean().getThreadCount();
  }

  static int cores() {
    return Runtime.getRuntime().availableProcessors();
  }

  /** The connector logs every session's status change at INFO: fine in production, noise for 100,000 sessions. */
  static void quietLogs(boolean verbose) {
    if (verbose) {
      return;
    }
    if (LoggerFactory.getLogger("com.qoder") instanceof ch.qos.logback.classic.Logger l) {
      l.setLevel(Level.WARN);
    }
  }

  static double round(double v, int digits) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return v;
    }
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }

  /** The requests per endpoint from {@code before} to {@code after}, endpoints without any left out. */
  static Map<String, Long> byEndpoint(RequestStats before, RequestStats after) {
    Map<String, Long> out = new LinkedHashMap<>();
    after.byEndpoint().forEach((e, n) -> {
      long d = n - before.endpoint(e);
      if (d > 0) {
        out.put(e.name(), d);
      }
    });
    return out;
  }
}

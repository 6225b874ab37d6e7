package com.qoder.kafka.cli;

import com.qoder.kafka.kafka.EmbeddedKafka;
import com.qoder.kafka.kafka.TopicAdmin;
import com.qoder.kafka.kafka.KafkaSinkOptions;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.tools.ProducerPerformance;

/**
 * The raw limit: Apache Kafka's own {@code kafka-producer-perf-test} ({@link ProducerPerformance})
 * against the same broker, with the connector's producer settings and records of the connector's
 * average size. Its final summary line is parsed; the whole output is kept in the report.
 */
final class RawProducerBench {

  /** {@code ProducerPerformance.Stats.printTotal}: "N records sent, X records/sec (Y MB/sec), A ms avg latency, M ms max latency, P50 ms 50th, ..." */
  private static final Pattern TOTAL = Pattern.compile(
      "(\\d+) records sent, ([\\d.]+) records/sec \\(([\\d.]+) MB/sec\\), ([\\d.]+) ms avg latency, ([\\d.]+) ms max latency,"
          + " (\\d+) ms 50th, (\\d+) ms 95th, (\\d+) ms 99th, (\\d+) ms 99.9th");

  private RawProducerBench() {}

  /**
   * The producer properties of the connector's {@link com.qoder.kafka.kafka.KafkaSink} with its
   * defaults: acks=all, idempotence, lz4, linger 10 ms, batch 256 KiB, 5 requests in flight, and
   * the buffer the sink sizes from its in-flight bound.
   */
  static List<String> connectorProducerProps(long maxInFlightBytes) {
    KafkaSinkOptions d = KafkaSinkOptions.defaults("unused:9092");
    long buffer = Math.max(64L * 1024 * 1024, 2 * maxInFlightBytes + 4L * Math.max(d.batchSizeBytes(), d.maxRequestSizeBytes()));
    return List.of("acks=all", "enable.idempotence=true", "max.in.flight.requests.per.connection=5",
        "compression.type=" + d.compression(), "linger.ms=" + d.linger().toMillis(),
        "batch.size=" + d.batchSizeBytes(), "max.request.size=" + d.maxRequestSizeBytes(),
        "buffer.memory=" + buffer, "client.id=bench-raw-producer");
  }

  /**
   * Runs ProducerPerformance in a JVM of its own (as the connector runs in its own), so that its
   * process CPU per record is the producer's alone; the broker stays in the bench's JVM, whose CPU
   * over the same time is reported beside it.
   */
  static Map<String, Object> run(EmbeddedKafka kafka, long records, int recordSize, int partitions,
      List<String> producerProps, PrintStream console) throws Exception {
    String topic = "bench.raw.events";
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
      TopicAdmin.awaitWritable(admin, topic, Duration.ofSeconds(60));
    }
    List<String> args = new ArrayList<>(List.of("--bootstrap-server", kafka.bootstrapServers(), "--topic", topic,
        "--num-records", Long.toString(records), "--record-size", Integer.toString(recordSize),
        "--throughput", "-1", "--command-property"));
    args.addAll(producerProps);
    console.println("  $ kafka-producer-perf-test " + String.join(" ", args) + "   (in its own JVM)");
    StringBuilder captured = new StringBuilder();
    long started = System.nanoTime();
    long brokerCpu0 = BenchSupport.processCpuNanos();
    Process p = BenchConnectorJvm.Child.launch(RawProducerBench.class.getName(), args, false);
    p.getOutputStream().close();
    Map<String, Object> child = null;
    try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.startsWith(BenchConnectorJvm.REPLY)) {
          @SuppressWarnings("unchecked")
          Map<String, Object> m = new com.fasterxml.jackson.databind.ObjectMapper()
              .readValue(line.substring(BenchConnectorJvm.REPLY.length()), Map.class);
          child = m;
        } else {
          captured.append(line).append('\n');
          console.println(line);
        }
      }
    }
    int exit = p.waitFor();
    double wallSeconds = (System.nanoTime() - started) / 1e9;
    long brokerCpu = BenchSupport.processCpuNanos() - brokerCpu0;
    String output = captured.toString();
    Matcher m = null;
    for (String line : output.split("\n")) {
      Matcher candidate = TOTAL.matcher(line);
      if (candidate.find()) {
        m = candidate; // the last matching line is the total (window lines have no percentiles)
      }
    }
    if (m == null || child == null) {
      throw new IllegalStateException("the producer JVM (exit " + exit + ") printed no summary; its output was:\n" + output);
    }
    long n = Long.parseLong(m.group(1));
    long cpuNanos = ((Number) child.get("cpuNanos")).longValue();
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("tool", "org.apache.kafka.tools.ProducerPerformance (kafka-tools, same version as the clients), own JVM");
    r.put("topic", topic);
    r.put("partitions", partitions);
    r.put("records", n);
    r.put("recordSizeBytes", recordSize);
    r.put("recordsPerSecond", Double.parseDouble(m.group(2)));
    r.put("mbPerSecond", Double.parseDouble(m.group(3)));
    r.put("avgLatencyMs", Double.parseDouble(m.group(4)));
    r.put("maxLatencyMs", Double.parseDouble(m.group(5)));
    r.put("p50LatencyMs", Integer.parseInt(m.group(6)));
    r.put("p99LatencyMs", Integer.parseInt(m.group(8)));
    r.put("wallSeconds", BenchSupport.round(wallSeconds, 2));
    // The producer JVM's process CPU (its send loop, I/O thread, GC and JIT) per record: what the
    // connector JVM's CPU per event is held against.
    r.put("cpuMicrosPerRecord", BenchSupport.round(cpuNanos / 1e3 / n, 2));
    r.put("cpuMicrosPerRecordByThreadRole", child.get("cpuMicrosPerRecordByThreadRole"));
    r.put("allocatedBytesPerRecord", child.get("allocatedBytesPerRecord"));
    r.put("producerJvmCpuCoresUsed", BenchSupport.round(cpuNanos / 1e9 / wallSeconds, 2));
    // The bench's JVM meanwhile: the broker (and an idle simulator), JVM start-up of the child excluded.
    r.put("brokerJvmCpuMicrosPerRecord", BenchSupport.round(brokerCpu / 1e3 / n, 2));
    r.put("producerProps", producerProps);
    r.put("summaryLine", m.group(0));
    return r;
  }

  /** The producer JVM: ProducerPerformance with {@code args}, then one reply line with its own CPU. */
  public static void main(String[] args) throws Exception {
    long cpu0 = BenchSupport.processCpuNanos();
    Map<Long, Map.Entry<String, Long>> threads0 = BenchSupport.threadCpu();
    long alloc0 = allocated();
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    System.setOut(new PrintStream(new Tee(captured, original), true, StandardCharsets.UTF_8));
    try {
      ProducerPerformance.main(args);
    } finally {
      System.out.flush();
      System.setOut(original);
    }
    long cpu = BenchSupport.processCpuNanos() - cpu0;
    long records = 1;
    for (String line : captured.toString(StandardCharsets.UTF_8).split("\n")) {
      Matcher candidate = TOTAL.matcher(line);
      if (candidate.find()) {
        records = Long.parseLong(candidate.group(1));
      }
    }
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("cpuNanos", cpu);
    r.put("cpuMicrosPerRecordByThreadRole", BenchSupport.cpuByRole(threads0, BenchSupport.threadCpu(), cpu, records));
    r.put("allocatedBytesPerRecord", BenchSupport.round((double) (allocated() - alloc0) / records, 0));
    original.println(BenchConnectorJvm.REPLY + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(r));
    original.flush();
    System.exit(0);
  }

  private static long allocated() {
    long sum = 0;
    if (java.lang.management.ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean sun) {
      for (long a : sun.getThreadAllocatedBytes(sun.getAllThreadIds())) {
        sum += Math.max(0, a);
      }
    }
    return sum;
  }

  /** Writes to two streams. */
  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int x) throws java.io.IOException {
      a.write(x);
      b.write(x);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws java.io.IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }

    @Override
    public void flush() throws java.io.IOException {
      a.flush();
      b.flush();
    }
  }
}

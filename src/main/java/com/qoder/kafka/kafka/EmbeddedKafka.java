package com.qoder.kafka.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool$;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Apache Kafka cluster (KRaft, combined broker and controller) running inside this
 * JVM, built from Kafka's own server classes. The demo, the integration tests and the benchmark
 * use it so that "a real broker everywhere" costs a few seconds and no Docker.
 *
 * <p>Start-up mirrors the two shell scripts of a Kafka distribution: the storage is formatted as
 * {@code kafka-storage.sh format --standalone -t <cluster id> -c server.properties} does (the same
 * {@code kafka.tools.StorageTool} entry point), then {@code kafka.server.KafkaRaftServer} is
 * started as {@code kafka-server-start.sh} does. Both listeners bind 127.0.0.1 only; their ports
 * are chosen once (by binding port 0 and reading it back) and kept, because a KRaft quorum
 * records the controller endpoint at format time and clients remember the broker endpoint — so
 * {@link #stop()} then {@link #restart()} brings the same broker back on the same port with the
 * same data, which is what "broker down for 30 s, then back" tests need.
 *
 * <p>Defaults are for tests and the demo: replication factor 1 for the internal topics, no
 * initial rebalance delay, topic auto-creation off (the connector must not rely on it). The log
 * directory is a fresh temporary directory, deleted by {@link #close()}.
 *
 * <p>Thread-safety: the lifecycle methods are synchronized; {@link #bootstrapServers()} may be
 * read from any thread.
 */
public final class EmbeddedKafka implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);
  private static final int NODE_ID = 1;
  private static final String BROKER_LISTENER = "PLAINTEXT";
  private static final String CONTROLLER_LISTENER = "CONTROLLER";
  private static final String HOST = "127.0.0.1";

  /**
   * Options of an embedded cluster.
   *
   * @param autoCreateTopics {@code auto.create.topics.enable}; default false, like a production
   *     cluster configured for the connector
   * @param numPartitions {@code num.partitions} for auto-created topics; default 1
   * @param brokerProperties extra broker properties, applied last (they win over the defaults)
   * @param startTimeout how long {@link #start(Options)} and {@link #restart()} wait for the
   *     broker to answer; default 60 s
   */
  public record Options(
      boolean autoCreateTopics,
      int numPartitions,
      Map<String, String> brokerProperties,
      Duration startTimeout) {

    public static final boolean DEFAULT_AUTO_CREATE_TOPICS = false;
    public static final int DEFAULT_NUM_PARTITIONS = 1;
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);

    public Options {
      if (numPartitions < 1) {
        throw new IllegalArgumentException("numPartitions must be >= 1, was " + numPartitions);
      }
      Objects.requireNonNull(startTimeout, "startTimeout");
      if (startTimeout.isNegative() || startTimeout.isZero()) {
        throw new IllegalArgumentException("startTimeout must be positive, was " + startTimeout);
      }
      brokerProperties = Map.copyOf(Objects.requireNonNull(brokerProperties, "brokerProperties"));
    }

    public static Options defaults() {
      return new Options(
          DEFAULT_AUTO_CREATE_TOPICS, DEFAULT_NUM_PARTITIONS, Map.of(), DEFAULT_START_TIMEOUT);
    }

    public Options withAutoCreateTopics(boolean enabled) {
      return new Options(enabled, numPartitions, brokerProperties, startTimeout);
    }

    public Options withNumPartitions(int partitions) {
      return new Options(autoCreateTopics, partitions, brokerProperties, startTimeout);
    }

    /** Returns a copy with one more broker property (overrides a default of the same key). */
    public Options withBrokerProperty(String key, String value) {
      Map<String, String> copy = new TreeMap<>(brokerProperties);
      copy.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return new Options(autoCreateTopics, numPartitions, copy, startTimeout);
    }

    public Options withStartTimeout(Duration timeout) {
      return new Options(autoCreateTopics, numPartitions, brokerProperties, timeout);
    }
  }

  private enum State { RUNNING, STOPPED, CLOSED }

  private final Options options;
  private final Path dataDir;
  private final int brokerPort;
  private final int controllerPort;
  private final Properties serverProperties;
  private final AtomicReference<State> state = new AtomicReference<>(State.STOPPED);
  private KafkaRaftServer server;

  private EmbeddedKafka(Options options, Path dataDir, int brokerPort, int controllerPort) {
    this.options = options;
    this.dataDir = dataDir;
    this.brokerPort = brokerPort;
    this.controllerPort = controllerPort;
    this.serverProperties = serverProperties();
  }

  /** Formats fresh storage in a temporary directory and starts the cluster. */
  public static EmbeddedKafka start(Options options) {
    Objects.requireNonNull(options, "options");
    installNonExitingProcedures();
    Path dir;
    try {
      dir = Files.createTempDirectory("qoder-embedded-kafka-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory for the embedded broker", e);
    }
    EmbeddedKafka kafka = new EmbeddedKafka(options, dir, freePort(), freePort());
    try {
      kafka.format();
      kafka.startServer();
      return kafka;
    } catch (RuntimeException | Error e) {
      kafka.close();
      throw e;
    }
  }

  public static EmbeddedKafka start() {
    return start(Options.defaults());
  }

  /** {@code host:port} of the broker listener, for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return HOST + ":" + brokerPort;
  }

  public int brokerPort() {
    return brokerPort;
  }

  public Path dataDirectory() {
    return dataDir;
  }

  public Options options() {
    return options;
  }

  public boolean isRunning() {
    return state.get() == State.RUNNING;
  }

  /** Shuts the broker down (clients see it gone) but keeps its data and ports for {@link #restart()}. */
  public synchronized void stop() {
    if (state.get() != State.RUNNING) {
      return;
    }
    shutdownServer();
    state.set(State.STOPPED);
  }

  /** Starts the broker again on the same ports with the same data. Stops it first if running. */
  public synchronized void restart() {
    if (state.get() == State.CLOSED) {
      throw new IllegalStateException("the embedded broker is closed; start a new one");
    }
    stop();
    startServer();
  }

  /** Stops the broker and deletes its data directory. Idempotent. */
  @Override
  public synchronized void close() {
    State previous = state.getAndSet(State.CLOSED);
    if (previous == State.CLOSED) {
      return;
    }
    if (previous == State.RUNNING) {
      shutdownServer();
    }
    deleteRecursively(dataDir);
  }

  @Override
  public String toString() {
    return "EmbeddedKafka[" + bootstrapServers() + ", " + state.get() + "]";
  }

  private Properties serverProperties() {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", Integer.toString(NODE_ID));
    p.put("controller.quorum.bootstrap.servers", HOST + ":" + controllerPort);
    p.put("listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort + ","
        + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
    p.put("advertised.listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort);
    p.put("controller.listener.names", CONTROLLER_LISTENER);
    p.put("inter.broker.listener.name", BROKER_LISTENER);
    p.put("listener.security.protocol.map",
        BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
    p.put("log.dirs", dataDir.resolve("logs").toString());
    // A single node cannot hold more than one replica of the internal topics.
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "5");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "5");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("auto.create.topics.enable", Boolean.toString(options.autoCreateTopics()));
    p.put("num.partitions", Integer.toString(options.numPartitions()));
    // Fewer threads than the defaults: tests start several brokers on a 2-core machine.
    p.put("num.network.threads", "2");
    p.put("num.io.threads", "2");
    p.put("background.threads", "2");
    p.put("log.cleaner.threads", "1");
    p.put("log.cleaner.backoff.ms", "1000");
    // Durability comes from the log on disk; skipping fsync keeps tests fast.
    p.put("log.flush.interval.messages", Long.toString(Long.MAX_VALUE));
    p.put("controlled.shutdown.enable", "true");
    p.put("controller.quorum.election.timeout.ms", "1000");
    p.put("controller.quorum.fetch.timeout.ms", "2000");
    p.putAll(options.brokerProperties());
    return p;
  }

  private void format() {
    Path config = dataDir.resolve("server.properties");
    try (OutputStream out = Files.newOutputStream(config)) {
      serverProperties.store(out, "embedded Kafka (qoder-kafka-connector)");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + config, e);
    }
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    int exit;
    try (PrintStream printStream = new PrintStream(output, true, StandardCharsets.UTF_8)) {
      String[] args = {
        "format", "--standalone", "--cluster-id", Uuid.randomUuid().toString(),
        "--config", config.toString()
      };
      exit = StorageTool$.MODULE$.execute(args, printStream);
    } catch (Exception e) {
      throw new IllegalStateException(
          "formatting the embedded broker's storage in " + dataDir + " failed: " + e.getMessage(), e);
    }
    if (exit != 0) {
      throw new IllegalStateException("formatting the embedded broker's storage in " + dataDir
          + " failed with exit code " + exit + ": " + output.toString(StandardCharsets.UTF_8));
    }
  }

  private void startServer() {
    long started = System.nanoTime();
    KafkaRaftServer raftServer = new KafkaRaftServer(new KafkaConfig(serverProperties, false), Time.SYSTEM);
    server = raftServer;
    try {
      raftServer.startup();
      awaitBrokerReady();
    } catch (RuntimeException e) {
      shutdownServer();
      throw new IllegalStateException("the embedded broker did not start on " + bootstrapServers()
          + ": " + e.getMessage(), e);
    }
    state.set(State.RUNNING);
    log.info("Embedded Kafka broker up on {} in {} ms (data in {})", bootstrapServers(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), dataDir);
  }

  /** KafkaRaftServer.startup returns once the broker is unfenced; this also proves a client can talk to it. */
  private void awaitBrokerReady() {
    Map<String, Object> config = Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
        AdminClientConfig.CLIENT_ID_CONFIG, "embedded-kafka-readiness");
    long deadline = System.nanoTime() + options.startTimeout().toNanos();
    try (Admin admin = Admin.create(config)) {
      while (true) {
        long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (remainingMs <= 0) {
          throw new IllegalStateException("the broker did not answer within " + options.startTimeout());
        }
        try {
          int nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) Math.min(remainingMs, 5_000)))
              .nodes().get().size();
          if (nodes > 0) {
            return;
          }
        } catch (ExecutionException e) {
          log.debug("embedded broker not ready yet: {}", e.getCause().toString());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the embedded broker", e);
    }
  }

  private void shutdownServer() {
    KafkaRaftServer s = server;
    server = null;
    if (s == null) {
      return;
    }
    try {
      s.shutdown();
      s.awaitShutdown();
    } catch (RuntimeException e) {
      log.warn("embedded broker shutdown reported an error: {}", e.toString());
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free port on " + HOST, e);
    }
  }

  /**
   * Kafka's server calls {@code Exit.halt} / {@code Exit.exit} on fatal faults. Inside a test JVM
   * or the demo process that would kill the whole JVM (and the connector with it), so the embedded
   * broker logs the request and throws instead, as Kafka's own test harness does.
   */
  private static void installNonExitingProcedures() {
    Exit.setExitProcedure((status, message) -> {
      log.error("embedded Kafka asked to exit with status {}: {}", status, message);
      throw new IllegalStateException("embedded Kafka asked to exit (" + status + "): " + message);
    });
    Exit.setHaltProcedure((status, message) -> {
      log.error("embedded Kafka asked to halt with status {}: {}", status, message);
      throw new IllegalStateException("embedded Kafka asked to halt (" + status + "): " + message);
    });
  }

  private static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
          Files.deleteIfExists(dir);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      log.warn("could not delete the embedded broker's data directory {}: {}", root, e.toString());
    }
  }
}

package com.qoder.kafka.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import com.qoder.kafka.config.ConfigException;
import com.qoder.kafka.config.ConnectorConfig;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The frame of every admin command: load the configuration like {@code run}, keep the
 * connector's own logging out of the command's output, and turn failures into a message and an
 * exit code.
 *
 * <p>Exit codes: 0 done, 1 the command could not do its work (refused, unreachable, incompatible),
 * 2 invalid configuration or usage.
 */
abstract class AdminCommand implements Callable<Integer> {

  static final int OK = 0;
  static final int FAILED = 1;
  static final int INVALID = 2;

  @Mixin ConfigOptions options;

  @Option(names = {"-v", "--verbose"}, description = "Show the connector's INFO logs and Kafka's client logs (on stderr).")
  boolean verbose;

  /** Long enough for a healthy cluster to answer; short enough that a wrong address fails fast. */
  static final String DEFAULT_TIMEOUT = "10s";

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = DEFAULT_TIMEOUT,
      converter = DurationConverter.class,
      description = "How long to wait for Kafka (and the instance) before giving up. Default: ${DEFAULT-VALUE}.")
  Duration timeout;

  @Spec CommandSpec spec;

  /** Does the command's work with a valid configuration; returns the exit code. */
  abstract int execute(ConnectorConfig config, PrintWriter out, PrintWriter err) throws Exception;

  /** Whether the configuration's warnings are printed to stderr before the command runs. */
  boolean printsWarnings() {
    return true;
  }

  @Override
  public final Integer call() throws Exception {
    options.applyLogging();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ConnectorConfig config;
    try {
      config = options.load();
    } catch (ConfigException e) {
      err.println(e.getMessage());
      err.flush();
      return INVALID;
    }
    if (printsWarnings()) {
      config.warnings().forEach(w -> err.println("warning: " + w));
    }
    try (QuietLogs quiet = new QuietLogs(verbose)) {
      return execute(config, out, err);
    } catch (ConfigException | IllegalArgumentException e) {
      err.println(e.getMessage());
      return INVALID;
    } catch (RuntimeException e) {
      err.println(spec.qualifiedName() + ": " + e.getMessage());
      return FAILED;
    } finally {
      out.flush();
      err.flush();
    }
  }

  /**
   * While a command runs, the connector's loggers log at WARN (INFO with --verbose) and console
   * appenders write to stderr, so stdout holds only the command's output and can be piped.
   * Restores both afterwards (commands also run inside tests).
   */
  private static final class QuietLogs implements AutoCloseable {
    private final Logger qoder;
    private final Level previousLevel;
    private final List<Logger> kafka = new ArrayList<>();
    private final List<Level> kafkaLevels = new ArrayList<>();
    private final List<ConsoleAppender<ILoggingEvent>> moved = new ArrayList<>();
    private final List<String> previousTargets = new ArrayList<>();

    QuietLogs(boolean verbose) {
      if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
        qoder = null;
        previousLevel = null;
        return;
      }
      qoder = ctx.getLogger("com.qoder");
      previousLevel = qoder.getLevel();
      qoder.setLevel(verbose ? Level.INFO : Level.WARN);
      if (!verbose) {
        // The Kafka client logs a WARN a second while a broker is unreachable; the command says it
        // once, with the bootstrap servers, when its --timeout is over.
        for (String name : List.of("org.apache.kafka", "kafka")) {
          Logger l = ctx.getLogger(name);
          kafka.add(l);
          kafkaLevels.add(l.getLevel());
          l.setLevel(Level.OFF);
        }
      }
      for (Iterator<Appender<ILoggingEvent>> it = ctx.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders();
          it.hasNext(); ) {
        if (it.next() instanceof ConsoleAppender<ILoggingEvent> console && !"System.err".equals(console.getTarget())) {
          previousTargets.add(console.getTarget());
          retarget(console, "System.err");
          moved.add(console);
        }
      }
    }

    private static void retarget(ConsoleAppender<ILoggingEvent> console, String target) {
      console.stop();
      console.setTarget(target);
      console.start();
    }

    @Override
    public void close() {
      if (qoder == null) {
        return;
      }
      qoder.setLevel(previousLevel);
      for (int i = 0; i < kafka.size(); i++) {
        kafka.get(i).setLevel(kafkaLevels.get(i));
      }
      for (int i = 0; i < moved.size(); i++) {
        retarget(moved.get(i), previousTargets.get(i));
      }
    }
  }
}

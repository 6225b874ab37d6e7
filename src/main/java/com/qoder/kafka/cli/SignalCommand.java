package com.qoder.kafka.cli;

import com.qoder.kafka.config.ConnectorConfig;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.KafkaClientProperties;
import com.qoder.kafka.signal.Signal;
import com.qoder.kafka.signal.SignalRequests;
import java.io.PrintWriter;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code qoder-kafka signal}: writes a live signal for the running connector instances. */
@Command(name = "signal", mixinStandardHelpOptions = true,
    description = {"Writes a live signal to the connector's signals topic; the instance that owns the session acts",
        "on it while it runs and answers on the notifications topic (accepted, started, progress, done, failed)."},
    subcommands = {SignalCommand.Resync.class, SignalCommand.Pause.class, SignalCommand.Resume.class,
        SignalCommand.ResyncFiles.class})
final class SignalCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The frame of each subcommand: build the signal, write it, print where to follow it. */
  abstract static class Write extends AdminCommand {
    @Option(names = "--id", paramLabel = "ID", description = "The signal's id (default: a fresh sig-… id).")
    String id;

    abstract Signal signal();

    @Override
    final int execute(ConnectorConfig config, PrintWriter out, PrintWriter err) {
      Signal s = signal();
      SignalRequests.Written w = SignalRequests.write(config.string(Settings.KAFKA_BOOTSTRAP),
          KafkaClientProperties.of(config.kafkaProperties()).toClientConfig(), config.signalsTopic(),
          config.notificationsTopic(), s, timeout);
      out.println(w.describe());
      return OK;
    }
  }

  @Command(name = "resync", mixinStandardHelpOptions = true,
      description = {"Produces a session's events again, up to where it stands now, while the connector runs.",
          "  --mode missing    only the events the events topic lacks (default)",
          "  --mode republish  every event again, each with the header qoder_signal=<signal id>"},
      exitCodeListHeading = "Exit codes:%n",
      exitCodeList = {"0:written", "1:Kafka did not acknowledge it", "2:invalid arguments or configuration"})
  static final class Resync extends Write {
    @Option(names = "--session", required = true, paramLabel = "SESSION",
        description = "The session (sess_… or UUID).")
    String session;

    @Option(names = "--from", paramLabel = "TIME",
        description = "Only events created at or after TIME (ISO-8601 instant or date); default: from the first.")
    String from;

    @Option(names = "--mode", paramLabel = "missing|republish", defaultValue = "missing",
        description = "missing or republish. Default: ${DEFAULT-VALUE}.")
    Signal.Mode mode;

    @Override
    Signal signal() {
      Instant f = from == null ? null : SignalRequests.parseFrom(from);
      return SignalRequests.build(Signal.Type.RESYNC, id, session, f, mode);
    }
  }

  @Command(name = "pause", mixinStandardHelpOptions = true,
      description = "Stops polling a session until resume; the pause is stored with its offsets (survives restarts).",
      exitCodeListHeading = "Exit codes:%n",
      exitCodeList = {"0:written", "1:Kafka did not acknowledge it", "2:invalid arguments or configuration"})
  static final class Pause extends Write {
    @Option(names = "--session", required = true, paramLabel = "SESSION",
        description = "The session (sess_… or UUID).")
    String session;

    @Override
    Signal signal() {
      return SignalRequests.build(Signal.Type.PAUSE, id, session, null, null);
    }
  }

  @Command(name = "resume", mixinStandardHelpOptions = true, description = "Polls a paused session again.",
      exitCodeListHeading = "Exit codes:%n",
      exitCodeList = {"0:written", "1:Kafka did not acknowledge it", "2:invalid arguments or configuration"})
  static final class Resume extends Write {
    @Option(names = "--session", required = true, paramLabel = "SESSION",
        description = "The session (sess_… or UUID).")
    String session;

    @Override
    Signal signal() {
      return SignalRequests.build(Signal.Type.RESUME, id, session, null, null);
    }
  }

  @Command(name = "resync-files", mixinStandardHelpOptions = true,
      description = "Runs a full scan of the files list now: new, changed and deleted files are produced.",
      exitCodeListHeading = "Exit codes:%n",
      exitCodeList = {"0:written", "1:Kafka did not acknowledge it", "2:invalid arguments or configuration"})
  static final class ResyncFiles extends Write {
    @Override
    Signal signal() {
      return SignalRequests.build(Signal.Type.RESYNC_FILES, id, null, null, null);
    }
  }
}

package com.qoder.kafka.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code qoder-kafka offsets}: the connector's positions in its compacted offsets topic. */
@Command(name = "offsets", mixinStandardHelpOptions = true,
    description = {"Lists, shows and rewrites the connector's positions (the compacted offsets topic).",
        "Rewrites are refused while instances of the connector are running."},
    subcommands = {OffsetsListCommand.class, OffsetsShowCommand.class, OffsetsResetCommand.class,
        OffsetsDeleteCommand.class})
final class OffsetsCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}

package com.qoder.kafka.cli;

import picocli.CommandLine;

/**
 * Entry point of {@code qoder-kafka-tools.jar}: the product's commands plus the tooling that must
 * not ship in production (it needs the in-process broker, kafka-tools and the simulator):
 * {@code demo}, {@code simulate} and {@code bench}.
 */
public final class ToolsMain {

  private ToolsMain() {}

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The product's command line with the tooling commands added. */
  public static CommandLine commandLine() {
    return commandLine(CommandLine.defaultFactory());
  }

  /** As {@link #commandLine()}, with {@code factory} making the commands (tests give them another environment). */
  static CommandLine commandLine(CommandLine.IFactory factory) {
    CommandLine cli = new CommandLine(new Main(), factory)
        .addSubcommand(DemoCommand.class)
        .addSubcommand(SimulateCommand.class)
        .addSubcommand(BenchCommand.class);
    return Main.configure(cli);
  }
}

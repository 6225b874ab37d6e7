package com.qoder.kafka.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the {@code qoder-kafka} command line: the product's commands only. The tooling
 * (demo, bench, simulate) is in {@link ToolsMain}, the entry point of {@code qoder-kafka-tools.jar};
 * the production jar and image carry neither it nor the broker and simulator it needs.
 */
@Command(
    name = "qoder-kafka",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Streams Qoder Cloud Agents sessions into Apache Kafka as Avro records.",
    subcommands = {RunCommand.class, ConfigCommand.class, OffsetsCommand.class, SchemasCommand.class,
        StatusCommand.class, SignalCommand.class, AuditCommand.class,
        CommandLine.HelpCommand.class})
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line, shared by {@link #main} and the tests. */
  public static CommandLine commandLine() {
    return commandLine(CommandLine.defaultFactory());
  }

  /** The command line with {@code factory} making its commands (tests give them another environment). */
  static CommandLine commandLine(CommandLine.IFactory factory) {
    return configure(new CommandLine(new Main(), factory));
  }

  /** The settings every command line shares; applied after the last subcommand is added. */
  static CommandLine configure(CommandLine cli) {
    return cli.setCaseInsensitiveEnumValuesAllowed(true).setExecutionExceptionHandler(new CleanErrors());
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}

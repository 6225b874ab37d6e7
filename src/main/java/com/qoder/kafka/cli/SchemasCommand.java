package com.qoder.kafka.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code qoder-kafka schemas}: the connector's Avro schemas and the Schema Registry. */
@Command(name = "schemas", mixinStandardHelpOptions = true,
    description = "Prints, registers and checks the connector's Avro value schemas.",
    subcommands = {SchemasPrintCommand.class, SchemasRegisterCommand.class, SchemasCheckCommand.class})
final class SchemasCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}

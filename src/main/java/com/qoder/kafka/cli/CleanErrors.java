package com.qoder.kafka.cli;

import com.qoder.kafka.config.ConfigException;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * What a user sees when a command fails with an exception it did not turn into a message itself:
 * one line naming the command and the cause, exit 2 for usage and configuration errors, 1 for
 * everything else; the stack trace only with {@code --verbose} (or {@code -v}) anywhere on the line.
 */
final class CleanErrors implements IExecutionExceptionHandler {

  static final int RUNTIME = 1;
  static final int USAGE = 2;

  @Override
  public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parsed) {
    boolean verbose = Arrays.stream(parsed.originalArgs().toArray(String[]::new))
        .anyMatch(a -> a.equals("--verbose") || a.equals("-v"));
    if (verbose) {
      ex.printStackTrace(cmd.getErr());
    }
    boolean usage = ex instanceof ConfigException || ex instanceof IllegalArgumentException;
    cmd.getErr().println(cmd.getCommandName() + ": " + message(ex) + (verbose ? "" : " (--verbose shows the details)"));
    cmd.getErr().flush();
    return usage ? USAGE : RUNTIME;
  }

  /** The exception's message, with its root cause when that says something the message does not. */
  static String message(Throwable ex) {
    String msg = ex.getMessage() != null ? ex.getMessage() : ex.getClass().getSimpleName();
    Throwable root = ex;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root != ex && root.getMessage() != null && !msg.contains(root.getMessage())) {
      msg += ": " + root.getMessage();
    }
    return msg.replace('\n', ' ');
  }
}

package com.qoder.kafka.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.joran.spi.JoranException;
import java.net.URL;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * Chooses the log format at start-up: {@code text} (logback.xml, human-readable) or {@code json}
 * (logback-json.xml, one JSON object a line with the MDC, so each line about a session carries
 * {@code session_id}).
 */
final class LogFormat {

  private LogFormat() {}

  static void apply(String format) {
    String f = format.toLowerCase(Locale.ROOT);
    if (f.equals("text")) {
      return;
    }
    if (!f.equals("json")) {
      throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(new Main()),
          "--log-format must be text or json, not '" + format + "'");
    }
    URL json = LogFormat.class.getResource("/logback-json.xml");
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) || json == null) {
      return;
    }
    ctx.reset();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(ctx);
    try {
      configurator.doConfigure(json);
    } catch (JoranException e) {
      // reset() removed every appender: fall back to the default configuration rather than silence.
      System.err.println("could not switch to JSON logs (" + e.getMessage() + "); logging as text");
      ctx.reset();
      try {
        new ContextInitializer(ctx).autoConfig();
      } catch (JoranException again) {
        System.err.println("could not restore the default logging configuration: " + again.getMessage());
      }
    }
  }
}

package com.qoder.kafka.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.status.Status;
import org.junit.jupiter.api.Test;

class LogFormatTest {

  /** On a private context, so the test JVM's logging is untouched. */
  @Test
  void bothShippedConfigurationsParseWithoutErrors() throws Exception {
    for (String resource : new String[] {"/logback.xml", "/logback-json.xml"}) {
      LoggerContext ctx = new LoggerContext();
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(ctx);
      configurator.doConfigure(LogFormatTest.class.getResource(resource));
      assertThat(ctx.getStatusManager().getCopyOfStatusList())
          .as(resource).noneMatch(s -> s.getLevel() >= Status.WARN);
      assertThat(ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext()).as(resource).isTrue();
      ctx.stop();
    }
  }
}

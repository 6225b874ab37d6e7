package com.qoder.kafka.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/** Reads the version Maven wrote into {@code qoder-kafka-version.properties}. */
final class VersionProvider implements CommandLine.IVersionProvider {

  static String version() {
    Properties p = new Properties();
    try (InputStream in = VersionProvider.class.getResourceAsStream("/qoder-kafka-version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // A missing version is not worth failing a command for.
    }
    return p.getProperty("version", "unknown");
  }

  @Override
  public String[] getVersion() {
    return new String[] {
      "qoder-kafka " + version(),
      "Java " + System.getProperty("java.version") + ", Kafka clients "
          + org.apache.kafka.common.utils.AppInfoParser.getVersion()
    };
  }
}

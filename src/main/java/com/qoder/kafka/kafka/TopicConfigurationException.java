package com.qoder.kafka.kafka;

/**
 * The topics in Kafka do not match what the connector needs (missing, wrong cleanup policy) or
 * could not be checked. The message names the topic, the problem and how to fix it.
 */
public final class TopicConfigurationException extends RuntimeException {

  TopicConfigurationException(String message) {
    super(message);
  }

  TopicConfigurationException(String message, Throwable cause) {
    super(message, cause);
  }
}

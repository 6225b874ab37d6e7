package com.qoder.kafka.signal;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How the signals run on one instance.
 *
 * @param bootstrapServers the Kafka cluster
 * @param clientConfig pass-through client properties (security and the like)
 * @param signalsTopic where signals are written ({@code kafka.topics.signals})
 * @param notificationsTopic where answers go ({@code kafka.topics.notifications})
 * @param eventsTopic the events topic (a {@code missing} resync reads it)
 * @param instanceId this instance (named in the answers)
 * @param resyncPageSize events per API request of a resync ({@code signals.resync-page-size})
 * @param holdTimeout how long stopping a session's poller may take
 */
public record SignalOptions(String bootstrapServers, Map<String, Object> clientConfig, String signalsTopic,
    String notificationsTopic, String eventsTopic, String instanceId, int resyncPageSize, Duration holdTimeout) {

  public SignalOptions {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    clientConfig = clientConfig == null ? Map.of() : Map.copyOf(clientConfig);
    Objects.requireNonNull(signalsTopic, "signalsTopic");
    Objects.requireNonNull(notificationsTopic, "notificationsTopic");
    Objects.requireNonNull(eventsTopic, "eventsTopic");
    Objects.requireNonNull(instanceId, "instanceId");
    if (resyncPageSize < 1 || resyncPageSize > 100) {
      throw new IllegalArgumentException("signals.resync-page-size must be 1..100 (the API's events limit), was "
          + resyncPageSize);
    }
    Objects.requireNonNull(holdTimeout, "holdTimeout");
  }
}

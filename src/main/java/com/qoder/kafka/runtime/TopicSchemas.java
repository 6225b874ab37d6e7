package com.qoder.kafka.runtime;

import com.qoder.kafka.avro.Schemas;
import com.qoder.kafka.config.ConnectorConfig;
import com.qoder.kafka.config.Setting;
import com.qoder.kafka.config.Settings;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

/**
 * Which value schema each of a connector's topics carries: the events schema on the events topic
 * and every routed topic ({@code kafka.routing.*}, the errors topic by default), and each other
 * source's schema on its topic. The dead-letter topic carries the original bytes, no schema.
 */
public final class TopicSchemas {

  /**
   * One topic and its value schema.
   *
   * @param enabledBy the setting that turns the topic's source on
   * @param enabled whether that source is on in this configuration
   */
  public record TopicSchema(String topic, Schema schema, Setting enabledBy, boolean enabled) {}

  private TopicSchemas() {}

  /** Every topic of {@code config} with its schema, enabled or not, events topics first. */
  public static List<TopicSchema> of(ConnectorConfig config) {
    List<TopicSchema> out = new ArrayList<>();
    EventRouter router = new EventRouter(config.string(Settings.TOPIC_EVENTS), config.routing());
    for (String topic : router.allTopics()) {
      out.add(entry(config, topic, Schemas.sessionEvent(), Settings.SOURCE_EVENTS));
    }
    out.add(entry(config, config.string(Settings.TOPIC_RESOURCES), Schemas.sessionResource(), Settings.SOURCE_RESOURCES));
    out.add(entry(config, config.string(Settings.TOPIC_FILES), Schemas.file(), Settings.SOURCE_FILES));
    out.add(entry(config, config.string(Settings.TOPIC_SESSIONS), Schemas.sessionLifecycle(), Settings.SOURCE_SESSIONS));
    return out;
  }

  /** The topics whose source is enabled: what {@code schemas register} and {@code schemas check} act on. */
  public static List<TopicSchema> enabled(ConnectorConfig config) {
    return of(config).stream().filter(TopicSchema::enabled).toList();
  }

  private static TopicSchema entry(ConnectorConfig config, String topic, Schema schema, Setting enabledBy) {
    return new TopicSchema(topic, schema, enabledBy, config.bool(enabledBy));
  }
}

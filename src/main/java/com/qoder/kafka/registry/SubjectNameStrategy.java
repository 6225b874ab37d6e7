package com.qoder.kafka.registry;

import org.apache.avro.Schema;

/**
 * How a topic and a schema map to a Schema Registry subject, as Confluent's serializers do it.
 *
 * <table>
 *   <caption>Strategies</caption>
 *   <tr><th>constant</th><th>config</th><th>Confluent class</th><th>subject</th></tr>
 *   <tr><td>{@link #TOPIC}</td><td>{@code topic}</td><td>{@code TopicNameStrategy}</td>
 *       <td>{@code <topic>-value} / {@code <topic>-key}</td></tr>
 *   <tr><td>{@link #RECORD}</td><td>{@code record}</td><td>{@code RecordNameStrategy}</td>
 *       <td>the record's full name</td></tr>
 *   <tr><td>{@link #TOPIC_RECORD}</td><td>{@code topic-record}</td>
 *       <td>{@code TopicRecordNameStrategy}</td><td>{@code <topic>-<record full name>}</td></tr>
 * </table>
 */
public enum SubjectNameStrategy {
  TOPIC("topic", "io.confluent.kafka.serializers.subject.TopicNameStrategy"),
  RECORD("record", "io.confluent.kafka.serializers.subject.RecordNameStrategy"),
  TOPIC_RECORD("topic-record", "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy");

  private final String configName;
  private final String confluentClass;

  SubjectNameStrategy(String configName, String confluentClass) {
    this.configName = configName;
    this.confluentClass = confluentClass;
  }

  /** The value used in configuration files: {@code topic}, {@code record}, {@code topic-record}. */
  public String configName() {
    return configName;
  }

  /** The subject under which {@code schema} is registered for {@code topic}. */
  public String subjectName(String topic, boolean isKey, Schema schema) {
    return switch (this) {
      case TOPIC -> requireTopic(topic) + (isKey ? "-key" : "-value");
      case RECORD -> recordName(schema, isKey);
      case TOPIC_RECORD -> requireTopic(topic) + "-" + recordName(schema, isKey);
    };
  }

  /**
   * Parses {@code topic}, {@code record}, {@code topic-record} (any case, {@code _} for {@code -})
   * or the fully-qualified Confluent class names, so an existing Confluent configuration can be
   * reused as is.
   */
  public static SubjectNameStrategy parse(String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(
          "subject name strategy is empty; use one of topic, record, topic-record");
    }
    String v = value.trim();
    for (SubjectNameStrategy s : values()) {
      if (s.confluentClass.equals(v)
          || s.configName.equalsIgnoreCase(v.replace('_', '-'))
          || s.name().equalsIgnoreCase(v)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown subject name strategy '" + v
        + "'; use one of topic, record, topic-record (or Confluent's TopicNameStrategy, "
        + "RecordNameStrategy, TopicRecordNameStrategy class names)");
  }

  private static String requireTopic(String topic) {
    if (topic == null || topic.isEmpty()) {
      throw new IllegalArgumentException("topic is required by the subject name strategy");
    }
    return topic;
  }

  // As Confluent's RecordNameStrategy: only a named record has a name to use as a subject.
  private String recordName(Schema schema, boolean isKey) {
    if (schema != null && schema.getType() == Schema.Type.RECORD) {
      return schema.getFullName();
    }
    String what = schema == null ? "no schema" : "a " + schema.getType().getName() + " schema";
    throw new IllegalArgumentException("subject name strategy " + configName + " needs the message "
        + (isKey ? "key" : "value") + " to be an Avro record schema, but got " + what
        + "; use the topic strategy for non-record schemas");
  }

  @Override
  public String toString() {
    return configName;
  }
}

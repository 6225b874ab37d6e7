package com.qoder.kafka.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class SubjectNameStrategyTest {

  @Test
  void namesSubjectsAsConfluentStrategiesDo() {
    Schema s = TestSchemas.PING;
    assertThat(SubjectNameStrategy.TOPIC.subjectName("qoder.session-events", false, s))
        .isEqualTo("qoder.session-events-value");
    assertThat(SubjectNameStrategy.TOPIC.subjectName("qoder.session-events", true, s))
        .isEqualTo("qoder.session-events-key");
    assertThat(SubjectNameStrategy.RECORD.subjectName("ignored", false, s))
        .isEqualTo("com.qoder.test.Ping");
    assertThat(SubjectNameStrategy.TOPIC_RECORD.subjectName("qoder.session-events", false, s))
        .isEqualTo("qoder.session-events-com.qoder.test.Ping");
    // TopicNameStrategy does not look at the schema at all.
    assertThat(SubjectNameStrategy.TOPIC.subjectName("t", false, Schema.create(Schema.Type.STRING)))
        .isEqualTo("t-value");
  }

  @Test
  void recordStrategiesNeedARecordSchema() {
    assertThatThrownBy(() -> SubjectNameStrategy.RECORD.subjectName(
        "t", true, Schema.create(Schema.Type.STRING)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("subject name strategy record needs the message key to be an Avro record"
            + " schema, but got a string schema; use the topic strategy for non-record schemas");
  }

  @Test
  void parsesConfigNamesAndConfluentClassNames() {
    assertThat(SubjectNameStrategy.parse("topic")).isEqualTo(SubjectNameStrategy.TOPIC);
    assertThat(SubjectNameStrategy.parse(" Record ")).isEqualTo(SubjectNameStrategy.RECORD);
    assertThat(SubjectNameStrategy.parse("topic-record"))
        .isEqualTo(SubjectNameStrategy.TOPIC_RECORD);
    assertThat(SubjectNameStrategy.parse("TOPIC_RECORD"))
        .isEqualTo(SubjectNameStrategy.TOPIC_RECORD);
    assertThat(SubjectNameStrategy.parse("io.confluent.kafka.serializers.subject.TopicNameStrategy"))
        .isEqualTo(SubjectNameStrategy.TOPIC);
    assertThat(SubjectNameStrategy.parse(
        "io.confluent.kafka.serializers.subject.RecordNameStrategy"))
        .isEqualTo(SubjectNameStrategy.RECORD);
    assertThat(SubjectNameStrategy.parse(
        "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy"))
        .isEqualTo(SubjectNameStrategy.TOPIC_RECORD);
    assertThatThrownBy(() -> SubjectNameStrategy.parse("by-topic"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown subject name strategy 'by-topic'; use one of topic, record,"
            + " topic-record (or Confluent's TopicNameStrategy, RecordNameStrategy,"
            + " TopicRecordNameStrategy class names)");
  }
}

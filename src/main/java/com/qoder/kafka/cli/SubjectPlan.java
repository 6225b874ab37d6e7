package com.qoder.kafka.cli;

import com.qoder.kafka.config.ConnectorConfig;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.registry.SubjectNameStrategy;
import com.qoder.kafka.runtime.TopicSchemas;
import com.qoder.kafka.runtime.TopicSchemas.TopicSchema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * The subjects a configuration uses: each topic's value schema under the configured subject name
 * strategy, one entry per subject (with the record strategy several topics share one).
 */
record SubjectPlan(String subject, Schema schema, List<String> topics) {

  static List<SubjectPlan> of(ConnectorConfig config, List<TopicSchema> topicSchemas) {
    SubjectNameStrategy strategy = strategy(config);
    Map<String, SubjectPlan> bySubject = new LinkedHashMap<>();
    for (TopicSchema ts : topicSchemas) {
      String subject = strategy.subjectName(ts.topic(), false, ts.schema());
      bySubject.computeIfAbsent(subject, s -> new SubjectPlan(s, ts.schema(), new ArrayList<>())).topics().add(ts.topic());
    }
    return List.copyOf(bySubject.values());
  }

  /** The subjects of the topics whose source is enabled. */
  static List<SubjectPlan> enabled(ConnectorConfig config) {
    return of(config, TopicSchemas.enabled(config));
  }

  static SubjectNameStrategy strategy(ConnectorConfig config) {
    return SubjectNameStrategy.parse(config.string(Settings.REGISTRY_STRATEGY));
  }
}

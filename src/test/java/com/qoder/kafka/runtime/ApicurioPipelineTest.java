package com.qoder.kafka.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.qoder.kafka.IntegrationTest;
import com.qoder.kafka.avro.Schemas;
import com.qoder.kafka.checker.DeliveryChecker;
import com.qoder.kafka.checker.DeliveryReport;
import com.qoder.kafka.checker.Expected;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.KafkaTestSupport;
import com.qoder.kafka.registry.ApicurioRegistry;
import com.qoder.kafka.registry.RegistryOptions;
import com.qoder.kafka.registry.SchemaRegistries;
import com.qoder.kafka.registry.SchemaRegistry;
import com.qoder.kafka.registry.SchemaRegistryException;
import com.qoder.kafka.registry.SubjectNameStrategy;
import com.qoder.kafka.sim.QoderSimulator;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The pipeline against a real, third-party Schema Registry (Apicurio's Confluent API): the
 * connector registers (or, with auto-register off, looks up) its schemas over HTTP under each
 * subject-name strategy, and the independent checker decodes every record with the writer schema it
 * fetches from Apicurio by the id in the record.
 */
@IntegrationTest
class ApicurioPipelineTest {

  private static final Duration DELIVERY = Duration.ofSeconds(120);

  @Test
  void everyEventOfA50SessionBackfillDecodesWithSchemasFetchedFromApicurioById() throws IOException {
    ApicurioRegistry apicurio = ApicurioRegistry.get();
    String bootstrap = KafkaTestSupport.sharedBroker().bootstrapServers();
    try (QoderSimulator sim = QoderSimulator.builder().seed(50).sessions(50).eventsPerSession(40).releasedFraction(0)
        .terminatedFraction(0.1).files(0).agents(0).maxResourcesPerSession(0).build().start()) {
      // A URL list whose first entry is dead: the client fails over to the live one.
      PipelineFixture f = PipelineFixture.of("apicurio-backfill", bootstrap, sim)
          .set(Settings.REGISTRY_URL.key(), "http://127.0.0.1:" + deadPort() + ApicurioRegistry.CCOMPAT_PATH
              + "," + apicurio.url());
      try (Connector connector = f.start();
          SchemaRegistry registry = SchemaRegistries.create(RegistryOptions.of(apicurio.url()));
          DeliveryChecker checker = DeliveryChecker.builder(bootstrap).eventsTopic(f.eventsTopic())
              .errorsTopic(f.errorsTopic()).deadLetterTopic(f.deadLetterTopic()).registryUrl(apicurio.url()).build()) {
        DeliveryReport report = checker.awaitDelivered(DELIVERY, () -> Expected.all(sim.groundTruth()));

        assertThat(report.isClean()).as("%s", report).isTrue();
        assertThat(report.requiredEvents()).isEqualTo(50L * 40);
        assertThat(report.delivered()).isEqualTo(report.requiredEvents());
        assertThat(report.undecodable()).isZero();
        int id = registry.latest(f.eventsTopic() + "-value").id();
        assertThat(report.schemaIds()).isEqualTo(Set.of(id));
        assertThat(registry.schemaById(id)).isEqualTo(Schemas.sessionEvent());
        assertThat(connector.fatalError()).isEmpty();
      }
    }
  }

  /**
   * Under each strategy: the first start registers, a second start with auto-register off only looks
   * the schemas up (and a third, under subjects nobody registered, refuses to start).
   */
  @ParameterizedTest
  @EnumSource(SubjectNameStrategy.class)
  void registersThenLooksUpWithAutoRegisterOffUnderEachStrategy(SubjectNameStrategy strategy) {
    ApicurioRegistry apicurio = ApicurioRegistry.get();
    String bootstrap = KafkaTestSupport.sharedBroker().bootstrapServers();
    try (QoderSimulator sim = QoderSimulator.builder().seed(7).sessions(3).eventsPerSession(20).releasedFraction(0)
        .terminatedFraction(0).files(0).agents(0).maxResourcesPerSession(0).build().start()) {
      PipelineFixture f = PipelineFixture.of("apicurio-" + strategy.configName(), bootstrap, sim)
          .set(Settings.REGISTRY_STRATEGY.key(), strategy.configName());
      String subject = strategy.subjectName(f.eventsTopic(), false, Schemas.sessionEvent());
      try (SchemaRegistry registry = SchemaRegistries.create(RegistryOptions.of(apicurio.url()));
          DeliveryChecker checker = DeliveryChecker.builder(bootstrap).eventsTopic(f.eventsTopic())
              .errorsTopic(f.errorsTopic()).deadLetterTopic(f.deadLetterTopic()).registryUrl(apicurio.url())
              .build()) {
        if (strategy != SubjectNameStrategy.RECORD) { // the record subject is shared by every test of the run
          f.set(Settings.REGISTRY_AUTO_REGISTER.key(), "false");
          assertThatThrownBy(f::start).isInstanceOf(SchemaRegistryException.class)
              .hasMessageContaining("subject '" + subject + "' has no version matching the connector's schema");
          f.set(Settings.REGISTRY_AUTO_REGISTER.key(), "true");
        }
        try (Connector first = f.start()) {
          checker.awaitDelivered(DELIVERY, () -> Expected.all(sim.groundTruth()));
        }
        int id = registry.lookup(subject, Schemas.sessionEvent());
        sim.sessionIds().forEach(s -> sim.appendEvents(s, 5));
        f.set(Settings.REGISTRY_AUTO_REGISTER.key(), "false");
        try (Connector second = f.start()) {
          DeliveryReport report = checker.awaitDelivered(DELIVERY, () -> Expected.all(sim.groundTruth()));
          assertThat(report.isClean()).as("%s", report).isTrue();
          assertThat(report.requiredEvents()).isEqualTo(3L * 25);
          assertThat(report.schemaIds()).isEqualTo(Set.of(id));
        }
      }
    }
  }

  /** A loopback port nobody listens on (bound, then released). */
  static int deadPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}

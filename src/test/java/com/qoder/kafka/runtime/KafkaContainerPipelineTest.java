package com.qoder.kafka.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.IntegrationTest;
import com.qoder.kafka.checker.DeliveryReport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Issue 3, acceptance (i): the backfill of {@link BackfillPipelineTest} against a real Apache Kafka
 * broker in a container (KRaft, the official image). Skipped, with JUnit saying so, where no
 * Docker engine is reachable ({@code disabledWithoutDocker}); runs unchanged where one is.
 */
@Tag("slow")
@Testcontainers(disabledWithoutDocker = true)
@IntegrationTest
class KafkaContainerPipelineTest {

  @Container
  static final KafkaContainer KAFKA = new KafkaContainer(DockerImageName.parse("apache/kafka:4.1.0"));

  @Test
  void backfillArrivesExactlyOnceInApiOrderOnAContainerBroker() {
    DeliveryReport report = BackfillPipelineTest.runBackfill(KAFKA.getBootstrapServers(), false);
    assertThat(report.delivered())
        .isEqualTo((long) BackfillPipelineTest.SESSIONS * BackfillPipelineTest.EVENTS_PER_SESSION);
  }
}

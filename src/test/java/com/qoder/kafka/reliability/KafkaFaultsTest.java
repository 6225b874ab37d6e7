package com.qoder.kafka.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.qoder.kafka.IntegrationTest;
import com.qoder.kafka.checker.DeliveryChecker;
import com.qoder.kafka.cluster.ClusterMember;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.EmbeddedKafka;
import com.qoder.kafka.kafka.KafkaTestSupport;
import com.qoder.kafka.registry.RegistryTestServer;
import com.qoder.kafka.runtime.Connector;
import com.qoder.kafka.sim.LiveMode;
import com.qoder.kafka.sim.QoderSimulator;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.junit.jupiter.api.Test;

/**
 * The Kafka and Schema Registry half of the fault matrix: the broker goes away and comes back,
 * gets slow, lacks topics; the registry is unreachable at start-up or goes away while running.
 * The connector runs in this JVM; the checker counts every event at the end.
 */
@IntegrationTest
class KafkaFaultsTest {

  private static final Duration DELIVERY_DEADLINE = Duration.ofSeconds(90);

  /**
   * Three 5-second broker outages while live events flow. The producer keeps its records (delivery
   * timeout unbounded), the pollers wait for acknowledgements instead of reading on, and nothing is
   * produced twice: idempotence de-duplicates the producer's own retries.
   */
  @Test
  void brokerStoppedAndRestartedThreeTimes() {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.defaults());
        QoderSimulator sim = Fixtures.simulator(91, 6, 100).liveMode(LiveMode.events(60).withNewSessionsPerSecond(0.3))
            .build().start()) {
      Pipeline p = Pipeline.of("broker-outage", kafka.bootstrapServers(), sim, "mock://kafka-faults");
      try (Connector connector = Connector.start(p.config())) {
        for (int outage = 1; outage <= 3; outage++) {
          long before = connector.status().delivered();
          Fixtures.await(Duration.ofSeconds(30), "events flowing before outage", () -> connector.status().delivered() > before + 50);
          kafka.stop();
          Fixtures.hold(Duration.ofSeconds(5)); // the outage itself: the point is time passing with the broker down
          kafka.restart();
        }
        try (DeliveryChecker checker = Fixtures.checker(kafka.bootstrapServers(), p)) {
          Fixtures.verify("BROKER_RESTARTED", "3 x broker stopped for 5 s and restarted during live traffic", sim,
              checker, DELIVERY_DEADLINE, 0);
        }
        assertThat(connector.fatalError()).isEmpty();
      }
    }
  }

  /**
   * The member is dropped from its group three times while pages are in flight (a produce quota keeps
   * them there): each time its partitions are lost and then assigned back to it. At-least-once has
   * nothing to fence, so the offsets of pages already in Kafka are still written when the partitions
   * are lost, and the restore after the assignment reads them: nothing is delivered twice. (Before,
   * those offsets were refused and the rejoined member read the pages again; a broker restart that
   * outlasts the group session does the same, and CI once saw 285 duplicates that way.)
   */
  @Test
  void memberDroppedFromItsGroupWhilePagesAreInFlight() throws Exception {
    String bootstrap = KafkaTestSupport.sharedBroker().bootstrapServers();
    try (QoderSimulator sim = Fixtures.simulator(94, 6, 300).liveMode(LiveMode.events(40)).build().start()) {
      Pipeline p = Pipeline.of("member-dropped", bootstrap, sim, "mock://kafka-faults");
      ClientQuotaEntity client = new ClientQuotaEntity(Map.of(ClientQuotaEntity.CLIENT_ID, p.name()));
      try (Admin admin = KafkaTestSupport.admin(bootstrap)) {
        admin.alterClientQuotas(List.of(new ClientQuotaAlteration(client,
            List.of(new ClientQuotaAlteration.Op("producer_byte_rate", 256.0 * 1024))))).all().get(30, TimeUnit.SECONDS);
        try (Connector connector = Connector.start(p.config())) {
          ClusterMember member = connector.member();
          int partitions = member.ownedPartitions().size();
          long rebalancesBefore = cluster(member, "rebalances");
          for (int drop = 1; drop <= 3; drop++) {
            long before = connector.status().delivered();
            Fixtures.await(Duration.ofSeconds(30), "events flowing before drop",
                () -> connector.status().delivered() > before + 50);
            long generation = cluster(member, "generation");
            admin.removeMembersFromConsumerGroup(member.groupId(), new RemoveMembersFromConsumerGroupOptions())
                .all().get(30, TimeUnit.SECONDS);
            Fixtures.await(Duration.ofSeconds(30), "partitions lost and assigned back",
                () -> cluster(member, "generation") > generation && member.ownedPartitions().size() == partitions);
          }
          Fixtures.await(Duration.ofSeconds(30), "each drop noted as a lost and an assigned rebalance",
              () -> cluster(member, "rebalances") - rebalancesBefore >= 6);
          admin.alterClientQuotas(List.of(new ClientQuotaAlteration(client,
              List.of(new ClientQuotaAlteration.Op("producer_byte_rate", null))))).all().get(30, TimeUnit.SECONDS);
          try (DeliveryChecker checker = Fixtures.checker(bootstrap, p)) {
            Fixtures.verify("MEMBER_DROPPED", "3 x member removed from its group (partitions lost, assigned back)"
                + " with pages in flight under a 256 KiB/s produce quota", sim, checker, DELIVERY_DEADLINE, 0);
          }
          assertThat(connector.fatalError()).isEmpty();
        } finally {
          admin.alterClientQuotas(List.of(new ClientQuotaAlteration(client,
              List.of(new ClientQuotaAlteration.Op("producer_byte_rate", null))))).all().get(30, TimeUnit.SECONDS);
        }
      }
    }
  }

  private static long cluster(ClusterMember member, String field) {
    return ((Number) ((Map<?, ?>) member.status().get("cluster")).get(field)).longValue();
  }

  /**
   * A slow broker: a produce quota of 128 KiB/s on the connector's client id, and a small in-flight
   * bound. Delivery slows down, the in-flight bytes stay under the bound, nothing is lost.
   */
  @Test
  void brokerThrottledByQuota() throws Exception {
    String bootstrap = KafkaTestSupport.sharedBroker().bootstrapServers();
    long bound = 1024 * 1024;
    try (QoderSimulator sim = Fixtures.simulator(92, 10, 200).build().start()) {
      Pipeline p = Pipeline.of("broker-slow", bootstrap, sim, "mock://kafka-faults")
          .set(Settings.MAX_IN_FLIGHT_BYTES.key(), bound + "b")
          .set(Settings.MAX_RECORD_BYTES.key(), bound + "b") // a record must fit in flight
          .set(Settings.MAX_IN_FLIGHT_RECORDS.key(), "200");
      ClientQuotaEntity client = new ClientQuotaEntity(Map.of(ClientQuotaEntity.CLIENT_ID, p.name()));
      try (Admin admin = KafkaTestSupport.admin(bootstrap)) {
        admin.alterClientQuotas(List.of(new ClientQuotaAlteration(client,
            List.of(new ClientQuotaAlteration.Op("producer_byte_rate", 128.0 * 1024))))).all().get(30, TimeUnit.SECONDS);
        long t0 = System.nanoTime();
        try (Connector connector = Connector.start(p.config()); DeliveryChecker checker = Fixtures.checker(bootstrap, p)) {
          Fixtures.verify("BROKER_THROTTLED", "produce quota 128 KiB/s on the connector's client id, in-flight bound "
              + bound / 1024 + " KiB / 200 records", sim, checker, DELIVERY_DEADLINE, 0);
          Duration took = Duration.ofNanos(System.nanoTime() - t0);
          assertThat(connector.sink().maxObservedInFlightBytes()).isLessThanOrEqualTo(bound);
          assertThat(connector.sink().maxObservedInFlightRecords()).isLessThanOrEqualTo(200);
          System.out.printf("throttled delivery of %d events took %d ms; max in flight %d bytes / %d records%n",
              sim.totalEvents(), took.toMillis(), connector.sink().maxObservedInFlightBytes(),
              connector.sink().maxObservedInFlightRecords());
        } finally {
          admin.alterClientQuotas(List.of(new ClientQuotaAlteration(client,
              List.of(new ClientQuotaAlteration.Op("producer_byte_rate", null))))).all().get(30, TimeUnit.SECONDS);
        }
      }
    }
  }

  /** kafka.create-topics=false and the topics do not exist: start-up fails, naming every missing topic. */
  @Test
  void missingTopicsWithCreationOffFailStartUpListingThem() {
    String bootstrap = KafkaTestSupport.sharedBroker().bootstrapServers();
    try (QoderSimulator sim = Fixtures.simulator(93, 1, 10).build().start()) {
      Pipeline p = Pipeline.of("no-topics", bootstrap, sim, "mock://kafka-faults")
          .set(Settings.CREATE_TOPICS.key(), "false");
      assertThatThrownBy(() -> Connector.start(p.config()))
          .hasMessageContaining("missing Kafka topics")
          .hasMessageContaining(p.eventsTopic()).hasMessageContaining(p.errorsTopic())
          .hasMessageContaining(p.deadLetterTopic());
      assertThat(KafkaTestSupport.topics(bootstrap)).doesNotContain(p.eventsTopic(), p.errorsTopic(),
          p.deadLetterTopic());
      MatrixRow.report("TOPICS_MISSING", "kafka.create-topics=false, topics absent: start-up fails listing "
          + "the 3 missing topics; nothing polled", 0, 0, 0);
    }
  }

  /** The registry URL points at a closed port: start-up fails within seconds with the URL in the message. */
  @Test
  void registryUnreachableAtStartUpFailsClearly() throws Exception {
    String bootstrap = KafkaTestSupport.sharedBroker().bootstrapServers();
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    String url = "http://127.0.0.1:" + closedPort;
    try (QoderSimulator sim = Fixtures.simulator(94, 1, 10).build().start()) {
      Pipeline p = Pipeline.of("registry-down", bootstrap, sim, url);
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> Connector.start(p.config())).hasMessageContaining(url);
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      assertThat(took).isLessThan(Duration.ofSeconds(60));
      assertThat(sim.requestStats().total()).as("requests to the API before the registry answered").isZero();
      MatrixRow.report("REGISTRY_DOWN_AT_START", "schema-registry.url on a closed port: start-up fails after "
          + took.toSeconds() + " s naming the URL; nothing polled", 0, 0, 0);
    }
  }

  /**
   * The registry goes away after start-up: schemas were registered then, so producing never calls
   * it — live events keep flowing with the registry down.
   */
  @Test
  void registryStoppedWhileRunningDoesNotTouchTheHotPath() {
    String bootstrap = KafkaTestSupport.sharedBroker().bootstrapServers();
    try (QoderSimulator sim = Fixtures.simulator(95, 5, 100).liveMode(LiveMode.events(50)).build().start();
        RegistryTestServer registry = RegistryTestServer.start()) {
      Pipeline p = Pipeline.of("registry-gone", bootstrap, sim, registry.url());
      try (Connector connector = Connector.start(p.config()); DeliveryChecker checker = Fixtures.checker(bootstrap, p)) {
        int requestsAtStart = registry.requestCount();
        assertThat(requestsAtStart).isPositive();
        registry.close();
        long afterStop = connector.status().delivered();
        Fixtures.await(Duration.ofSeconds(30), "live events delivered with the registry down",
            () -> connector.status().delivered() > afterStop + 300);
        Fixtures.verify("REGISTRY_DOWN_WHILE_RUNNING", "registry stopped after start-up; "
            + (connector.status().delivered() - afterStop) + " events produced without it", sim, checker,
            DELIVERY_DEADLINE, 0);
        assertThat(connector.fatalError()).isEmpty();
      }
    }
  }
}

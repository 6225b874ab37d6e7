package com.qoder.kafka.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.qoder.kafka.IntegrationTest;
import com.qoder.kafka.checker.DeliveryChecker;
import com.qoder.kafka.kafka.KafkaTestSupport;
import com.qoder.kafka.registry.ApicurioRegistry;
import com.qoder.kafka.registry.TcpProxy;
import com.qoder.kafka.runtime.Connector;
import com.qoder.kafka.sim.LiveMode;
import com.qoder.kafka.sim.QoderSimulator;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The registry rows of the matrix re-run against the real registry (Apicurio), taken down and
 * brought back through a loopback TCP proxy so the shared registry process stays up. The checker
 * decodes through Apicurio directly, by the ids the connector registered through the proxy.
 */
@IntegrationTest
class RegistryFaultsTest {

  private static final Duration DELIVERY = Duration.ofSeconds(90);

  @Test
  void apicurioDownAtStartUpFailsNamingTheUrlThenStartsWhenItIsBack() {
    ApicurioRegistry apicurio = ApicurioRegistry.get();
    String bootstrap = KafkaTestSupport.sharedBroker().bootstrapServers();
    try (TcpProxy proxy = TcpProxy.start(apicurio.port());
        QoderSimulator sim = Fixtures.simulator(96, 3, 30).build().start()) {
      String url = "http://127.0.0.1:" + proxy.port() + ApicurioRegistry.CCOMPAT_PATH;
      Pipeline p = Pipeline.of("apicurio-down", bootstrap, sim, url);
      proxy.down();
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> Connector.start(p.config()))
          .hasMessageStartingWith("Schema Registry at " + url + " unreachable: ");
      long took = Duration.ofNanos(System.nanoTime() - t0).toSeconds();
      assertThat(sim.requestStats().total()).as("requests to the API before the registry answered").isZero();

      proxy.up();
      try (Connector connector = Connector.start(p.config());
          DeliveryChecker checker = checker(bootstrap, p, apicurio)) {
        Fixtures.verify("REGISTRY_DOWN_AT_START_APICURIO", "Apicurio unreachable: start-up fails after " + took
            + " s naming the URL, nothing polled; back: starts and delivers", sim, checker, DELIVERY, 0);
        assertThat(connector.fatalError()).isEmpty();
      }
    }
  }

  @Test
  void apicurioDownWhileRunningDoesNotTouchTheHotPath() {
    ApicurioRegistry apicurio = ApicurioRegistry.get();
    String bootstrap = KafkaTestSupport.sharedBroker().bootstrapServers();
    try (TcpProxy proxy = TcpProxy.start(apicurio.port());
        QoderSimulator sim = Fixtures.simulator(97, 5, 50).liveMode(LiveMode.events(50)).build().start()) {
      Pipeline p = Pipeline.of("apicurio-gone", bootstrap, sim,
          "http://127.0.0.1:" + proxy.port() + ApicurioRegistry.CCOMPAT_PATH);
      try (Connector connector = Connector.start(p.config()); DeliveryChecker checker = checker(bootstrap, p, apicurio)) {
        proxy.down();
        long afterStop = connector.status().delivered();
        Fixtures.await(Duration.ofSeconds(30), "live events delivered with Apicurio unreachable",
            () -> connector.status().delivered() > afterStop + 300);
        Fixtures.verify("REGISTRY_DOWN_WHILE_RUNNING_APICURIO", "Apicurio unreachable after start-up; "
            + (connector.status().delivered() - afterStop) + " events produced without it", sim, checker, DELIVERY, 0);
        assertThat(connector.fatalError()).isEmpty();
      }
    }
  }

  private static DeliveryChecker checker(String bootstrap, Pipeline p, ApicurioRegistry apicurio) {
    return DeliveryChecker.builder(bootstrap).eventsTopic(p.eventsTopic()).errorsTopic(p.errorsTopic())
        .deadLetterTopic(p.deadLetterTopic()).registryUrl(apicurio.url()).build();
  }
}

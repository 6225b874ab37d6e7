package com.qoder.kafka.ops;

import static com.qoder.kafka.kafka.KafkaTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.IntegrationTest;
import com.qoder.kafka.config.ConfigLoader;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.KafkaTestSupport;
import com.qoder.kafka.registry.SchemaRegistries;
import com.qoder.kafka.runtime.Connector;
import com.qoder.kafka.sim.LiveMode;
import com.qoder.kafka.sim.QoderSimulator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.NumberFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6, acceptance 2: the status page served by a real running {@link Connector}, following a
 * simulator in live mode, rendered by headless Chromium. The page's script must have fetched
 * {@code /api/status} and put this connector's live numbers into the DOM (delivered events between
 * what the connector had delivered before and after the render, a positive throughput, the
 * sessions it follows), and the screenshot must be a real picture. Skipped where {@value
 * StatusPageBrowserTest#CHROMIUM} is not installed.
 */
@IntegrationTest
class LiveStatusPageBrowserTest {

  @Test
  void theStatusPageOfARunningConnectorShowsItsLiveNumbers(@TempDir Path tmp) throws Exception {
    StatusPageBrowserTest.requireChromium();
    String bootstrap = KafkaTestSupport.sharedBroker().bootstrapServers();
    String name = "pagelive-" + UUID.randomUUID().toString().substring(0, 8);
    try (QoderSimulator sim = QoderSimulator.builder().seed(77).sessions(6).eventsPerSession(80)
        .terminatedFraction(0).releasedFraction(0).files(0).agents(0).maxResourcesPerSession(0)
        .historyEnd(Instant.now()).liveMode(LiveMode.events(120)).build().start()) {
      Map<String, String> o = new HashMap<>();
      o.put(Settings.CONNECTOR_NAME.key(), name);
      o.put(Settings.QODER_BASE_URL.key(), sim.baseUrl());
      o.put(Settings.QODER_TOKEN.key(), sim.token());
      o.put(Settings.QODER_ORGANIZATION_IDS.key(), String.join(",", sim.organizations()));
      o.put(Settings.KAFKA_BOOTSTRAP.key(), bootstrap);
      o.put(Settings.REGISTRY_URL.key(), "mock://" + name);
      for (var topic : List.of(Settings.TOPIC_EVENTS, Settings.TOPIC_ERRORS, Settings.TOPIC_DEAD_LETTER,
          Settings.TOPIC_RESOURCES, Settings.TOPIC_FILES, Settings.TOPIC_SESSIONS)) {
        o.put(topic.key(), KafkaTestSupport.uniqueTopic(name + "." + topic.defaultValue()));
      }
      o.put(Settings.TOPIC_PARTITIONS.key(), "3");
      o.put(Settings.OFFSETS_PARTITIONS.key(), "3");
      o.put(Settings.POLL_MIN.key(), "100ms");
      o.put(Settings.POLL_MAX.key(), "1s");
      o.put(Settings.DISCOVERY_INTERVAL.key(), "1s");
      o.put(Settings.OPS_ENABLED.key(), "true");
      o.put(Settings.OPS_BIND.key(), "127.0.0.1");
      o.put(Settings.OPS_PORT.key(), "0");
      try (Connector connector = Connector.start(ConfigLoader.load(null, Map.of(), o))) {
        String url = "http://127.0.0.1:" + connector.opsPort().orElseThrow() + "/";
        await(Duration.ofSeconds(60), "every session followed and events delivered",
            () -> connector.sessions().polled() == sim.sessionIds().size() && connector.status().delivered() > 0);

        long deliveredBefore = connector.status().delivered();
        Path dom = tmp.resolve("dom.html");
        StatusPageBrowserTest.run(tmp.resolve("dom-run"), List.of("--dump-dom", url), dom);
        long deliveredAfter = connector.status().delivered();
        String html = Files.readString(dom, StandardCharsets.UTF_8);

        assertThat(StatusPageBrowserTest.textOf(html, "connector-name")).isEqualTo(name);
        assertThat(StatusPageBrowserTest.textOf(html, "live-text")).isEqualTo("live");
        long shown = NumberFormat.getIntegerInstance(Locale.US)
            .parse(StatusPageBrowserTest.textOf(html, "delivered")).longValue();
        assertThat(shown).as("delivered shown, between the connector's count before and after the render")
            .isPositive().isBetween(deliveredBefore, deliveredAfter);
        double rate = Double.parseDouble(StatusPageBrowserTest.textOf(html, "rate").replace(",", ""));
        assertThat(rate).as("events/s shown").isPositive();
        assertThat(StatusPageBrowserTest.textOf(html, "sessions-total")).isEqualTo(Integer.toString(sim.sessionIds().size()));
        assertThat(StatusPageBrowserTest.textOf(html, "lag-p50")).as("lag p50 shown").isNotEqualTo("—");
        assertThat(sim.sessionIds()).as("a session of the simulator is among the busiest").anyMatch(html::contains);
        assertThat(html).as("no negative lag or rate shown").doesNotContainPattern(">-[0-9]");
        assertThat(html).as("the cluster membership, one row per field").contains("cluster · instanceId");

        Path png = tmp.resolve("status-live.png");
        StatusPageBrowserTest.run(tmp.resolve("shot-run"), List.of("--screenshot=" + png, url),
            tmp.resolve("stdout.txt"));
        StatusPageBrowserTest.assertScreenshotAndKeep(png, "ops-status-page-live.png");
      } finally {
        SchemaRegistries.dropMockScope(name);
      }
    }
  }
}

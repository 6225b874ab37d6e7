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
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances of one connector follow a live simulator; the status page of either one, rendered by
 * headless Chromium, shows the whole cluster — both instances, each with the offsets partitions the
 * group assigned it, its sessions and its health — and the last minutes as charts drawn from the
 * server's ring of samples. Fails rather than skips when {@code CI=true} and Chromium is missing.
 */
@IntegrationTest
class ClusterStatusPageBrowserTest {

  @Test
  void eitherInstancesPageShowsBothInstancesAndTheTrendCharts(@TempDir Path tmp) throws Exception {
    StatusPageBrowserTest.requireChromium();
    String name = "pagecluster-" + UUID.randomUUID().toString().substring(0, 8);
    try (QoderSimulator sim = QoderSimulator.builder().seed(78).sessions(8).eventsPerSession(40)
        .terminatedFraction(0).releasedFraction(0).files(0).agents(0).maxResourcesPerSession(0)
        .historyEnd(Instant.now()).liveMode(LiveMode.events(80)).build().start()) {
      Map<String, String> o = new HashMap<>();
      o.put(Settings.CONNECTOR_NAME.key(), name);
      o.put(Settings.QODER_BASE_URL.key(), sim.baseUrl());
      o.put(Settings.QODER_TOKEN.key(), sim.token());
      o.put(Settings.QODER_ORGANIZATION_IDS.key(), String.join(",", sim.organizations()));
      o.put(Settings.KAFKA_BOOTSTRAP.key(), KafkaTestSupport.sharedBroker().bootstrapServers());
      o.put(Settings.REGISTRY_URL.key(), "mock://" + name);
      for (var topic : List.of(Settings.TOPIC_EVENTS, Settings.TOPIC_ERRORS, Settings.TOPIC_DEAD_LETTER)) {
        o.put(topic.key(), KafkaTestSupport.uniqueTopic(name + "." + topic.defaultValue()));
      }
      o.put(Settings.SOURCE_RESOURCES.key(), "false");
      o.put(Settings.SOURCE_FILES.key(), "false");
      o.put(Settings.SOURCE_SESSIONS.key(), "false");
      o.put(Settings.TOPIC_PARTITIONS.key(), "3");
      o.put(Settings.OFFSETS_PARTITIONS.key(), "4");
      o.put(Settings.POLL_MIN.key(), "100ms");
      o.put(Settings.POLL_MAX.key(), "1s");
      o.put(Settings.DISCOVERY_INTERVAL.key(), "1s");
      o.put(Settings.CLUSTER_SESSION_TIMEOUT.key(), "6s");
      o.put(Settings.OPS_ENABLED.key(), "true");
      o.put(Settings.OPS_BIND.key(), "127.0.0.1");
      o.put(Settings.OPS_PORT.key(), "0");
      o.put(Settings.OPS_STATUS_INTERVAL.key(), "1s");
      Map<String, String> oa = new HashMap<>(o);
      oa.put(Settings.CLUSTER_INSTANCE_ID.key(), "alpha");
      Map<String, String> ob = new HashMap<>(o);
      ob.put(Settings.CLUSTER_INSTANCE_ID.key(), "bravo");
      try (Connector a = Connector.start(ConfigLoader.load(null, Map.of(), oa));
          Connector b = Connector.start(ConfigLoader.load(null, Map.of(), ob))) {
        await(Duration.ofSeconds(90), () -> "both instances UP with their partitions in alpha's view: "
            + a.status().snapshot().cluster(), () -> {
              List<StatusSnapshot.InstanceView> view = a.status().snapshot().cluster();
              return view.size() == 2 && view.stream().allMatch(i -> i.health().equals("UP") && i.inGroup()
                  && !i.partitions().isEmpty() && i.sessions() > 0)
                  && a.status().snapshot().trend().samples().size() >= 5 && a.status().delivered() > 0;
            });
        List<Integer> alphaParts = a.member().ownedPartitions();
        List<Integer> bravoParts = b.member().ownedPartitions();
        assertThat(alphaParts).doesNotContainAnyElementsOf(bravoParts);

        for (Connector c : List.of(a, b)) {
          String url = "http://127.0.0.1:" + c.opsPort().orElseThrow() + "/";
          Path dom = tmp.resolve(c.member().instanceId() + "-dom.html");
          StatusPageBrowserTest.run(tmp.resolve(c.member().instanceId() + "-dom-run"), List.of("--dump-dom", url), dom);
          String html = Files.readString(dom, StandardCharsets.UTF_8);
          assertThat(StatusPageBrowserTest.textOf(html, "cluster-summary")).isEqualTo("2 instances, 2 up");
          assertThat(row(html, "alpha")).as("alpha's row").contains(">UP<").contains(join(alphaParts));
          assertThat(row(html, "bravo")).as("bravo's row").contains(">UP<").contains(join(bravoParts));
          assertThat(row(html, c.member().instanceId())).as("this instance marked").contains("class=\"self\"");
          for (String chart : List.of("chart-throughput", "chart-lag", "chart-requests")) {
            assertThat(points(html, chart)).as(chart + " points drawn").isGreaterThanOrEqualTo(3);
          }
          assertThat(html).as("an inline SVG line, no external script").contains("<polyline").doesNotContain("<script src");
          double rate = Double.parseDouble(StatusPageBrowserTest.textOf(html, "trend-requests-now").replace(",", ""));
          assertThat(rate).as("API requests per second in the last sample").isPositive();
        }

        String url = "http://127.0.0.1:" + a.opsPort().orElseThrow() + "/";
        Path png = tmp.resolve("status-cluster.png");
        StatusPageBrowserTest.run(tmp.resolve("shot-run"), List.of("--screenshot=" + png, url), tmp.resolve("stdout.txt"));
        StatusPageBrowserTest.assertScreenshotAndKeep(png, "ops-status-page-cluster.png");
      } finally {
        SchemaRegistries.dropMockScope(name);
      }
    }
  }

  private static String join(List<Integer> partitions) {
    return partitions.stream().map(String::valueOf).collect(Collectors.joining(", "));
  }

  /** The serialised table row of one instance in the cluster view. */
  private static String row(String html, String instanceId) {
    Matcher m = Pattern.compile("<tr[^>]*data-instance=\"" + Pattern.quote(instanceId) + "\"[^>]*>.*?</tr>", Pattern.DOTALL)
        .matcher(html);
    assertThat(m.find()).as("a cluster row for " + instanceId).isTrue();
    return m.group();
  }

  private static int points(String html, String chartId) {
    Matcher m = Pattern.compile("id=\"" + Pattern.quote(chartId) + "\"[^>]*data-points=\"(\\d+)\"").matcher(html);
    assertThat(m.find()).as("chart " + chartId + " with data-points").isTrue();
    return Integer.parseInt(m.group(1));
  }
}

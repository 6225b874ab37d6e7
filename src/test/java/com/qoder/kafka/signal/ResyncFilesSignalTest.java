package com.qoder.kafka.signal;

import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.IntegrationTest;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.EmbeddedKafka;
import com.qoder.kafka.kafka.KafkaTestSupport;
import com.qoder.kafka.runtime.Connector;
import com.qoder.kafka.sim.Endpoint;
import com.qoder.kafka.sim.QoderSimulator;
import com.qoder.kafka.sim.RequestRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code resync-files} makes the files source read the files list at once (its intervals are an hour
 * here, so a files request after the answer is the signal's doing); with the files source off the
 * signal fails with the reason.
 */
@IntegrationTest
class ResyncFilesSignalTest {

  @Test
  void resyncFilesWalksTheWholeFilesListNow() throws Exception {
    EmbeddedKafka kafka = KafkaTestSupport.sharedBroker();
    String bootstrap = kafka.bootstrapServers();
    String name = SignalsTestKit.uniqueName("files");
    try (QoderSimulator sim = QoderSimulator.builder().seed(34).sessions(2).eventsPerSession(3).files(40)
        .organizations("org_default").terminatedFraction(0).releasedFraction(0).build().start()) {
      Map<String, String> settings = SignalsTestKit.settings(sim, kafka, name);
      settings.put(Settings.DELIVERY.key(), "at-least-once");
      settings.put(Settings.SOURCE_FILES.key(), "true");
      settings.put(Settings.FILES_INTERVAL.key(), "1h");
      settings.put(Settings.FILES_FULL_RESCAN.key(), "1h");
      settings.put(Settings.FILES_PAGE_SIZE.key(), "10");
      try (Connector c = SignalsTestKit.start(settings, sim, "i1")) {
        java.time.Instant sent = java.time.Instant.now();
        Signal s = SignalsTestKit.send(settings, new Signal("sig-files-1", Signal.Type.RESYNC_FILES, null, null,
            null, null));
        Notification done = SignalsTestKit.awaitAnswer(bootstrap, name, s.id(), Notification.Status.DONE,
            Duration.ofSeconds(30));
        assertThat(done.detail()).contains("full scan");
        // With both files intervals at an hour, only the signal makes the source walk the files list
        // (the round at start ran before this instance owned files/all): a walk from the first page
        // after the signal was sent. Not "a request after the answer": the scan may start, and on 40
        // files end, before the answer is written (CI saw that).
        SignalsTestKit.await(Duration.ofSeconds(30), () -> "a walk from the first files page after the signal: "
            + sim.requestLog().stream().filter(r -> r.endpoint() == Endpoint.FILES).toList(),
            () -> firstPages(sim).stream().anyMatch(r -> !r.time().isBefore(sent)));
      }
    }
  }

  @Test
  void withTheFilesSourceOffItFailsWithTheReason() throws Exception {
    EmbeddedKafka kafka = KafkaTestSupport.sharedBroker();
    String bootstrap = kafka.bootstrapServers();
    String name = SignalsTestKit.uniqueName("nofiles");
    try (QoderSimulator sim = QoderSimulator.builder().seed(35).sessions(2).eventsPerSession(3)
        .organizations("org_default").terminatedFraction(0).releasedFraction(0).build().start()) {
      Map<String, String> settings = SignalsTestKit.settings(sim, kafka, name);
      try (Connector c = SignalsTestKit.start(settings, sim, "i1")) {
        SignalsTestKit.send(settings, new Signal("sig-files-2", Signal.Type.RESYNC_FILES, null, null, null, null));
        SignalsTestKit.await(Duration.ofSeconds(30), () -> "a failed answer",
            () -> SignalsTestKit.answers(bootstrap, name, "sig-files-2").stream()
                .anyMatch(n -> n.status() == Notification.Status.FAILED && n.detail().contains("files source")));
      }
    }
  }

  /** Files requests without a cursor: the first page of a walk. */
  private static List<RequestRecord> firstPages(QoderSimulator sim) {
    return sim.requestLog().stream().filter(r -> r.endpoint() == Endpoint.FILES && r.status() == 200
        && (r.query() == null || (!r.query().contains("after=") && !r.query().contains("before=")))).toList();
  }
}

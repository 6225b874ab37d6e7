package com.qoder.kafka.signal;

import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.IntegrationTest;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.EmbeddedKafka;
import com.qoder.kafka.kafka.KafkaTestSupport;
import com.qoder.kafka.runtime.Connector;
import com.qoder.kafka.sim.LiveMode;
import com.qoder.kafka.sim.QoderSimulator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The owner stops while a {@code republish} resync runs (exactly-once): the other instance takes the
 * session's partition, reads the resync's stored progress and finishes it — every event is
 * republished exactly once ({@code read_committed}) and there is exactly one {@code done}.
 */
@IntegrationTest
class SignalHandOverTest {

  private static final Logger log = LoggerFactory.getLogger(SignalHandOverTest.class);

  @Test
  void aNewOwnerResumesTheResyncAndItActsExactlyOnce() throws Exception {
    EmbeddedKafka kafka = KafkaTestSupport.sharedBroker();
    String bootstrap = kafka.bootstrapServers();
    String name = SignalsTestKit.uniqueName("handover");
    try (QoderSimulator sim = QoderSimulator.builder().seed(33).sessions(6).eventsPerSession(80)
        .organizations("org_default").terminatedFraction(0).releasedFraction(0)
        .liveMode(LiveMode.events(10)).build().start()) {
      Map<String, String> settings = SignalsTestKit.settings(sim, kafka, name);
      settings.put(Settings.SIGNALS_RESYNC_PAGE_SIZE.key(), "2"); // many steps: the owner stops half-way
      String events = name + ".events";
      List<Connector> instances = new ArrayList<>(List.of(SignalsTestKit.start(settings, sim, "i1"),
          SignalsTestKit.start(settings, sim, "i2")));
      try {
        String session = sim.sessionIds().get(2);
        SignalsTestKit.await(Duration.ofSeconds(60), () -> session + " polled, its history delivered",
            () -> instances.stream().anyMatch(c -> c.sessions().isPolled(session)
                && c.sessions().state(session).caughtUp()));
        Signal republish = SignalsTestKit.send(settings, Signal.resync("sig-handover-1", session, null,
            Signal.Mode.REPUBLISH));
        // The owner is whoever answers progress: a rebalance still settling after the second
        // instance joined may move the session once before the signal is acted on.
        SignalsTestKit.await(Duration.ofSeconds(60), () -> "a few progress answers",
            () -> SignalsTestKit.answers(bootstrap, name, republish.id()).stream()
                .filter(n -> n.status() == Notification.Status.PROGRESS).count() >= 3);
        List<Notification> progress = SignalsTestKit.answers(bootstrap, name, republish.id()).stream()
            .filter(n -> n.status() == Notification.Status.PROGRESS).toList();
        String ownerId = progress.get(progress.size() - 1).instance();
        int owner = instances.get(0).member().instanceId().equals(ownerId) ? 0 : 1;
        String otherId = instances.get(1 - owner).member().instanceId();
        instances.get(owner).close(); // mid-resync
        Notification done = SignalsTestKit.awaitAnswer(bootstrap, name, republish.id(), Notification.Status.DONE,
            Duration.ofSeconds(90));

        List<Notification> answers = SignalsTestKit.answers(bootstrap, name, republish.id());
        log.info("answers: {}", answers.stream().map(n -> n.instance() + ":" + n.status().id() + ":" + n.produced())
            .toList());
        assertThat(answers.stream().filter(n -> n.status() == Notification.Status.DONE)).as("done answers")
            .hasSize(1);
        assertThat(answers.stream().filter(n -> n.status() == Notification.Status.STARTED)).as("started answers")
            .hasSize(1);
        assertThat(done.instance()).as("the instance that finished").isEqualTo(otherId);
        assertThat(answers.stream().filter(n -> n.status() == Notification.Status.PROGRESS)
            .map(Notification::instance).distinct()).as("instances that made progress")
            .containsExactlyInAnyOrder(ownerId, otherId);

        Map<String, Long> marked = SignalsTestKit.copies(bootstrap, events, session).stream()
            .filter(c -> republish.id().equals(c.signal()))
            .collect(Collectors.groupingBy(SignalsTestKit.EventCopy::eventId, LinkedHashMap::new,
                Collectors.counting()));
        Map<String, Long> twice = new LinkedHashMap<>();
        marked.forEach((id, n) -> {
          if (n != 1) {
            twice.put(id, n);
          }
        });
        assertThat(twice).as("events republished more than once across the hand-over").isEmpty();
        assertThat(marked).hasSizeGreaterThanOrEqualTo(80);
        assertThat(new ArrayList<>(marked.keySet())).as("republished: the session's events in API order, none left out")
            .isEqualTo(sim.groundTruth(session).eventIds().subList(0, marked.size()));
        assertThat(done.produced()).isEqualTo(marked.size());
      } finally {
        for (Connector c : instances) {
          c.close();
        }
      }
    }
  }
}

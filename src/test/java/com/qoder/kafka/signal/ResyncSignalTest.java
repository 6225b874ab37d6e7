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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two instances in exactly-once mode, live traffic: a {@code resync} of one session in {@code missing}
 * mode fills the gap {@code sessions.start-position=latest} left (its history), so every event of the
 * session is in the {@code read_committed} view exactly once; then a {@code republish} resync produces
 * every event once more, each copy marked with the signal's id.
 */
@IntegrationTest
class ResyncSignalTest {

  private static final Logger log = LoggerFactory.getLogger(ResyncSignalTest.class);

  @Test
  void missingFillsTheGapExactlyOnceAndRepublishCopiesEveryEventOnceMore() throws Exception {
    EmbeddedKafka kafka = KafkaTestSupport.sharedBroker();
    String bootstrap = kafka.bootstrapServers();
    String name = SignalsTestKit.uniqueName("resync");
    try (QoderSimulator sim = QoderSimulator.builder().seed(31).sessions(8).eventsPerSession(40)
        .organizations("org_default").terminatedFraction(0).releasedFraction(0)
        .liveMode(LiveMode.events(20)).build().start()) {
      Map<String, String> settings = SignalsTestKit.settings(sim, kafka, name);
      settings.put(Settings.START_POSITION.key(), "latest"); // the history is the gap
      settings.put(Settings.SIGNALS_RESYNC_PAGE_SIZE.key(), "10");
      String events = name + ".events";
      List<Connector> instances = new ArrayList<>();
      try {
        instances.add(SignalsTestKit.start(settings, sim, "i1"));
        instances.add(SignalsTestKit.start(settings, sim, "i2"));
        String session = sim.sessionIds().get(0);
        SignalsTestKit.await(Duration.ofSeconds(60), () -> "a poller of " + session + " with a cursor",
            () -> instances.stream().anyMatch(c -> c.sessions().isPolled(session)
                && c.sessions().state(session).cursor() != null));
        List<String> history = sim.groundTruth(session).eventIds();
        List<SignalsTestKit.EventCopy> before = SignalsTestKit.copies(bootstrap, events, session);
        Set<String> beforeIds = before.stream().map(SignalsTestKit.EventCopy::eventId).collect(Collectors.toSet());
        assertThat(beforeIds).as("start-position=latest left the history out").doesNotContainAnyElementsOf(
            history.subList(0, 20));

        // missing
        Signal missing = SignalsTestKit.send(settings, Signal.resync("sig-missing-1", session, null,
            Signal.Mode.MISSING));
        Notification done = SignalsTestKit.awaitAnswer(bootstrap, name, missing.id(), Notification.Status.DONE,
            Duration.ofSeconds(60));
        log.info("missing resync done: {}", done);
        List<String> truth = sim.groundTruth(session).eventIds();
        SignalsTestKit.await(Duration.ofSeconds(30), () -> "every event of " + session + " in the events topic",
            () -> SignalsTestKit.copies(bootstrap, events, session).stream().map(SignalsTestKit.EventCopy::eventId)
                .collect(Collectors.toSet()).containsAll(truth));
        Map<String, Long> counts = SignalsTestKit.copies(bootstrap, events, session).stream()
            .collect(Collectors.groupingBy(SignalsTestKit.EventCopy::eventId, LinkedHashMap::new,
                Collectors.counting()));
        Map<String, Long> dups = new LinkedHashMap<>();
        counts.forEach((id, n) -> {
          if (n != 1) {
            dups.put(id, n);
          }
        });
        assertThat(dups).as("events of %s not exactly once after the missing resync", session).isEmpty();
        assertThat(done.produced()).as("events the missing resync produced").isGreaterThanOrEqualTo(20)
            .isEqualTo(SignalsTestKit.copies(bootstrap, events, session).stream()
                .filter(c -> missing.id().equals(c.signal())).count());
        assertThat(SignalsTestKit.answers(bootstrap, name, missing.id()).stream()
            .filter(n -> n.status() == Notification.Status.DONE)).as("done answers").hasSize(1);

        // republish
        Set<String> inTopic = new HashSet<>(counts.keySet());
        Signal republish = SignalsTestKit.send(settings, Signal.resync("sig-republish-1", session, null,
            Signal.Mode.REPUBLISH));
        Notification done2 = SignalsTestKit.awaitAnswer(bootstrap, name, republish.id(), Notification.Status.DONE,
            Duration.ofSeconds(60));
        List<SignalsTestKit.EventCopy> after = SignalsTestKit.copies(bootstrap, events, session);
        Map<String, Long> marked = after.stream().filter(c -> republish.id().equals(c.signal()))
            .collect(Collectors.groupingBy(SignalsTestKit.EventCopy::eventId, LinkedHashMap::new,
                Collectors.counting()));
        assertThat(marked.values()).as("copies per event with header %s", republish.id()).containsOnly(1L);
        assertThat(marked.keySet()).as("republished: every event delivered when the signal came")
            .containsAll(inTopic);
        List<String> truthNow = sim.groundTruth(session).eventIds();
        assertThat(new ArrayList<>(marked.keySet())).as("republished in API order, from the first event")
            .isEqualTo(truthNow.subList(0, marked.size()));
        assertThat(done2.produced()).isEqualTo(marked.size());
        Map<String, Long> unmarked = after.stream().filter(c -> !republish.id().equals(c.signal()))
            .collect(Collectors.groupingBy(SignalsTestKit.EventCopy::eventId, Collectors.counting()));
        assertThat(unmarked.values()).as("the other copies stay exactly once").containsOnly(1L);
        log.info("republish done: {} events marked {}", marked.size(), republish.id());
      } finally {
        for (Connector c : instances) {
          c.close();
        }
      }
    }
  }
}

package com.qoder.kafka.signal;

import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.IntegrationTest;
import com.qoder.kafka.kafka.EmbeddedKafka;
import com.qoder.kafka.kafka.KafkaTestSupport;
import com.qoder.kafka.runtime.Connector;
import com.qoder.kafka.sim.Endpoint;
import com.qoder.kafka.sim.LiveMode;
import com.qoder.kafka.sim.QoderSimulator;
import com.qoder.kafka.sim.RequestRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code pause} stops the session's requests on the owning instance (asserted from the simulator's
 * request log) until {@code resume}; the pause is stored with the session's offsets, so it holds
 * across a restart of the owner (its partitions move to the other instance and back).
 */
@IntegrationTest
class PauseSignalTest {

  private static final Logger log = LoggerFactory.getLogger(PauseSignalTest.class);
  /** poll-max of the kit's settings (500 ms) times 6: a polled session asks at least this often. */
  private static final Duration QUIET = Duration.ofSeconds(3);

  @Test
  void pauseStopsTheSessionsRequestsAcrossARestartUntilResume() throws Exception {
    EmbeddedKafka kafka = KafkaTestSupport.sharedBroker();
    String bootstrap = kafka.bootstrapServers();
    String name = SignalsTestKit.uniqueName("pause");
    try (QoderSimulator sim = QoderSimulator.builder().seed(32).sessions(8).eventsPerSession(10)
        .organizations("org_default").terminatedFraction(0).releasedFraction(0)
        .liveMode(LiveMode.events(20)).build().start()) {
      Map<String, String> settings = SignalsTestKit.settings(sim, kafka, name);
      List<Connector> instances = new ArrayList<>(List.of(SignalsTestKit.start(settings, sim, "i1"),
          SignalsTestKit.start(settings, sim, "i2")));
      try {
        String session = sim.sessionIds().get(1);
        SignalsTestKit.await(Duration.ofSeconds(60), () -> session + " polled with a cursor",
            () -> instances.stream().anyMatch(c -> c.sessions().isPolled(session)
                && c.sessions().state(session).cursor() != null));
        int owner = instances.get(0).sessions().isPolled(session) ? 0 : 1;
        Instant start = Instant.now();
        SignalsTestKit.await(Duration.ofSeconds(10), () -> "requests for " + session,
            () -> !SignalsTestKit.eventsRequests(sim, session, start).isEmpty());

        Signal pause = SignalsTestKit.send(settings, new Signal("sig-pause-1", Signal.Type.PAUSE, session, null,
            null, null));
        Notification started = SignalsTestKit.awaitAnswer(bootstrap, name, pause.id(), Notification.Status.STARTED,
            Duration.ofSeconds(30));
        SignalsTestKit.awaitAnswer(bootstrap, name, pause.id(), Notification.Status.DONE, Duration.ofSeconds(30));
        Instant pausedAt = started.at();
        awaitOthersPolledFor(sim, session, pausedAt, QUIET);
        assertThat(SignalsTestKit.eventsRequests(sim, session, pausedAt))
            .as("events requests for the paused session after the started answer").isEmpty();
        assertThat(instances.get(owner).sessions().isPolled(session)).isFalse();

        // Restart the owner: its partitions go to the other instance and come back; the pause holds.
        String ownerId = owner == 0 ? "i1" : "i2";
        instances.get(owner).close();
        Connector other = instances.get(1 - owner);
        SignalsTestKit.await(Duration.ofSeconds(30), () -> "the other instance owns " + session,
            () -> other.member().owns(session));
        Instant takenOver = Instant.now();
        awaitOthersPolledFor(sim, session, takenOver, QUIET);
        instances.set(owner, SignalsTestKit.start(settings, sim, ownerId));
        SignalsTestKit.await(Duration.ofSeconds(30), () -> "two members own partitions again",
            () -> !instances.get(0).member().ownedPartitions().isEmpty()
                && !instances.get(1).member().ownedPartitions().isEmpty());
        awaitOthersPolledFor(sim, session, Instant.now(), QUIET);
        assertThat(SignalsTestKit.eventsRequests(sim, session, pausedAt))
            .as("events requests for the paused session across the restart of its owner").isEmpty();
        assertThat(instances.stream().noneMatch(c -> c.sessions().isPolled(session))).isTrue();

        Signal resume = SignalsTestKit.send(settings, new Signal("sig-resume-1", Signal.Type.RESUME, session, null,
            null, null));
        Notification resumed = SignalsTestKit.awaitAnswer(bootstrap, name, resume.id(), Notification.Status.DONE,
            Duration.ofSeconds(30));
        assertThat(resumed.detail()).contains("resumed");
        Connector actor = instances.stream().filter(c -> c.member().instanceId().equals(resumed.instance()))
            .findFirst().orElseThrow();
        assertThat(actor.status().snapshot().extra().get("signals")).as("status of %s", resumed.instance())
            .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP).containsKey(resume.id());
        SignalsTestKit.await(Duration.ofSeconds(10), () -> "requests for " + session + " after resume",
            () -> !SignalsTestKit.eventsRequests(sim, session, resumed.at()).isEmpty());
        long truth = sim.groundTruth(session).eventIds().size();
        SignalsTestKit.await(Duration.ofSeconds(20), () -> "every event of " + session + " delivered after resume",
            () -> SignalsTestKit.copies(bootstrap, name + ".events", session).stream()
                .map(SignalsTestKit.EventCopy::eventId).distinct().count() >= truth);
        log.info("paused at {}, resumed at {}, no request for {} in between", pausedAt, resumed.at(), session);
      } finally {
        for (Connector c : instances) {
          c.close();
        }
      }
    }
  }

  /** Waits until other sessions were requested across {@code span} after {@code from} (time passes in polls). */
  private static void awaitOthersPolledFor(QoderSimulator sim, String paused, Instant from, Duration span) {
    Instant until = from.plus(span);
    SignalsTestKit.await(span.plusSeconds(20), () -> "requests of other sessions until " + until, () -> {
      for (RequestRecord r : sim.requestLog()) {
        if (r.endpoint() == Endpoint.EVENTS && r.sessionId() != null && !paused.equals(r.sessionId())
            && r.time().isAfter(until)) {
          return true;
        }
      }
      return false;
    });
  }
}

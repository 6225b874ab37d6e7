package com.qoder.kafka.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.Await;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.qoder.kafka.avro.Schemas;
import com.qoder.kafka.checker.DeliveryChecker;
import com.qoder.kafka.checker.DeliveryReport;
import com.qoder.kafka.checker.Expected;
import com.qoder.kafka.sim.LiveMode;
import com.qoder.kafka.runtime.Connector;
import com.qoder.kafka.sim.QoderSimulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Shared steps of the reliability tests: a simulator, the independent checker, and the verdict. */
final class Fixtures {

  private Fixtures() {}

  /**
   * A simulator with one organization (so discovery of the default organization sees every
   * session) and a distinctive random token, so any output can be searched for it.
   */
  static QoderSimulator.Builder simulator(long seed, int sessions, int eventsPerSession) {
    return QoderSimulator.builder().seed(seed).sessions(sessions).eventsPerSession(eventsPerSession)
        .organizations("org_default").historyEnd(Instant.now()).files(0).agents(0).maxResourcesPerSession(0)
        .token("qpat_" + java.util.UUID.randomUUID().toString().replace("-", ""));
  }

  /**
   * The independent checker for a pipeline's topics. Values are decoded with the event schema as
   * writer schema, so the check also works for a writer in another JVM with its own registry.
   */
  static DeliveryChecker checker(String bootstrap, Pipeline p) {
    return DeliveryChecker.builder(bootstrap).eventsTopic(p.eventsTopic()).errorsTopic(p.errorsTopic())
        .deadLetterTopic(p.deadLetterTopic()).fixedSchema(Schemas.sessionEvent()).build();
  }

  /**
   * Stops live generation, waits until every event the simulator ever served is in Kafka, and
   * asserts the check is clean; duplicates are allowed up to {@code maxDuplicates} (0: none). Prints
   * the matrix row.
   */
  static DeliveryReport verify(String fault, String happened, QoderSimulator sim, DeliveryChecker checker,
      Duration deadline, long maxDuplicates) {
    sim.liveMode(LiveMode.off());
    Supplier<java.util.Collection<Expected>> expected = () -> Expected.all(sim.groundTruth());
    DeliveryReport report = checker.awaitDelivered(deadline, expected);
    MatrixRow.report(fault, happened, report.requiredEvents(), report.missing(), report.duplicated());
    assertCleanApartFromDuplicates(report);
    assertThat(report.duplicated()).as("duplicates (bound %d): %s", maxDuplicates, report)
        .isLessThanOrEqualTo(maxDuplicates);
    assertThat(report.duplicatedErrorCopies()).as("duplicated session.error copies (bound %d): %s", maxDuplicates,
        report).isLessThanOrEqualTo(maxDuplicates);
    return report;
  }

  /**
   * Nothing lost and nothing wrong except duplicates — in the events topic or among the
   * session.error copies of the errors topic, both the at-least-once outcome of a crash.
   */
  static void assertCleanApartFromDuplicates(DeliveryReport r) {
    assertThat(new long[] {r.missing(), r.outOfOrder(), r.undecodable(), r.wrongKey(), r.unexpected(),
        r.wrongSchemaId(), r.badHeaders(), r.splitSessions(), r.missingErrorCopies(), r.unexpectedErrorCopies(),
        r.deadLettersWithoutReason(), r.silentGaps(), r.badMarkers()}).as("%s", r).containsOnly(0L);
  }

  /** {@code GET path} on a connector's ops server (started with the ops server on). */
  static HttpResponse<String> opsGet(Connector connector, String path) {
    int port = connector.opsPort().orElseThrow(() -> new AssertionError("the ops server is off"));
    try {
      return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + path + " on the ops server", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** {@code GET /health/ready} of a connector, as JSON. */
  static JsonNode readiness(Connector connector) {
    try {
      return new ObjectMapper().readTree(opsGet(connector, "/health/ready").body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Lets time pass on purpose — a fault held for a while, a random kill instant — never to wait for
   * a state (that is {@link #await}).
   */
  static void hold(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Waits until {@code condition} holds, polling every 20 ms; fails with {@code what} at the deadline. */
  static void await(Duration deadline, String what, BooleanSupplier condition) {
    Await.until(deadline, Duration.ofMillis(20), () -> what, condition);
  }
}

package com.qoder.kafka.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * Many concurrent paging clients while the live generator appends: every session walk is exactly
 * a prefix of the ground truth (no duplicates, no gaps, no reordering), and the server never
 * answers anything but 200.
 */
class ConcurrencyTest {

  @Test
  void concurrentWalksDuringLiveAppendsAreConsistent() {
    ConnectionProvider pool = ConnectionProvider.create("sim-concurrency-test", 16);
    try (QoderSimulator sim = QoderSimulator.builder().seed(12).sessions(200).eventsPerSession(300)
        .terminatedFraction(0).releasedFraction(0).liveMode(LiveMode.events(2_000)).build().start()) {
      HttpClient client = HttpClient.create(pool).baseUrl(sim.baseUrl())
          .headers(h -> h.set("Authorization", "Bearer " + sim.token()));
      Map<String, List<String>> walked = new ConcurrentHashMap<>();
      long t0 = System.nanoTime();
      Flux.fromIterable(sim.sessionIds())
          .flatMap(s -> walk(client, s).doOnNext(ids -> walked.put(s, ids)), 16)
          .blockLast(Duration.ofSeconds(120));
      long ms = (System.nanoTime() - t0) / 1_000_000;
      sim.liveMode(LiveMode.off());
      long events = walked.values().stream().mapToLong(List::size).sum();
      System.out.printf("CONCURRENCY walked %d events of %d sessions in %d ms%n", events, walked.size(), ms);
      assertThat(walked).hasSize(200);
      walked.forEach((s, ids) -> {
        List<String> truth = sim.groundTruth(s).eventIds();
        assertThat(ids.size()).isGreaterThanOrEqualTo(300);
        assertThat(ids).isEqualTo(truth.subList(0, ids.size()));
      });
      assertThat(sim.requestStats().byStatus().keySet()).containsOnly(200);
    } finally {
      pool.disposeLater().block(Duration.ofSeconds(5));
    }
  }

  /** Pages forward until has_more is false; Mono of every id seen, in order. */
  private static Mono<List<String>> walk(HttpClient client, String session) {
    List<String> ids = new ArrayList<>();
    return page(client, session, null)
        .expand(j -> j.get("has_more").asBoolean() ? page(client, session, j.get("last_id").asText()) : Mono.empty())
        .doOnNext(j -> j.get("data").forEach(e -> ids.add(e.get("id").asText())))
        .then(Mono.fromSupplier(() -> ids));
  }

  private static Mono<JsonNode> page(HttpClient client, String session, String after) {
    String uri = "/v1/sessions/" + session + "/events?limit=100" + (after == null ? "" : "&after_id=" + after);
    return client.get().uri(uri).responseSingle((res, body) -> body.asByteArray().map(bytes -> {
      if (res.status().code() != 200) {
        throw new AssertionError(res.status() + " " + new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
      }
      try {
        return SimHttp.MAPPER.readTree(bytes);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }));
  }
}

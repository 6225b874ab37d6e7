package com.qoder.kafka.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.Await;
import com.qoder.kafka.api.QoderApiException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

class PollLoopTest {

  private static final Duration LONG = Duration.ofHours(1); // rounds after the first only when woken

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    Await.until(Duration.ofSeconds(10), Duration.ofMillis(5), () -> what, condition);
  }

  @Test
  void runsAtOnceThenOnlyAfterTheIntervalOrAWakeUp() throws Exception {
    AtomicInteger rounds = new AtomicInteger();
    PollLoop loop = new PollLoop("test", LONG, () -> Mono.fromRunnable(rounds::incrementAndGet), e -> { });
    loop.start();
    await("first round", () -> loop.rounds() == 1);
    assertThat(rounds.get()).isEqualTo(1);
    loop.wakeUp();
    await("second round", () -> loop.rounds() == 2);
    loop.wakeUp();
    await("third round", () -> loop.rounds() == 3);
    assertThat(rounds.get()).isEqualTo(3);
    loop.stop().block(Duration.ofSeconds(5));
  }

  @Test
  void roundsNeverOverlapAndStopWaitsForTheRoundInProgress() throws Exception {
    Sinks.Empty<Void> gate = Sinks.empty();
    AtomicInteger running = new AtomicInteger();
    List<Integer> seen = new CopyOnWriteArrayList<>();
    PollLoop loop = new PollLoop("test", Duration.ofMillis(1), () -> Mono.defer(() -> {
      seen.add(running.incrementAndGet());
      return gate.asMono();
    }).doFinally(s -> running.decrementAndGet()), e -> { });
    loop.start();
    await("a round in progress", () -> running.get() == 1);
    Mono<Void> stopped = loop.stop().cache();
    stopped.subscribe();
    assertThat(loop.rounds()).isZero(); // still waiting for the round
    gate.tryEmitEmpty();
    stopped.block(Duration.ofSeconds(5));
    assertThat(seen).containsOnly(1);
    assertThat(loop.rounds()).isEqualTo(1);
  }

  @Test
  void aFailedRoundIsRetriedButAnAuthenticationFailureStopsTheLoop() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    List<Throwable> fatal = new CopyOnWriteArrayList<>();
    PollLoop loop = new PollLoop("test", Duration.ofMillis(1), () -> {
      int n = calls.incrementAndGet();
      return n < 3 ? Mono.error(new IllegalStateException("transient " + n))
          : Mono.error(new QoderApiException.Authentication("GET /x", "authentication_error", "revoked"));
    }, fatal::add);
    loop.start();
    await("the fatal error", () -> !fatal.isEmpty());
    loop.stop().block(Duration.ofSeconds(5));
    assertThat(calls.get()).isEqualTo(3);
    assertThat(fatal).singleElement().isInstanceOf(FatalPipelineException.class)
        .satisfies(e -> assertThat(e.getMessage()).contains("401"));
  }
}

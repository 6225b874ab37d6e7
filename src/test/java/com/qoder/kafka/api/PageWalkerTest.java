package com.qoder.kafka.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

class PageWalkerTest {

  private static Page<String> page(String id, boolean hasMore) {
    return new Page<>(List.of(id), id, id, hasMore, null);
  }

  /**
   * The next page's request may start before the call that started the previous one returned
   * (here: the first page arrives during subscribe; on a busy machine: the response thread
   * overtakes the subscribing thread). The previous request's bookkeeping must not cancel it.
   */
  @Test
  void aRequestStartedWhileThePreviousSubscribeIsStillReturningIsNotCancelled() {
    Sinks.One<Page<String>> second = Sinks.one();
    AtomicBoolean secondCancelled = new AtomicBoolean();
    var walk = PageWalker.<Integer, String>walk(0,
        c -> c == 0 ? Mono.just(page("a", true)) : second.asMono().doOnCancel(() -> secondCancelled.set(true)),
        (c, p) -> p.hasMore() ? c + 1 : null);
    StepVerifier.create(walk)
        .expectNextMatches(p -> p.lastId().equals("a"))
        .then(() -> {
          assertThat(secondCancelled).as("the second request was cancelled").isFalse();
          second.tryEmitValue(page("b", false));
        })
        .expectNextMatches(p -> p.lastId().equals("b"))
        .expectComplete()
        .verify(Duration.ofSeconds(5));
  }

  @Test
  void cancellingTheWalkCancelsTheRequestInFlight() {
    Sinks.One<Page<String>> pending = Sinks.one();
    AtomicBoolean cancelled = new AtomicBoolean();
    List<Page<String>> received = new java.util.ArrayList<>();
    var walk = PageWalker.<Integer, String>walk(0,
        c -> c == 0 ? Mono.just(page("a", true)) : pending.asMono().doOnCancel(() -> cancelled.set(true)),
        (c, p) -> p.hasMore() ? c + 1 : null);
    Disposable subscription = walk.subscribe(received::add);
    assertThat(received).hasSize(1);
    assertThat(pending.currentSubscriberCount()).as("second request in flight").isEqualTo(1);
    subscription.dispose();
    assertThat(cancelled).isTrue();
  }

  @Test
  void pagesAreFetchedOnlyOnDemand() {
    int[] fetches = {0};
    var walk = PageWalker.<Integer, String>walk(0, c -> {
      fetches[0]++;
      return Mono.just(page("p" + c, c < 9));
    }, (c, p) -> p.hasMore() ? c + 1 : null);
    StepVerifier.create(walk, 2)
        .expectNextCount(2)
        .then(() -> assertThat(fetches[0]).isEqualTo(2))
        .thenRequest(8)
        .expectNextCount(8)
        .expectComplete()
        .verify(Duration.ofSeconds(5));
  }
}

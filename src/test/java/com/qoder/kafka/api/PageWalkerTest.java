package com.qoder.kafka.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/** The page walk's hand-over from one request to the next, and its cancellation. */
class PageWalkerTest {

  static Page<String> page(String id, boolean more) {
    return new Page<>(List.of(id), id, id, more, null);
  }

  /**
   * The answer to a request can arrive before {@code subscribe()} returns (here: at once, on the
   * subscribing thread; over HTTP: on an event loop while the subscribing thread is descheduled).
   * The next request, started from that answer, must stay the walk's in-flight request: the
   * walk once registered the finished request afterwards, which cancelled the next one and left
   * the walk hanging with no signal (found by ClientSimulatorContractTest).
   */
  @Test
  void aRequestAnsweredBeforeSubscribeReturnsDoesNotCancelTheNextOne() {
    Sinks.One<Page<String>> second = Sinks.one();
    AtomicBoolean secondCancelled = new AtomicBoolean();
    Flux<Page<String>> walk = PageWalker.walk(0,
        cursor -> cursor == 0
            ? Mono.just(page("a", true))
            : second.asMono().doOnCancel(() -> secondCancelled.set(true)),
        (cursor, p) -> p.hasMore() ? cursor + 1 : null);

    StepVerifier.create(walk.map(p -> p.data().get(0)))
        .expectNext("a")
        .then(() -> {
          assertThat(secondCancelled).as("the second request was cancelled by the walk itself").isFalse();
          second.tryEmitValue(page("b", false));
        })
        .expectNext("b")
        .expectComplete()
        .verify(Duration.ofSeconds(5));
  }

  @Test
  void cancellingTheWalkCancelsTheRequestInFlight() {
    AtomicBoolean secondSubscribed = new AtomicBoolean();
    AtomicBoolean secondCancelled = new AtomicBoolean();
    List<Page<String>> received = new CopyOnWriteArrayList<>();
    Flux<Page<String>> walk = PageWalker.walk(0,
        cursor -> cursor == 0
            ? Mono.just(page("a", true))
            : Mono.<Page<String>>never()
                .doOnSubscribe(s -> secondSubscribed.set(true))
                .doOnCancel(() -> secondCancelled.set(true)),
        (cursor, p) -> p.hasMore() ? cursor + 1 : null);

    Disposable subscription = walk.subscribe(received::add);
    // The first page was answered at once, so the second request is in flight now.
    assertThat(received).hasSize(1);
    assertThat(secondSubscribed).isTrue();
    assertThat(secondCancelled).isFalse();
    subscription.dispose();
    assertThat(secondCancelled).isTrue();
  }

  @Test
  void asynchronousAnswersOnOtherThreadsWalkEveryPageOnce() {
    // Answers delayed onto the parallel scheduler, many times: no page lost, none twice, no hang.
    for (int run = 0; run < 200; run++) {
      Duration delay = Duration.ofNanos(1 + run % 3);
      List<Integer> seen = PageWalker.walk(0,
              cursor -> Mono.just(new Page<>(List.of(cursor), null, null, cursor < 9, null))
                  .delayElement(delay),
              (cursor, p) -> p.hasMore() ? cursor + 1 : null)
          .concatMapIterable(Page::data)
          .collectList()
          .block(Duration.ofSeconds(5));
      assertThat(seen).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }
  }
}

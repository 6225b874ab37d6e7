package com.qoder.kafka.api;

import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;

/**
 * Walks a paginated endpoint as a {@link Flux} of pages, fetching a page only when the subscriber
 * has asked for one and the previous page was handed over: no page is fetched ahead, so a slow
 * subscriber slows the walk instead of buffering pages.
 *
 * <p>{@code next} computes the cursor of the following page from the current cursor and the page
 * just received, or null when the walk is over; it may throw (a cursor that does not advance) to
 * fail the walk.
 */
final class PageWalker {

  // The client's log lines keep one logger name (QoderApiClient), which operators and tests filter by.
  private static final Logger log = LoggerFactory.getLogger(QoderApiClient.class);

  private PageWalker() {}

  static <C, T> Flux<Page<T>> walk(C start, Function<C, Mono<Page<T>>> fetch,
      BiFunction<C, Page<T>, C> next) {
    return Flux.create(sink -> new Walk<>(sink, start, fetch, next).attach());
  }

  /**
   * The next {@code after} cursor of an id-paged walk (documents 000–003): the page's {@code
   * last_id} while {@code has_more}. Ends the walk (null) when there is nothing more, or when a page
   * says {@code has_more} but is empty (no id to continue from; a poller asks again later from its
   * cursor).
   *
   * @throws QoderApiException.MalformedResponse when {@code last_id} did not move past {@code current}
   */
  static String nextById(String endpoint, String current, Page<?> page) {
    if (!page.hasMore()) {
      return null;
    }
    String last = page.lastId();
    if (last == null) {
      log.warn("{}: has_more is true on a page without last_id; ending this walk at cursor {}",
          endpoint, current);
      return null;
    }
    if (last.equals(current)) {
      throw new QoderApiException.MalformedResponse(endpoint,
          "has_more is true but last_id did not move past the cursor " + current, null);
    }
    return last;
  }

  private static final class Walk<C, T> {
    private final FluxSink<Page<T>> sink;
    private final Function<C, Mono<Page<T>>> fetch;
    private final BiFunction<C, Page<T>, C> next;
    private final Disposable.Swap inFlightRequest = Disposables.swap();
    // Guarded by this: the cursor of the next fetch, whether one is running, whether we are done.
    private C cursor;
    private boolean fetching;
    private boolean done;

    Walk(FluxSink<Page<T>> sink, C start, Function<C, Mono<Page<T>>> fetch,
        BiFunction<C, Page<T>, C> next) {
      this.sink = sink;
      this.cursor = start;
      this.fetch = fetch;
      this.next = next;
    }

    void attach() {
      sink.onDispose(inFlightRequest);
      sink.onRequest(n -> fetchIfWanted());
    }

    private void fetchIfWanted() {
      C c;
      synchronized (this) {
        if (done || fetching || sink.isCancelled() || sink.requestedFromDownstream() <= 0) {
          return;
        }
        fetching = true;
        c = cursor;
      }
      Mono<Page<T>> request;
      try {
        request = fetch.apply(c);
      } catch (RuntimeException e) {
        fail(e);
        return;
      }
      // Registered before subscribing: the answer may arrive (and the next fetch register
      // itself) on another thread before subscribe() returns here. Registering afterwards would
      // then put this finished request over the next one, and update() would cancel the next
      // one: the walk would hang without a signal. replace(), not update(): the previous request
      // has already delivered its page (it is what called us), so there is nothing to cancel.
      PageSubscriber subscriber = new PageSubscriber();
      inFlightRequest.replace(subscriber);
      request.subscribe(subscriber);
    }

    /** The subscriber of one page request; disposing it cancels that request. */
    private final class PageSubscriber extends BaseSubscriber<Page<T>> {
      @Override
      protected void hookOnNext(Page<T> page) {
        onPage(page);
      }

      @Override
      protected void hookOnError(Throwable e) {
        fail(e);
      }
    }

    private void onPage(Page<T> page) {
      C following;
      C current;
      synchronized (this) {
        current = cursor;
      }
      try {
        following = next.apply(current, page);
      } catch (RuntimeException e) {
        fail(e);
        return;
      }
      synchronized (this) {
        cursor = following;
        done = following == null;
      }
      sink.next(page);
      // Only now may another fetch start: the page is out, so demand counts only pages not yet
      // fetched (a request(n) during sink.next found fetching=true and returned).
      synchronized (this) {
        fetching = false;
      }
      if (following == null) {
        sink.complete();
      } else {
        fetchIfWanted();
      }
    }

    private void fail(Throwable e) {
      synchronized (this) {
        done = true;
      }
      sink.error(e);
    }
  }
}

package com.qoder.kafka.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.qoder.kafka.api.GenericItem;
import com.qoder.kafka.api.Page;
import com.qoder.kafka.api.QoderApi;
import com.qoder.kafka.api.QoderApiException;
import com.qoder.kafka.api.QoderFile;
import com.qoder.kafka.api.SessionEvent;
import com.qoder.kafka.api.SessionInfo;
import com.qoder.kafka.api.SessionResource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * Model-based test of {@link SessionPoller} (issue 12, defects 4 and 8): the real poller against an
 * in-process API, sink and offsets store, on virtual time. jqwik generates a session's history and
 * what the API and Kafka do at each request — pages, new events arriving, empty pages that say
 * {@code has_more}, documented and misrouted 404s, 403, 5xx, 429 with any {@code Retry-After}, a
 * rejected cursor, refused deliveries, failed offset writes, a release while a page is in flight —
 * and checks after each run:
 *
 * <ul>
 *   <li>politeness: a request follows the previous one by at least {@code poll-interval-min} unless
 *       the previous answer was a page with data that moved the cursor (so no page is ever asked
 *       for twice in a row at once);
 *   <li>what reached Kafka is the history's events in order, each once; every delivered page is
 *       followed by its offset record, and a failed offset write is retried before the next request;
 *   <li>a session that ended (terminated, gone, released) has that status in its last written
 *       offset record, its cursor at the last delivered event, and sends nothing afterwards;
 *   <li>a session is gone only after two documented 404s in a row.
 * </ul>
 *
 * <p>The CI budget is small ({@code tries = 120}, a few seconds); {@code -Pmodel-long} runs the
 * tagged long variant with 20,000 tries.
 */
class SessionPollerModelTest {

  static final String SID = "sess_019e392c0d1e74e095d21ea4c6b41def";
  static final Duration MIN = Duration.ofSeconds(1);
  static final Duration MAX = Duration.ofSeconds(8);
  static final ObjectMapper JSON = new ObjectMapper();
  static final String EP = "GET /api/v1/cloud/sessions/{session_id}/events";

  enum Answer { PAGE, EMPTY_HAS_MORE, DOCUMENTED_404, MISROUTED_404, FORBIDDEN, SERVER_ERROR, RATE_LIMITED,
    REJECTED_CURSOR }

  /** What happens at one request: the answer, events appended first, and Kafka's behaviour for its page. */
  record Step(Answer answer, int newEvents, boolean refuseDelivery, int failedWrites, long retryAfterMillis) {}

  /**
   * @param releaseAt index of the request during which the session is released (-1: never)
   * @param terminate whether the history ends with a {@code terminated} event once the script is played
   */
  record Scenario(int initialEvents, int pageSize, List<Step> steps, int releaseAt, boolean terminate) {}

  @Provide
  Arbitrary<Scenario> scenarios() {
    Arbitrary<Answer> answer = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(8, Arbitraries.just(Answer.PAGE)),
        net.jqwik.api.Tuple.of(3, Arbitraries.just(Answer.EMPTY_HAS_MORE)),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(Answer.DOCUMENTED_404)),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(Answer.MISROUTED_404)),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(Answer.FORBIDDEN)),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(Answer.SERVER_ERROR)),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(Answer.RATE_LIMITED)),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(Answer.REJECTED_CURSOR)));
    Arbitrary<Step> step = Combinators.combine(answer,
        Arbitraries.integers().between(0, 30).edgeCases(c -> c.includeOnly(0)),
        Arbitraries.integers().between(0, 9).map(i -> i == 0),
        Arbitraries.integers().between(0, 9).map(i -> i == 0 ? 1 : i == 1 ? 3 : 0),
        Arbitraries.longs().between(0, 86_400_000L))
        .as(Step::new);
    return Combinators.combine(
        Arbitraries.integers().between(0, 250),
        Arbitraries.of(1, 7, 20, 100),
        step.list().ofMinSize(1).ofMaxSize(50),
        Arbitraries.integers().between(-1, 49).map(i -> i < 10 ? -1 : i - 10),
        Arbitraries.of(true, false))
        .as(Scenario::new);
  }

  /** Thousands of runs log a WARN per fault: only errors are worth seeing here. */
  private static ch.qos.logback.classic.Level savedLevel;

  @net.jqwik.api.lifecycle.BeforeContainer
  static void quietPollerLogs() {
    ch.qos.logback.classic.Logger l = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(SessionPoller.class);
    savedLevel = l.getLevel();
    l.setLevel(ch.qos.logback.classic.Level.ERROR);
  }

  @net.jqwik.api.lifecycle.AfterContainer
  static void restorePollerLogs() {
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(SessionPoller.class)).setLevel(savedLevel);
  }

  @Property(tries = 120, seed = "20261203")
  void politeAndLosslessOnEveryPath(@ForAll("scenarios") Scenario s) {
    new Run(s).play().check();
  }

  @Property(tries = 20_000, seed = "20261203")
  @Tag("model-long")
  void politeAndLosslessOnEveryPathLong(@ForAll("scenarios") Scenario s) {
    new Run(s).play().check();
  }

  /** One run of a scenario: the model of the API and of Kafka, and what they saw. */
  static final class Run implements QoderApi {
    final Scenario s;
    final VirtualTimeScheduler time = VirtualTimeScheduler.create();
    final List<SessionEvent> history = new ArrayList<>();
    final List<long[]> requests = new ArrayList<>(); // {time ns, step index}
    final List<String> cursors = new ArrayList<>();
    final List<Boolean> pageWithData = new ArrayList<>();
    final List<Answer> answers = new ArrayList<>();
    final List<String> delivered = new ArrayList<>();
    final List<String> ops = new ArrayList<>(); // request, deliver, write-ok, write-fail: in order
    final List<SessionState.Snapshot> written = new ArrayList<>();
    final AtomicReference<SessionStatus> ended = new AtomicReference<>();
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    int failWrites;
    boolean refuse;
    int historyAtRelease = -1;
    long endedAtRequests = -1;
    SessionPoller poller;

    Run(Scenario s) {
      this.s = s;
      append(s.initialEvents());
    }

    void append(int n) {
      for (int i = 0; i < n; i++) {
        history.add(event(history.size(), "user.message"));
      }
    }

    static SessionEvent event(int index, String type) {
      ObjectNode json = JSON.createObjectNode();
      json.put("id", "evt_" + index);
      json.put("type", type);
      json.put("session_id", SID);
      json.put("created_at", Instant.parse("2026-05-18T03:40:48.000000001Z").plusMillis(index).toString());
      return SessionEvent.of(json);
    }

    Run play() {
      EventDelivery delivery = (sessionId, events) -> Mono.defer(() -> {
        if (refuse) {
          refuse = false;
          return Mono.error(new IllegalStateException("the broker refused the page (model)"));
        }
        events.forEach(e -> delivered.add(e.id()));
        ops.add("deliver");
        return Mono.just(new EventDelivery.Report(events.size(), 0));
      });
      OffsetWriter writer = snapshot -> Mono.defer(() -> {
        if (failWrites > 0) {
          failWrites--;
          ops.add("write-fail");
          return Mono.error(new IllegalStateException("offsets topic unavailable (model)"));
        }
        written.add(snapshot);
        ops.add("write-ok");
        return Mono.empty();
      });
      poller = new SessionPoller(new SessionState(SID, 512, 0), new PollerContext(this, delivery, writer,
          new PollerOptions(s.pageSize(), MIN, MAX, false, 512), SessionListener.NOOP, StepGate.UNBOUNDED,
          PageBudget.UNBOUNDED, time));
      poller.start((p, status, error) -> {
        failure.set(error);
        ended.set(status);
        endedAtRequests = requests.size();
      });
      // Long enough for every step to be played at the longest interval, and for the end to show.
      long horizon = (s.steps().size() + 5) * MAX.toSeconds() * 3 + 120;
      for (long t = 0; t < horizon && ended.get() == null; t += 10) {
        time.advanceTimeBy(Duration.ofSeconds(10));
      }
      if (ended.get() == null) {
        poller.stop();
        time.advanceTimeBy(Duration.ofSeconds(1));
      }
      int sent = requests.size();
      time.advanceTimeBy(Duration.ofMinutes(5));
      assertThat(requests).as("requests after the end").hasSize(sent);
      assertThat(ended.get()).as("ended after stop()").isNotNull();
      return this;
    }

    void check() {
      assertThat(failure.get()).as("the poller ended with an error").isNull();
      // Politeness, request by request.
      for (int i = 1; i < requests.size(); i++) {
        boolean movedWithData = pageWithData.get(i - 1) && !java.util.Objects.equals(cursors.get(i), cursors.get(i - 1));
        if (!movedWithData) {
          long gap = requests.get(i)[0] - requests.get(i - 1)[0];
          assertThat(Duration.ofNanos(gap)).as("request %d after %s (cursor %s -> %s)", i, answers.get(i - 1),
              cursors.get(i - 1), cursors.get(i)).isGreaterThanOrEqualTo(MIN);
        }
      }
      // A delivered page is followed by its offset record (exactly-once: it closes the page's part
      // of the transaction), and a failed write is written again before the next request.
      for (int i = 0; i + 1 < ops.size(); i++) {
        if (ops.get(i).equals("deliver") || ops.get(i).equals("write-fail")) {
          assertThat(ops.get(i + 1)).as("after %s at %d of %s", ops.get(i), i, ops).startsWith("write");
        }
      }
      // Every event once, in the API's order: what reached Kafka is a prefix of the history.
      assertThat(new HashSet<>(delivered)).as("no duplicates").hasSize(delivered.size());
      List<String> ids = history.stream().map(SessionEvent::id).toList();
      assertThat(delivered).as("in order, nothing skipped").isEqualTo(ids.subList(0, delivered.size()));
      SessionStatus end = ended.get();
      SessionState.Snapshot last = written.isEmpty() ? null : written.get(written.size() - 1);
      if (end.isFinal()) {
        assertThat(last).as("the final status is written").isNotNull();
        assertThat(last.status()).isEqualTo(end);
        // (After a rejected cursor the cursor in memory is a fall-back one until the re-read catches
        // up; where the stored cursor stands then is the recovery's business, not the scheduling's.)
        if (!delivered.isEmpty() && !answers.contains(Answer.REJECTED_CURSOR)) {
          assertThat(last.cursor()).isEqualTo(delivered.get(delivered.size() - 1));
        }
      }
      if (end == SessionStatus.TERMINATED) {
        assertThat(delivered).as("a terminated session is read to its end").isEqualTo(ids);
      }
      if (end == SessionStatus.RELEASED) {
        assertThat(delivered.size()).as("a released session is drained").isGreaterThanOrEqualTo(historyAtRelease);
      }
      if (end == SessionStatus.GONE) {
        // The last answer was a documented 404, and so was an earlier one with no page in between.
        int n = answers.size();
        assertThat(answers.get(n - 1)).isEqualTo(Answer.DOCUMENTED_404);
        int i = n - 2;
        while (i >= 0 && answers.get(i) != Answer.DOCUMENTED_404) {
          assertThat(answers.get(i)).as("gone only after two documented 404s without a page between: %s", answers)
              .isNotIn(Answer.PAGE, Answer.EMPTY_HAS_MORE);
          i--;
        }
        assertThat(i).as("a documented 404 confirmed by another: %s", answers).isNotNegative();
      }
    }

    // --- the API model ---------------------------------------------------------------------------

    @Override
    public Mono<Page<SessionEvent>> eventsAfter(String sessionId, String afterId, int limit) {
      return Mono.defer(() -> {
        int index = requests.size();
        ops.add("request");
        requests.add(new long[] {time.now(TimeUnit.NANOSECONDS), index});
        cursors.add(afterId);
        Step step = index < s.steps().size() ? s.steps().get(index)
            : new Step(Answer.PAGE, 0, false, 0, 0);
        if (index == s.steps().size() && s.terminate()) {
          history.add(event(history.size(), "terminated"));
        }
        boolean ended = !history.isEmpty() && history.get(history.size() - 1).type().equals("terminated");
        if (!ended) {
          append(step.newEvents());
        }
        if (index == s.releaseAt()) {
          historyAtRelease = history.size();
          poller.release(); // seen while this page is on its way
        }
        refuse = step.refuseDelivery();
        failWrites = step.failedWrites();
        answers.add(step.answer());
        pageWithData.add(false);
        return switch (step.answer()) {
          case PAGE -> {
            int from = 0;
            if (afterId != null) {
              from = indexOf(afterId) + 1;
              if (from == 0) {
                answers.set(index, Answer.REJECTED_CURSOR);
                yield Mono.error(new QoderApiException.InvalidRequest(EP, "invalid_request_error", "no such event"));
              }
            }
            int to = Math.min(history.size(), from + limit);
            List<SessionEvent> data = history.subList(from, to);
            pageWithData.set(index, !data.isEmpty());
            yield Mono.just(new Page<>(List.copyOf(data), data.isEmpty() ? null : data.get(0).id(),
                data.isEmpty() ? null : data.get(data.size() - 1).id(), to < history.size(), null));
          }
          case EMPTY_HAS_MORE -> Mono.just(new Page<>(List.of(), null, null, true, null));
          case DOCUMENTED_404 -> Mono.error(new QoderApiException.NotFound(EP, "not_found_error",
              "Session '" + SID + "' was not found.", SID));
          case MISROUTED_404 -> Mono.error(new QoderApiException.NotFound(EP, null, "<html>404</html>"));
          case FORBIDDEN -> Mono.error(new QoderApiException.Unexpected(EP, 403, "permission_error", "no"));
          case SERVER_ERROR -> Mono.error(new QoderApiException.ServerError(EP, 503, "api_error", "down"));
          case RATE_LIMITED -> Mono.error(new QoderApiException.RateLimited(EP, "rate_limit_error", "slow",
              step.retryAfterMillis()));
          case REJECTED_CURSOR -> Mono.error(new QoderApiException.InvalidRequest(EP, "invalid_request_error",
              "after_id is not valid"));
        };
      });
    }

    int indexOf(String id) {
      for (int i = 0; i < history.size(); i++) {
        if (history.get(i).id().equals(id)) {
          return i;
        }
      }
      return -1;
    }

    @Override
    public Mono<Page<SessionEvent>> eventsBefore(String sessionId, String beforeId, int limit) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Flux<Page<SessionEvent>> events(String sessionId, String afterId, int limit) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Mono<Page<SessionResource>> resourcesPage(String sessionId, String pageToken, int limit) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Mono<Page<SessionResource>> resourcesById(String sessionId, String afterId, String beforeId, int limit) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Flux<Page<SessionResource>> resources(String sessionId, int limit) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Mono<Page<QoderFile>> filesPage(String purpose, String after, String before, int limit) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Flux<Page<QoderFile>> files(String purpose, int limit) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Mono<Page<GenericItem>> listPage(String collection, String afterId, String beforeId, int limit) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Flux<Page<GenericItem>> list(String collection, int limit) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Mono<Page<SessionInfo>> sessionsPage(String organizationId, String before, int limit) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Flux<Page<SessionInfo>> sessions(String organizationId, int limit) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Mono<SessionInfo> session(String organizationId, String sessionId) {
      throw new UnsupportedOperationException();
    }
  }
}

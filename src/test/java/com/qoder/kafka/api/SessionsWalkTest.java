package com.qoder.kafka.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.api.FakeQoderServer.Received;
import com.qoder.kafka.api.FakeQoderServer.Reply;
import com.qoder.kafka.config.Secret;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The sessions list walk (document 004) against a server that implements {@code before} as the
 * document says — strictly before — and lets any number of sessions share one {@code createdAt}:
 * every session is found once, whatever the ties at page boundaries, and a page full of one
 * instant neither loops nor storms. The server's arithmetic is written here with {@code java.time}
 * only, not with the client's timestamp code.
 */
class SessionsWalkTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Instant BASE = Instant.parse("2026-05-18T03:40:48.888851795Z");

  /** A session of the fake server. */
  record Row(String uuid, Instant createdAt) {}

  /** Newest first; sessions of one instant in a stable order (by id, descending). */
  static final Comparator<Row> NEWEST_FIRST = Comparator.comparing(Row::createdAt).reversed()
      .thenComparing(Row::uuid, Comparator.reverseOrder());

  private static FakeQoderServer shared;
  private static final AtomicReference<List<Row>> rows = new AtomicReference<>(List.of());
  private final List<AutoCloseable> toClose = new ArrayList<>();

  /** One server for all tries of a property (jqwik's lifecycle); each JUnit test starts its own. */
  @BeforeContainer
  static void startServer() {
    shared = new FakeQoderServer(SessionsWalkTest::answer);
  }

  @AfterContainer
  static void stopServer() {
    shared.close();
  }

  private FakeQoderServer server() {
    FakeQoderServer s = new FakeQoderServer(SessionsWalkTest::answer);
    toClose.add(s);
    return s;
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  /** GET /api/v1/sessions over {@link #rows}: strictly before {@code before}, newest first. */
  static Reply answer(Received r) {
    List<Row> all = new ArrayList<>(rows.get());
    all.sort(NEWEST_FIRST);
    String before = r.param("before");
    int limit = Integer.parseInt(r.param("limit"));
    List<Row> older = before == null ? all
        : all.stream().filter(x -> x.createdAt().isBefore(Instant.parse(before))).toList();
    List<Row> page = older.subList(0, Math.min(limit, older.size()));
    StringBuilder sb = new StringBuilder("{\"object\":\"list\",\"data\":[");
    for (int i = 0; i < page.size(); i++) {
      sb.append(i == 0 ? "" : ",").append(session(page.get(i)));
    }
    sb.append(']');
    if (older.size() > page.size()) {
      sb.append(",\"nextCursor\":\"").append(page.get(page.size() - 1).createdAt()).append('"');
    }
    return Reply.json(sb.append('}').toString());
  }

  static String session(Row s) {
    return "{\"id\":\"" + s.uuid() + "\",\"organization\":\"org-1\",\"user\":\"u\",\"device\":{\"id\":\"d\","
        + "\"platform\":\"linux\",\"type\":\"vm\",\"name\":\"n\",\"osVersion\":\"1\"},"
        + "\"createdAt\":\"" + s.createdAt() + "\",\"releasedAt\":null}";
  }

  static String uuid(int n) {
    return String.format("019e392c-0d1e-74e0-95d2-%012x", n);
  }

  QoderApiClient client(FakeQoderServer server) {
    QoderApiClient c = QoderApiClient.create(QoderApiOptions.builder(server.baseUrl(), Secret.of("t-sessions-walk"))
        .backoff(Duration.ofMillis(5), Duration.ofMillis(20)).maxRetries(1).maxRequestsPerSecond(10_000)
        .maxConcurrentRequests(4).responseTimeout(Duration.ofSeconds(5)).build(), ApiMetrics.NOOP);
    toClose.add(c);
    return c;
  }

  /** Every uuid the walk emitted, in order (duplicates kept). */
  List<String> walk(QoderApiClient client, int limit) {
    return client.sessions(null, limit).collectList().block(WAIT).stream()
        .flatMap(p -> p.data().stream()).map(SessionInfo::id).toList();
  }

  @Test
  void theSessionSharingItsCreatedAtWithTheLastOfAFullPageIsFound() {
    // 501 sessions, limit 500: the 500th and the 501st were created at the same instant.
    List<Row> list = new ArrayList<>();
    for (int i = 0; i < 499; i++) {
      list.add(new Row(uuid(i), BASE.plusNanos(1_000 - i)));
    }
    list.add(new Row(uuid(999), BASE));
    list.add(new Row(uuid(998), BASE));
    rows.set(list);
    FakeQoderServer server = server();

    List<String> found = walk(client(server), 500);

    List<String> missing = list.stream().map(Row::uuid).filter(u -> !found.contains(u)).toList();
    assertThat(missing).as("sessions never listed (of %d)", list.size()).isEmpty();
    assertThat(found).doesNotHaveDuplicates().hasSize(501);
    assertThat(server.received()).as("requests").hasSizeLessThanOrEqualTo(3);
  }

  @Test
  void aPageFullOfOneInstantEndsWithoutALoop() {
    // 7 sessions at one instant, limit 5: two of them cannot be reached with a strict `before`
    // (the API offers no other cursor); the walk goes on past them with a bounded number of requests.
    List<Row> list = new ArrayList<>();
    list.add(new Row(uuid(100), BASE.plusSeconds(1)));
    for (int i = 0; i < 7; i++) {
      list.add(new Row(uuid(i), BASE));
    }
    list.add(new Row(uuid(200), BASE.minusSeconds(1)));
    rows.set(list);
    FakeQoderServer server = server();

    List<String> found = walk(client(server), 5);

    assertThat(found).doesNotHaveDuplicates().contains(uuid(100), uuid(200));
    assertThat(found.stream().filter(u -> !u.equals(uuid(100)) && !u.equals(uuid(200)))).hasSize(5);
    assertThat(server.received()).as("requests").hasSizeLessThanOrEqualTo(5);
  }

  /**
   * Random lists with ties of random size at random places, random page sizes: every session of
   * an instant shared by at most {@code limit} sessions is found, nothing twice, and the requests
   * stay within one per page of new sessions plus one per tie group.
   */
  @Property(tries = 60, seed = "20261203")
  void everySessionIsFoundWhateverTheTies(@ForAll long seed, @ForAll @IntRange(min = 0, max = 120) int n,
      @ForAll @IntRange(min = 1, max = 12) int limit) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Row> list = new ArrayList<>();
    Instant at = BASE;
    int groups = 0;
    while (list.size() < n) {
      int tie = r.nextInt(4) == 0 ? 1 + r.nextInt(limit + 2) : 1;
      groups++;
      for (int i = 0; i < tie && list.size() < n; i++) {
        list.add(new Row(uuid(list.size()), at));
      }
      at = at.minusNanos(1 + r.nextInt(3)); // consecutive instants 1–3 ns apart
    }
    rows.set(list);
    Map<Instant, Integer> perInstant = new HashMap<>();
    list.forEach(x -> perInstant.merge(x.createdAt(), 1, Integer::sum));
    int before = shared.received().size();

    List<String> found;
    QoderApiClient c = QoderApiClient.create(QoderApiOptions.builder(shared.baseUrl(), Secret.of("t-walk"))
        .maxRetries(1).maxRequestsPerSecond(10_000).responseTimeout(Duration.ofSeconds(5)).build(), ApiMetrics.NOOP);
    try (c) {
      found = walk(c, limit);
    }

    assertThat(found).doesNotHaveDuplicates();
    Set<String> foundSet = new HashSet<>(found);
    for (Row x : list) {
      if (perInstant.get(x.createdAt()) <= limit) {
        assertThat(foundSet).as("session at %s (%d at that instant, limit %d)", x.createdAt(),
            perInstant.get(x.createdAt()), limit).contains(x.uuid());
      }
    }
    int requests = shared.received().size() - before;
    assertThat(requests).isLessThanOrEqualTo(2 * (n / Math.max(1, limit - 1) + 1) + 2 * groups + 1);
  }
}

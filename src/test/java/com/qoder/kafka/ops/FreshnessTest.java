package com.qoder.kafka.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FreshnessTest {

  @Test
  void bucketsAreCumulativeAndTheTopIsTheStalestFirst() {
    Freshness.Builder b = new Freshness.Builder();
    b.add("a", 0.5, Double.NaN).add("b", 3, 2).add("c", 45, Double.NaN).add("d", 7200, 100).add("e", -2, Double.NaN);
    Freshness f = b.build();
    Freshness.Distribution c = f.cursorAge();
    assertThat(c.sessions()).isEqualTo(5);
    assertThat(c.atMost(0)).as("<= 1 s: a and e (negative counts as 0)").isEqualTo(2);
    assertThat(c.atMost(1)).as("<= 5 s").isEqualTo(3);
    assertThat(c.atMost(Freshness.BUCKETS.indexOf(60.0))).isEqualTo(4);
    assertThat(c.atMost(Freshness.BUCKETS.size())).isEqualTo(5);
    assertThat(c.maxSeconds()).isEqualTo(7200);
    assertThat(c.top()).extracting(Freshness.Entry::sessionId).containsExactly("d", "c", "b", "a", "e");
    assertThat(c.topSeconds(1)).isEqualTo(7200);
    assertThat(c.topSeconds(6)).isZero();
    Freshness.Distribution u = f.oldestUndelivered();
    assertThat(u.sessions()).as("only sessions with something pending").isEqualTo(2);
    assertThat(u.maxSeconds()).isEqualTo(100);
    assertThat(u.top()).extracting(Freshness.Entry::sessionId).containsExactly("d", "b");
  }

  @Test
  void theTopStaysBoundedWhateverTheNumberOfSessions() {
    Freshness.Builder b = new Freshness.Builder();
    IntStream.range(0, 100_000).forEach(i -> b.add("s" + i, i, i % 2 == 0 ? i : Double.NaN));
    Freshness f = b.build();
    assertThat(f.cursorAge().top()).hasSize(Freshness.TOP)
        .extracting(Freshness.Entry::sessionId).containsExactly("s99999", "s99998", "s99997", "s99996", "s99995");
    assertThat(f.oldestUndelivered().top()).extracting(Freshness.Entry::sessionId)
        .containsExactly("s99998", "s99996", "s99994", "s99992", "s99990");
  }

  /** 100,000 sessions make the same, small number of series as one: never a series per session. */
  @Test
  void scrapeHasBoundedSeriesAndNoSessionIds() {
    PrometheusMeterRegistry registry = ConnectorMetrics.newPrometheusRegistry("t");
    ConnectorMetrics metrics = new ConnectorMetrics(registry);
    AtomicReference<Freshness> current = new AtomicReference<>(Freshness.EMPTY);
    metrics.bindFreshness(current::get);
    String empty = registry.scrape();
    Freshness.Builder b = new Freshness.Builder();
    IntStream.range(0, 100_000).forEach(i -> b.add("sess_" + i, i % 600, i < 10 ? 30 + i : Double.NaN));
    current.set(b.build());
    String scrape = waitForRefresh(registry, "qoder_session_cursor_age_max_seconds", 599);
    assertThat(seriesOf(scrape, "qoder_session_")).isEqualTo(seriesOf(empty, "qoder_session_"))
        .isEqualTo(2 * (Freshness.BUCKETS.size() + 1 + 1 + Freshness.TOP));
    assertThat(scrape).doesNotContain("sess_");
    assertThat(value(scrape, "qoder_session_cursor_age_sessions{connector=\"t\",le=\"+Inf\"}")).isEqualTo(100_000);
    assertThat(value(scrape, "qoder_session_cursor_age_sessions{connector=\"t\",le=\"60.0\"}")).isEqualTo(61 * 166 + 61);
    assertThat(value(scrape, "qoder_session_undelivered_age_sessions{connector=\"t\",le=\"+Inf\"}")).isEqualTo(10);
    assertThat(value(scrape, "qoder_session_undelivered_age_max_seconds{connector=\"t\"}")).isEqualTo(39);
    assertThat(value(scrape, "qoder_session_undelivered_age_top_seconds{connector=\"t\",rank=\"2\"}")).isEqualTo(38);
  }

  /**
   * The first scrape whose every gauge shows the new figures. Each gauge reads the cached summary on
   * its own, so the scrape in which the cache refreshes can mix old and new figures (CI once saw the
   * new maximum beside the old session count); the next scrape is whole.
   */
  private static String waitForRefresh(PrometheusMeterRegistry registry, String metric, double expected) {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (true) {
      String s = registry.scrape();
      boolean whole = value(s, metric + "{connector=\"t\"}") == expected
          && value(s, "qoder_session_cursor_age_sessions{connector=\"t\",le=\"+Inf\"}") == 100_000
          && value(s, "qoder_session_undelivered_age_sessions{connector=\"t\",le=\"+Inf\"}") == 10;
      if (whole || System.nanoTime() > deadline) {
        return s;
      }
      Thread.onSpinWait();
    }
  }

  static long seriesOf(String scrape, String prefix) {
    return scrape.lines().filter(l -> l.startsWith(prefix)).count();
  }

  static double value(String scrape, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }
}

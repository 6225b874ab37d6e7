package com.qoder.kafka.runtime;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API endpoints whose latest answer was a misrouted 404 (not the API's documented "session not
 * found": a wrong {@code qoder.base-url} or {@code qoder.path-prefix}, a proxy). Such an endpoint
 * makes the {@code qoderApi} readiness check DOWN with a reason a user can act on, until it answers
 * a 2xx again. Nothing is marked gone for these 404s; the pollers retry them.
 *
 * <p>Thread-safe; fed from the API client's event loops, so every method is a map update.
 */
final class MisroutedEndpoints {

  private static final Logger log = LoggerFactory.getLogger(MisroutedEndpoints.class);

  /** One endpoint's run of misrouted answers. */
  private record Run(String baseUrl, String lastMessage, long answers, Instant since) {}

  private final Map<String, Run> byEndpoint = new ConcurrentHashMap<>();

  void misrouted(String endpoint, String baseUrl, String message) {
    Run run = byEndpoint.compute(endpoint, (k, r) -> r == null
        ? new Run(baseUrl, message, 1, Instant.now())
        : new Run(baseUrl, message, r.answers() + 1, r.since()));
    if (run.answers() == 1) {
      // Once per run, not per session: with a wrong base URL every poller sees the same 404.
      log.error("{} answers 404 that is not the Qoder API's 'session not found': {}. No session is marked gone for"
          + " this; requests are retried with back-off and /health/ready is DOWN until it answers again",
          endpoint, message);
    }
  }

  void answered(String endpoint, int status) {
    if (status >= 200 && status < 300) {
      Run r = byEndpoint.remove(endpoint);
      if (r != null) {
        log.info("{} answers again after {} misrouted 404(s) since {}", endpoint, r.answers(), r.since());
      }
    }
  }

  /** Empty while every endpoint routes; otherwise what is wrong and what to check. */
  Optional<String> problem() {
    if (byEndpoint.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(byEndpoint.entrySet().stream()
        .map(e -> e.getKey() + " at " + e.getValue().baseUrl() + " answered " + e.getValue().answers()
            + " misrouted 404(s) since " + e.getValue().since() + ", last: " + e.getValue().lastMessage())
        .sorted()
        .collect(Collectors.joining("; ", "", "; check qoder.base-url and qoder.path-prefix (sessions are kept and"
            + " retried, none is marked GONE)")));
  }
}

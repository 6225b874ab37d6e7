package com.qoder.kafka.cli;

import com.qoder.kafka.sim.Endpoint;
import com.qoder.kafka.sim.Faults;
import com.qoder.kafka.sim.Faults.Trigger;
import com.qoder.kafka.sim.LiveMode;
import com.qoder.kafka.sim.QoderSimulator;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code qoder-kafka simulate}: runs the Qoder API simulator in the foreground until SIGTERM or
 * Ctrl-C, printing its base URL, token and example requests.
 */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Runs a local Qoder Cloud Agents API simulator: sessions, events, resources, files, agents,",
        "live event generation, a control API under /_sim and fault injection.",
        "The token is --token, else $QODER_PAT, else '" + QoderSimulator.DEFAULT_TOKEN + "'."})
public final class SimulateCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", defaultValue = "8089", description = "Port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--sessions", defaultValue = "20", description = "Sessions generated at start (default: ${DEFAULT-VALUE}).")
  int sessions;

  @Option(names = "--events-per-session", defaultValue = "200", description = "History events per session (default: ${DEFAULT-VALUE}).")
  int eventsPerSession;

  @Option(names = "--files", defaultValue = "100", description = "Files besides those behind session resources (default: ${DEFAULT-VALUE}).")
  int files;

  @Option(names = "--agents", defaultValue = "25", description = "Agents of the generic list endpoint (default: ${DEFAULT-VALUE}).")
  int agents;

  @Option(names = "--resources-per-session", defaultValue = "2", description = "At most this many resources per session (default: ${DEFAULT-VALUE}).")
  int resourcesPerSession;

  @Option(names = "--organizations", split = ",", defaultValue = "org_default,org_research",
      description = "Organization ids; the first is the default (default: ${DEFAULT-VALUE}).")
  List<String> organizations;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of all generated data (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--token", description = "The one bearer token accepted.")
  String token;

  @Option(names = "--request-log-capacity", defaultValue = "100000", description = "Requests kept for /_sim/requests (default: ${DEFAULT-VALUE}).")
  int requestLogCapacity;

  @Option(names = "--session-ties-page-size", defaultValue = "0", description = "Make generated sessions share a"
      + " createdAt across every page boundary of this size in each organization's list; 0: none (default: ${DEFAULT-VALUE}).")
  int tiePageSize;

  @Option(names = "--session-tie-size", defaultValue = "2", description = "How many sessions share one createdAt at"
      + " each such boundary: the last of a page and the first N-1 of the next (default: ${DEFAULT-VALUE}).")
  int tieSize;

  @Option(names = "--live", description = "Generate events, sessions, releases and terminations while running.")
  boolean live;

  @Option(names = "--event-rate", defaultValue = "5", description = "Live events per second, all sessions (default: ${DEFAULT-VALUE}).")
  double eventRate;

  @Option(names = "--new-session-rate", defaultValue = "0", description = "Live new sessions per second (default: ${DEFAULT-VALUE}).")
  double newSessionRate;

  @Option(names = "--release-rate", defaultValue = "0", description = "Sessions released per second (default: ${DEFAULT-VALUE}).")
  double releaseRate;

  @Option(names = "--terminate-rate", defaultValue = "0", description = "Sessions terminated per second (default: ${DEFAULT-VALUE}).")
  double terminateRate;

  @Option(names = "--fault-latency-ms", defaultValue = "0", description = "Added latency in ms (default: ${DEFAULT-VALUE}).")
  long latencyMs;

  @Option(names = "--fault-latency-jitter-ms", defaultValue = "0", description = "Random extra latency 0..N ms (default: ${DEFAULT-VALUE}).")
  long latencyJitterMs;

  @Option(names = "--fault-latency", defaultValue = "1", description = "Probability a request is delayed when latency is set (default: ${DEFAULT-VALUE}).")
  double latencyProbability;

  @Option(names = "--fault-429", defaultValue = "0", description = "Probability of 429 rate_limit_error (default: ${DEFAULT-VALUE}).")
  double rateLimit;

  @Option(names = "--retry-after", defaultValue = "1", description = "Retry-After seconds of a 429 (default: ${DEFAULT-VALUE}).")
  int retryAfter;

  @Option(names = "--retry-after-http-date", description = "Send Retry-After as an HTTP-date instead of seconds.")
  boolean retryAfterHttpDate;

  @Option(names = "--retry-after-raw", description = "Exact Retry-After text of a 429 (e.g. 604800, -1, soon, a"
      + " past HTTP-date); an empty string sends no Retry-After.")
  String retryAfterRaw;

  @Option(names = "--fault-403", defaultValue = "0", description = "Probability of 403 permission_error (default: ${DEFAULT-VALUE}).")
  double permissionDenied;

  @Option(names = "--fault-empty-page", defaultValue = "0", description = "Probability a list answers an empty page"
      + " that says has_more: true (default: ${DEFAULT-VALUE}).")
  double emptyPage;

  @Option(names = "--fault-replay", defaultValue = "0", description = "Probability an events request with after_id"
      + " is answered from the first event, as if it had no cursor (default: ${DEFAULT-VALUE}).")
  double replay;

  @Option(names = "--fault-cursor-rejected", defaultValue = "0", description = "Probability a valid cursor is"
      + " rejected with 400 as if its item were deleted (default: ${DEFAULT-VALUE}).")
  double cursorRejected;

  @Option(names = "--fault-5xx", defaultValue = "0", description = "Probability of a 5xx api_error (default: ${DEFAULT-VALUE}).")
  double serverError;

  @Option(names = "--fault-5xx-statuses", split = ",", defaultValue = "500,502,503", description = "Statuses a 5xx fault picks from (default: ${DEFAULT-VALUE}).")
  int[] serverStatuses;

  @Option(names = "--fault-reset", defaultValue = "0", description = "Probability the connection is reset without an answer (default: ${DEFAULT-VALUE}).")
  double reset;

  @Option(names = "--fault-malformed", defaultValue = "0", description = "Probability a 200 body is truncated JSON (default: ${DEFAULT-VALUE}).")
  double malformed;

  @Option(names = "--fault-unknown-type", defaultValue = "0", description = "Probability a generated event has an unknown type with extra fields (default: ${DEFAULT-VALUE}).")
  double unknownType;

  @Option(names = "--fault-oversized", defaultValue = "0", description = "Probability a generated agent.message is oversized (default: ${DEFAULT-VALUE}).")
  double oversized;

  @Option(names = "--oversized-bytes", defaultValue = "2097152", description = "Content size of an oversized event (default: ${DEFAULT-VALUE}).")
  int oversizedBytes;

  @Option(names = "--fault-event-time-ties", defaultValue = "0", description = "Probability a generated event"
      + " has exactly the created_at of the event before it (default: ${DEFAULT-VALUE}).")
  double eventTimeTies;

  @Option(names = "--fault-invalid-resource-cursor", defaultValue = "0", description = "Probability a resources page token is rejected with 400 (default: ${DEFAULT-VALUE}).")
  double invalidResourceCursor;

  @Option(names = "--fault-route-404", defaultValue = "0", description = "Probability a request is answered 404 as if"
      + " misrouted (wrong base URL or proxy), not the API's 'session not found' (default: ${DEFAULT-VALUE}).")
  double route404;

  @Option(names = "--fault-route-404-style", defaultValue = "html", description = "Body of a misrouted 404: html,"
      + " gateway_json or api_no_endpoint (default: ${DEFAULT-VALUE}).")
  String route404Style;

  @Option(names = "--fault-endpoints", split = ",", description = "Limit request faults to these endpoints: events, resources, files, agents, sessions, session.")
  List<String> faultEndpoints;

  @Option(names = "--fault-sessions", split = ",", description = "Limit request faults to requests about these"
      + " sessions (sess_ ids or UUIDs); requests that name no session then get none.")
  List<String> faultSessions;

  /** Environment lookup; tests replace it. */
  Function<String, String> env = System::getenv;

  /** Counted down to stop the command (tests); SIGTERM/Ctrl-C stop it through the shutdown hook. */
  final CountDownLatch stop = new CountDownLatch(1);

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    String envToken = env.apply("QODER_PAT");
    String chosen = token != null ? token : envToken != null && !envToken.isBlank() ? envToken : QoderSimulator.DEFAULT_TOKEN;
    LiveMode liveMode = live
        ? new LiveMode(true, eventRate, newSessionRate, releaseRate, terminateRate) : LiveMode.off();
    QoderSimulator sim;
    try {
      sim = QoderSimulator.builder()
          .seed(seed).sessions(sessions).eventsPerSession(eventsPerSession).files(files).agents(agents)
          .maxResourcesPerSession(resourcesPerSession).organizations(organizations.toArray(String[]::new))
          .token(chosen).host(host).port(port).requestLogCapacity(requestLogCapacity).liveMode(liveMode)
          .sessionTiesAtPageBoundaries(tiePageSize, tieSize)
          .faults(this::configureFaults)
          .build();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    sim.start();
    Thread hook = new Thread(() -> {
      stop.countDown();
      sim.close();
    }, "qoder-sim-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      printBanner(out, sim, token == null && (envToken == null || envToken.isBlank()), token == null && envToken != null
          && !envToken.isBlank());
      stop.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      sim.close();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running: nothing to remove
      }
    }
    return 0;
  }

  /** Throws IllegalArgumentException for a bad value; the builder reports it with the others. */
  private void configureFaults(Faults f) {
    if (latencyMs > 0 || latencyJitterMs > 0) {
      f.latency(chance(latencyProbability), latencyMs, latencyJitterMs);
    }
    f.rateLimit(chance(rateLimit), retryAfter).retryAfterAsHttpDate(retryAfterHttpDate).retryAfterRaw(retryAfterRaw)
        .permissionDenied(chance(permissionDenied))
        .serverError(chance(serverError), serverStatuses)
        .connectionReset(chance(reset))
        .malformedBody(chance(malformed))
        .unknownEventTypes(unknownType)
        .oversizedEvents(oversized, oversizedBytes)
        .eventTimestampTies(eventTimeTies)
        .invalidResourceCursor(chance(invalidResourceCursor))
        .routeNotFound(chance(route404), Faults.NotFoundStyle.ofLabel(route404Style))
        .emptyPage(chance(emptyPage))
        .replayFromStart(chance(replay))
        .cursorRejected(chance(cursorRejected));
    if (faultEndpoints != null && !faultEndpoints.isEmpty()) {
      f.scope(faultEndpoints.stream().map(Endpoint::ofLabel).toArray(Endpoint[]::new));
    }
  }

  private Trigger chance(double probability) {
    Trigger t = Trigger.chance(probability);
    return faultSessions == null || faultSessions.isEmpty() ? t : t.forSessions(faultSessions.toArray(String[]::new));
  }

  private static void printBanner(PrintWriter out, QoderSimulator sim, boolean defaultToken, boolean fromEnv) {
    String url = sim.baseUrl();
    String session = sim.sessionIds().isEmpty() ? "sess_<id>" : sim.sessionIds().get(0);
    String auth = fromEnv ? "$QODER_PAT" : sim.token();
    out.println("Qoder API simulator listening on " + url);
    out.println(fromEnv ? "Token: the value of $QODER_PAT"
        : "Token: " + sim.token() + (defaultToken ? "  (default; set --token or QODER_PAT to change)" : ""));
    out.println("Sessions: " + sim.sessionIds().size() + ", events: " + sim.totalEvents()
        + ", files: " + sim.fileIds().size() + ", live: " + sim.liveMode().enabled());
    out.println();
    out.println("Try:");
    for (Map.Entry<String, String> e : Map.of(
        "sessions", "/api/v1/sessions?limit=5",
        "events", "/api/v1/cloud/sessions/" + session + "/events?limit=5",
        "resources", "/api/v1/cloud/sessions/" + session + "/resources",
        "files", "/api/v1/cloud/files?limit=10").entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
      out.println("  curl -s -H \"Authorization: Bearer " + auth + "\" '" + url + e.getValue() + "'");
    }
    out.println("  curl -s '" + url + "/_sim/info'        # control API: no token needed");
    out.println("  curl -s -X PUT '" + url + "/_sim/faults' -d '{\"rate_limit\":{\"probability\":0.2}}'");
    out.println("Stop with Ctrl-C.");
    out.flush();
  }
}

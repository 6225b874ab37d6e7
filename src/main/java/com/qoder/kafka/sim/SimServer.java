package com.qoder.kafka.sim;

import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.LoopResources;

/**
 * The HTTP face of the simulator. Each public request goes through: latency fault, connection
 * reset fault, bearer-token check (401), 429 and 5xx faults, the {@link ApiHandler}, then the
 * malformed-body fault on a 200. Requests under {@code /_sim/} go to the {@link ControlHandler}
 * and are neither authenticated, logged nor subject to faults (a test can always restore a
 * revoked token).
 *
 * <p>API answers are computed from memory on the event loop (no blocking: every lock is held for
 * the time of an index lookup and a page render); delays use Reactor's timer; control requests,
 * which may append many events, run on the bounded-elastic scheduler.
 */
final class SimServer {

  private static final Logger LOG = LoggerFactory.getLogger(SimServer.class);

  private final DisposableServer server;
  private final LoopResources loops;

  private SimServer(DisposableServer server, LoopResources loops) {
    this.server = server;
    this.loops = loops;
  }

  static SimServer start(String host, int port, QoderSimulator sim) {
    // Own event loops: the simulator's threads never compete with a client's in the same JVM.
    LoopResources loops = LoopResources.create("qoder-sim", 1, Math.max(2, Runtime.getRuntime().availableProcessors()), true);
    Handler handler = new Handler(sim, new ControlHandler(sim));
    try {
      DisposableServer server = HttpServer.create()
          .host(host)
          .port(port)
          .runOn(loops)
          .handle(handler::handle)
          .bindNow(Duration.ofSeconds(10));
      return new SimServer(server, loops);
    } catch (RuntimeException e) {
      loops.dispose();
      throw new IllegalStateException("simulator could not bind " + host + ":" + port + ": " + e.getMessage(), e);
    }
  }

  int port() {
    return server.port();
  }

  void stop() {
    server.disposeNow(Duration.ofSeconds(5));
    loops.disposeLater(Duration.ZERO, Duration.ofSeconds(2)).block(Duration.ofSeconds(5));
  }

  private static final class Handler {
    private final QoderSimulator sim;
    private final ControlHandler control;
    private final BearerToken token;

    Handler(QoderSimulator sim, ControlHandler control) {
      this.sim = sim;
      this.control = control;
      this.token = sim.secret();
    }

    Publisher<Void> handle(HttpServerRequest req, HttpServerResponse res) {
      QueryStringDecoder decoder = new QueryStringDecoder(req.uri());
      String path = decoder.path();
      if (path.equals("/_sim") || path.startsWith("/_sim/")) {
        return control.handle(req, res, path, decoder.parameters());
      }
      Instant arrived = sim.clock().instant();
      long seq = sim.log().nextSequence();
      ApiHandler.Route route = ApiHandler.route(path);
      Endpoint endpoint = route.endpoint();
      int q = req.uri().indexOf('?');
      String query = q < 0 ? "" : req.uri().substring(q + 1);
      String method = req.method().name();
      String userAgent = req.requestHeaders().get("User-Agent");
      Faults faults = sim.faults();
      String sessionId = route.sessionId();
      long delay = faults.latencyMs(endpoint, sessionId);
      Mono<Void> respond = Mono.defer(() -> {
        if (faults.connectionReset(endpoint, sessionId)) {
          sim.log().record(seq, arrived, method, path, query, endpoint, sessionId, 0, "connection_reset",
              userAgent);
          // SO_LINGER 0 makes close() send a TCP RST: the client sees a reset, not a clean EOF.
          res.withConnection(c -> {
            c.channel().config().setOption(ChannelOption.SO_LINGER, 0);
            c.channel().close();
          });
          return Mono.empty();
        }
        String fault = delay > 0 ? "latency" : null;
        Answer answer;
        try {
          answer = answer(req, route, method, path, decoder.parameters(), endpoint);
          if (answer.headers().containsKey("x-sim-fault")) {
            fault = answer.headers().get("x-sim-fault");
          }
        } catch (ApiError e) {
          answer = e.fault == null ? Answer.error(sim.mapper(), e)
              : Answer.error(sim.mapper(), e, Map.of("x-sim-fault", e.fault));
          if (e.fault != null) {
            fault = e.fault;
          }
        } catch (RuntimeException e) {
          LOG.error("simulator failed on {} {}", method, path, e);
          answer = Answer.error(sim.mapper(), ApiError.server(500, "internal simulator error: " + e));
        }
        if (answer.status() == 200 && faults.malformedBody(endpoint, sessionId)) {
          byte[] b = answer.body();
          answer = new Answer(200, java.util.Arrays.copyOf(b, Math.max(1, b.length / 2)), answer.headers());
          fault = "malformed_body";
        }
        sim.log().record(seq, arrived, method, path, query, endpoint, sessionId, answer.status(), fault,
            userAgent);
        return send(res, seq, answer);
      });
      return delay > 0 ? Mono.delay(Duration.ofMillis(delay)).then(respond) : respond;
    }

    private Answer answer(HttpServerRequest req, ApiHandler.Route route, String method, String path,
        Map<String, List<String>> params, Endpoint endpoint) {
      Faults faults = sim.faults();
      String sessionId = route.sessionId();
      Faults.NotFoundStyle misrouted = faults.routeNotFound(endpoint, sessionId);
      if (misrouted != null) {
        return misroutedAnswer(misrouted, path); // a proxy answers before the API checks the token
      }
      if (faults.isTokenRevoked()) {
        throw ApiError.authentication("The PAT has been revoked or has expired; create a new one and restart with it.");
      }
      if (!authorized(req.requestHeaders().get("Authorization"))) {
        throw ApiError.authentication("Missing or invalid PAT: send the header 'Authorization: Bearer <token>' "
            + "with the token the simulator printed at start-up.");
      }
      if (endpoint != Endpoint.UNKNOWN && faults.permissionDenied(endpoint, sessionId)) {
        return Answer.error(sim.mapper(), ApiError.permission(sessionId == null
                ? "Your PAT does not have permission to perform this request."
                : "Your PAT does not have permission to access session '" + route.rawSessionId() + "'."),
            Map.of("x-sim-fault", "permission_denied"));
      }
      if (faults.rateLimited(endpoint, sessionId)) {
        int seconds = faults.retryAfterSeconds();
        String raw = faults.retryAfterRaw();
        String retryAfter = raw != null ? raw
            : faults.retryAfterHttpDate()
            ? DateTimeFormatter.RFC_1123_DATE_TIME.format(
                sim.clock().instant().plusSeconds(seconds).atOffset(ZoneOffset.UTC))
            : Integer.toString(seconds);
        ApiError limited = ApiError.rateLimit(raw != null ? "Rate limit exceeded."
            : "Rate limit exceeded; retry after " + seconds + " s.");
        return Answer.error(sim.mapper(), limited, retryAfter.isEmpty() ? Map.of("x-sim-fault", "rate_limit")
            : Map.of("Retry-After", retryAfter, "x-sim-fault", "rate_limit"));
      }
      int status = faults.serverErrorStatus(endpoint, sessionId);
      if (status != 0) {
        return Answer.error(sim.mapper(), ApiError.server(status, "Simulated upstream failure (" + status + ")."),
            Map.of("x-sim-fault", "server_error"));
      }
      return sim.api().answer(route, method, path, params, req.requestHeaders().get("X-Organization-Id"));
    }

    private Answer misroutedAnswer(Faults.NotFoundStyle style, String path) {
      return switch (style) {
        case HTML -> new Answer(404, ("<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n"
            + "<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
            .getBytes(StandardCharsets.UTF_8), Map.of("Content-Type", "text/html", "x-sim-fault", "route_not_found"));
        case GATEWAY_JSON -> new Answer(404, "{\"message\":\"no Route matched with those values\"}"
            .getBytes(StandardCharsets.UTF_8), Map.of("x-sim-fault", "route_not_found"));
        case API_NO_ENDPOINT -> Answer.error(sim.mapper(), ApiError.notFound("No endpoint at '" + path + "'."),
            Map.of("x-sim-fault", "route_not_found"));
      };
    }

    private boolean authorized(String header) {
      if (header == null || header.length() < 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
        return false;
      }
      return token.matches(header.substring(7).trim()); // constant time
    }
  }

  static Mono<Void> send(HttpServerResponse res, long seq, Answer answer) {
    res.status(HttpResponseStatus.valueOf(answer.status()))
        .header("Content-Type", answer.headers().getOrDefault("Content-Type", "application/json"))
        .header("Content-Length", Integer.toString(answer.body().length));
    if (seq > 0) {
      res.header("request-id", "req_sim_" + seq);
    }
    answer.headers().forEach((name, value) -> {
      if (!name.equalsIgnoreCase("Content-Type")) {
        res.header(name, value);
      }
    });
    return res.sendByteArray(Mono.just(answer.body())).then();
  }
}

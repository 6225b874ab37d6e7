package com.qoder.kafka.api;

import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * A scripted HTTP server on 127.0.0.1 standing in for the Qoder API at the network edge: it
 * records every request it receives (with its arrival time) and answers what the test's script
 * says, including delays and abrupt connection resets. It counts requests in flight so tests can
 * check the client's concurrency bound.
 */
public final class FakeQoderServer implements AutoCloseable {

  /** A request as the server received it. */
  public record Received(String method, String uri, String path, Map<String, List<String>> query,
      HttpHeaders headers, long atNanos, long atMillis, int index) {

    /** The single value of a query parameter, or null. */
    public String param(String name) {
      List<String> v = query.get(name);
      return v == null || v.isEmpty() ? null : v.get(0);
    }

    public String header(String name) {
      return headers.get(name);
    }
  }

  /** What to answer. */
  public record Reply(int status, String body, Map<String, String> headers, Duration delay, boolean resetConnection) {

    public static Reply json(String body) {
      return new Reply(200, body, Map.of("Content-Type", "application/json"), Duration.ZERO, false);
    }

    public static Reply status(int status, String body) {
      return new Reply(status, body, Map.of("Content-Type", "application/json"), Duration.ZERO, false);
    }

    public static Reply error(int status, String type, String message) {
      return status(status, "{\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",\"message\":\""
          + message + "\"}}");
    }

    /** Closes the connection with a TCP reset instead of answering. */
    public static Reply reset() {
      return new Reply(0, null, Map.of(), Duration.ZERO, true);
    }

    public Reply withHeader(String name, String value) {
      Map<String, String> h = new LinkedHashMap<>(headers);
      h.put(name, value);
      return new Reply(status, body, h, delay, resetConnection);
    }

    public Reply after(Duration d) {
      return new Reply(status, body, headers, d, resetConnection);
    }
  }

  private final DisposableServer server;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private volatile Function<Received, Reply> script;

  public FakeQoderServer(Function<Received, Reply> script) {
    this.script = script;
    this.server = HttpServer.create()
        .host("127.0.0.1")
        .port(0)
        .handle((req, res) -> {
          QueryStringDecoder qs = new QueryStringDecoder(req.uri(), StandardCharsets.UTF_8);
          Received r = new Received(req.method().name(), req.uri(), qs.path(), qs.parameters(),
              req.requestHeaders().copy(), System.nanoTime(), System.currentTimeMillis(),
              received.size());
          received.add(r);
          maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
          Reply reply;
          try {
            reply = this.script.apply(r);
          } catch (RuntimeException e) {
            reply = Reply.status(500, "{\"script failed\":\"" + e + "\"}");
          }
          Reply answer = reply;
          // Leaves the in-flight count once, when the answer starts (before the client can see
          // it and send its next request), or when the exchange ends otherwise.
          AtomicBoolean counted = new AtomicBoolean(true);
          Runnable leave = () -> {
            if (counted.compareAndSet(true, false)) {
              inFlight.decrementAndGet();
            }
          };
          if (answer.resetConnection()) {
            leave.run();
            res.withConnection(c -> {
              c.channel().config().setOption(ChannelOption.SO_LINGER, 0);
              c.channel().close();
            });
            return Mono.never();
          }
          Supplier<Mono<Void>> send = () -> {
            leave.run();
            res.status(answer.status());
            answer.headers().forEach(res::header);
            return res.sendString(Mono.justOrEmpty(answer.body())).then();
          };
          return Mono.delay(answer.delay())
              .then(Mono.defer(send))
              .doFinally(s -> leave.run());
        })
        .bindNow();
  }

  /** Replaces the script for the requests that come next. */
  public void script(Function<Received, Reply> next) {
    this.script = next;
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.port();
  }

  public List<Received> received() {
    return List.copyOf(received);
  }

  public int maxInFlight() {
    return maxInFlight.get();
  }

  @Override
  public void close() {
    server.disposeNow(Duration.ofSeconds(5));
  }
}

package com.qoder.kafka.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaParseException;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * A Confluent Schema Registry stand-in on 127.0.0.1:0 that records every request and answers the
 * way Confluent's server does (paths, JSON shapes, status and {@code error_code}s per
 * {@code io.confluent.kafka.schemaregistry.rest.exceptions.Errors}). Scripted answers, queued with
 * {@link #enqueue}, take precedence over the built-in state, for error cases.
 */
public final class FakeConfluentRegistry implements AutoCloseable {

  static final String MEDIA_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One request as it arrived: raw path and query, lower-cased header names, body text. */
  public record Recorded(String method, String uri, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private record Scripted(int status, String body, Duration delay) {
    Scripted(int status, String body) {
      this(status, body, Duration.ZERO);
    }
  }

  private record Version(int version, int id, String schema) {}

  private final List<Recorded> requests = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedDeque<Scripted> scripted = new ConcurrentLinkedDeque<>();
  private final Map<String, List<Version>> subjects = new HashMap<>();
  private final Map<Integer, String> schemas = new HashMap<>();
  private final Map<String, Integer> ids = new HashMap<>();
  private final Map<String, String> subjectLevels = new HashMap<>();
  private volatile String globalLevel = "BACKWARD";
  private volatile boolean supportsDefaultToGlobal = true;
  private volatile String requiredAuthorization;
  private final DisposableServer server;

  private final boolean tls;

  private FakeConfluentRegistry(java.util.function.UnaryOperator<HttpServer> transport, boolean tls) {
    this.tls = tls;
    server = transport.apply(HttpServer.create()
        .host("127.0.0.1")
        .port(0))
        .handle((req, res) -> req.receive().aggregate().asString(StandardCharsets.UTF_8)
            .defaultIfEmpty("")
            .flatMap(body -> answer(req, res, body)))
        .bindNow();
  }

  public static FakeConfluentRegistry start() {
    return new FakeConfluentRegistry(java.util.function.UnaryOperator.identity(), false);
  }

  /** The same registry behind TLS, configured by {@code secure} (e.g. {@code s -> s.secure(...)}). */
  public static FakeConfluentRegistry startTls(java.util.function.UnaryOperator<HttpServer> secure) {
    return new FakeConfluentRegistry(secure, true);
  }

  public String url() {
    return (tls ? "https" : "http") + "://127.0.0.1:" + server.port();
  }

  int port() {
    return server.port();
  }

  public List<Recorded> requests() {
    return List.copyOf(requests);
  }

  Recorded request(int index) {
    return requests.get(index);
  }

  void enqueue(int status, String body) {
    scripted.add(new Scripted(status, body));
  }

  /** The next request is answered only after {@code delay} (to provoke client timeouts). */
  void enqueueDelayed(Duration delay, int status, String body) {
    scripted.add(new Scripted(status, body, delay));
  }

  public void requireAuthorization(String headerValue) {
    requiredAuthorization = headerValue;
  }

  void setGlobalLevel(String level) {
    globalLevel = level;
  }

  synchronized void setSubjectLevel(String subject, String level) {
    subjectLevels.put(subject, level);
  }

  /** Servers before defaultToGlobal answer 40408 / 40401 for a subject without its own level. */
  void disableDefaultToGlobal() {
    supportsDefaultToGlobal = false;
  }

  /** Registers directly (no request recorded), as another producer would have. */
  public synchronized int preload(String subject, Schema schema) {
    return registerText(subject, schema.toString());
  }

  @Override
  public void close() {
    server.disposeNow();
  }

  // ------------------------------------------------------------------ server side

  private Mono<Void> answer(HttpServerRequest req, HttpServerResponse res, String body) {
    Map<String, String> headers = new HashMap<>();
    req.requestHeaders().forEach(e -> headers.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
    requests.add(new Recorded(req.method().name(), req.uri(), Map.copyOf(headers), body));
    Scripted reply;
    String auth = requiredAuthorization;
    if (auth != null && !auth.equals(headers.get("authorization"))) {
      reply = new Scripted(401, error(401, "Unauthorized"));
    } else if (!scripted.isEmpty()) {
      reply = scripted.poll();
    } else {
      reply = route(req.method().name(), req.uri(), body);
    }
    Scripted answer = reply;
    return Mono.delay(answer.delay)
        .then(res.status(answer.status)
            .header("Content-Type", MEDIA_TYPE)
            .sendString(Mono.just(answer.body))
            .then());
  }

  private synchronized Scripted route(String method, String uri, String body) {
    String path = uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
    String query = uri.contains("?") ? uri.substring(uri.indexOf('?') + 1) : "";
    String[] parts = path.substring(1).split("/");
    try {
      if (method.equals("POST") && parts.length == 3 && parts[0].equals("subjects")
          && parts[2].equals("versions")) {
        String subject = RegistryPaths.percentDecode(parts[1]);
        String schema = schemaOf(body);
        try {
          new Schema.Parser().parse(schema);
        } catch (SchemaParseException e) {
          return new Scripted(422, error(42201, "Invalid schema " + e.getMessage()));
        }
        return ok(JSON.createObjectNode().put("id", registerText(subject, schema)));
      }
      if (method.equals("POST") && parts.length == 2 && parts[0].equals("subjects")) {
        String subject = RegistryPaths.percentDecode(parts[1]);
        List<Version> versions = subjects.get(subject);
        if (versions == null) {
          return new Scripted(404, error(40401, "Subject '" + subject + "' not found."));
        }
        String schema = schemaOf(body);
        for (Version v : versions) {
          if (v.schema.equals(schema)) {
            return ok(version(subject, v));
          }
        }
        return new Scripted(404, error(40403, "Schema not found"));
      }
      if (method.equals("GET") && parts.length == 3 && parts[0].equals("schemas")
          && parts[1].equals("ids")) {
        int id = Integer.parseInt(parts[2]);
        String schema = schemas.get(id);
        if (schema == null) {
          return new Scripted(404, error(40403, "Schema " + id + " not found"));
        }
        return ok(JSON.createObjectNode().put("schema", schema));
      }
      if (method.equals("GET") && parts.length == 4 && parts[0].equals("subjects")
          && parts[2].equals("versions") && parts[3].equals("latest")) {
        String subject = RegistryPaths.percentDecode(parts[1]);
        List<Version> versions = subjects.get(subject);
        if (versions == null) {
          return new Scripted(404, error(40401, "Subject '" + subject + "' not found."));
        }
        return ok(version(subject, versions.get(versions.size() - 1)));
      }
      if (method.equals("POST") && parts.length == 5 && parts[0].equals("compatibility")) {
        return compatibility(RegistryPaths.percentDecode(parts[2]), schemaOf(body));
      }
      if (method.equals("GET") && parts.length == 1 && parts[0].equals("config")) {
        return ok(JSON.createObjectNode().put("compatibilityLevel", globalLevel));
      }
      if (method.equals("GET") && parts.length == 2 && parts[0].equals("config")) {
        String subject = RegistryPaths.percentDecode(parts[1]);
        String level = subjectLevels.get(subject);
        if (level == null && supportsDefaultToGlobal && query.contains("defaultToGlobal=true")) {
          level = globalLevel;
        }
        if (level == null) {
          return new Scripted(404, error(40408, "Subject '" + subject
              + "' does not have subject-level compatibility configured"));
        }
        return ok(JSON.createObjectNode().put("compatibilityLevel", level));
      }
    } catch (Exception e) {
      return new Scripted(500, error(50001, "fake registry failed: " + e));
    }
    return new Scripted(404, error(404, "HTTP 404 Not Found"));
  }

  /**
   * Against the latest version, under the subject's level, with Avro's own compatibility rules, in
   * the shape of Confluent's verbose answer. A subject without versions accepts anything.
   */
  private Scripted compatibility(String subject, String schemaText) {
    List<Version> versions = subjects.get(subject);
    if (versions == null || versions.isEmpty()) {
      return ok(JSON.createObjectNode().put("is_compatible", true));
    }
    Version latest = versions.get(versions.size() - 1);
    Schema candidate = new Schema.Parser().parse(schemaText);
    Schema previous = new Schema.Parser().parse(latest.schema);
    String level = subjectLevels.getOrDefault(subject, globalLevel);
    List<String> messages = new ArrayList<>();
    if (level.startsWith("BACKWARD") || level.startsWith("FULL")) {
      describeIncompatibilities(candidate, previous, messages);
    }
    if (level.startsWith("FORWARD") || level.startsWith("FULL")) {
      describeIncompatibilities(previous, candidate, messages);
    }
    ObjectNode answer = JSON.createObjectNode().put("is_compatible", messages.isEmpty());
    if (!messages.isEmpty()) {
      messages.add("{oldSchemaVersion: " + latest.version + "}");
      messages.add("{compatibility: '" + level + "'}");
      messages.forEach(answer.putArray("messages")::add);
    }
    return ok(answer);
  }

  private static void describeIncompatibilities(Schema reader, Schema writer, List<String> out) {
    SchemaCompatibility.SchemaPairCompatibility pair =
        SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    for (SchemaCompatibility.Incompatibility i : pair.getResult().getIncompatibilities()) {
      out.add("{errorType:'" + i.getType() + "', description:'" + i.getMessage() + "', additionalInfo:'"
          + i.getLocation() + "'}");
    }
  }

  private int registerText(String subject, String schema) {
    List<Version> versions = subjects.computeIfAbsent(subject, s -> new ArrayList<>());
    for (Version v : versions) {
      if (v.schema.equals(schema)) {
        return v.id;
      }
    }
    int id = ids.computeIfAbsent(schema, s -> ids.size() + 1);
    schemas.put(id, schema);
    versions.add(new Version(versions.size() + 1, id, schema));
    return id;
  }

  private static String schemaOf(String body) throws Exception {
    JsonNode node = JSON.readTree(body);
    return node.get("schema").asText();
  }

  private static ObjectNode version(String subject, Version v) {
    return JSON.createObjectNode()
        .put("subject", subject)
        .put("version", v.version)
        .put("id", v.id)
        .put("schema", v.schema);
  }

  private static Scripted ok(ObjectNode node) {
    return new Scripted(200, node.toString());
  }

  static String error(int code, String message) {
    return JSON.createObjectNode().put("error_code", code).put("message", message).toString();
  }
}

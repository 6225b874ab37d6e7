package com.qoder.kafka.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A plain java.net.http client for the simulator's tests (the connector's own client lives elsewhere). */
final class SimHttp {

  static final ObjectMapper MAPPER = new ObjectMapper();

  record Resp(int status, HttpResponse<byte[]> raw) {
    JsonNode json() {
      try {
        return MAPPER.readTree(raw.body());
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON: " + body(), e);
      }
    }

    String body() {
      return new String(raw.body(), java.nio.charset.StandardCharsets.UTF_8);
    }

    String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }

    /** Asserts the error envelope of the documents and returns error.type. */
    String errorType() {
      JsonNode j = json();
      if (!"error".equals(j.path("type").asText()) || !j.path("error").path("message").isTextual()) {
        throw new AssertionError("not an error envelope: " + body());
      }
      return j.path("error").path("type").asText();
    }
  }

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final String token;

  SimHttp(QoderSimulator sim) {
    this(sim.baseUrl(), sim.token());
  }

  SimHttp(String base, String token) {
    this.base = base;
    this.token = token;
  }

  Resp get(String pathAndQuery) {
    return get(pathAndQuery, token, null);
  }

  Resp get(String pathAndQuery, String bearer, String organization) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(Duration.ofSeconds(20)).GET();
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    if (organization != null) {
      b.header("X-Organization-Id", organization);
    }
    return send(b.build());
  }

  Resp control(String method, String path, String jsonBody) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
        .method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(jsonBody))
        .header("Content-Type", "application/json");
    return send(b.build());
  }

  Resp send(HttpRequest request) {
    try {
      HttpResponse<byte[]> r = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
      return new Resp(r.statusCode(), r);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Walks a has_more list by a forward cursor parameter; returns every item id in order. */
  List<String> walkIds(String pathWithQuery, String cursorParam, String idField) {
    List<String> ids = new ArrayList<>();
    String cursor = null;
    for (int pages = 0; pages < 100_000; pages++) {
      String sep = pathWithQuery.contains("?") ? "&" : "?";
      Resp r = get(pathWithQuery + (cursor == null ? "" : sep + cursorParam + "=" + cursor));
      if (r.status() != 200) {
        throw new AssertionError("status " + r.status() + ": " + r.body());
      }
      JsonNode j = r.json();
      for (JsonNode item : j.get("data")) {
        ids.add(item.get(idField).asText());
      }
      if (!j.get("has_more").asBoolean()) {
        return ids;
      }
      cursor = j.get("last_id").asText();
    }
    throw new AssertionError("paging did not end");
  }
}

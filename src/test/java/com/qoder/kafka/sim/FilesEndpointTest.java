package com.qoder.kafka.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Document 001: files, newest first, purpose filter, after/before cursors. */
class FilesEndpointTest {

  static QoderSimulator sim;
  static SimHttp http;

  @BeforeAll
  static void start() {
    sim = QoderSimulator.builder().seed(11).sessions(5).eventsPerSession(3).files(5_000).build().start();
    http = new SimHttp(sim);
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  @Test
  void fileObjectsHaveEveryDocumentedField() {
    JsonNode j = http.get("/v1/files?limit=5").json();
    assertThat(EventsEndpointTest.fieldNames(j)).containsExactly("data", "first_id", "has_more", "last_id");
    JsonNode f = j.get("data").get(0);
    assertThat(EventsEndpointTest.fieldNames(f)).containsExactly("created_at", "file_id", "filename", "metadata",
        "mime_type", "purpose", "size_bytes", "status", "updated_at");
    assertThat(f.get("file_id").asText()).matches("file_[0-9a-f]{32}");
    assertThat(f.get("metadata").isObject()).isTrue();
    assertThat(f.get("size_bytes").isIntegralNumber()).isTrue();
    assertThat(j.get("data")).hasSize(5);
  }

  @Test
  void pagingWalksAll5000PlusFilesOnceNewestFirstOnBothPaths() {
    List<String> walked = http.walkIds("/api/v1/cloud/files?limit=100", "after", "file_id");
    assertThat(walked).isEqualTo(sim.fileIds());
    assertThat(walked.size()).isGreaterThanOrEqualTo(5_000);
    assertThat(new HashSet<>(walked)).hasSize(walked.size());
    assertThat(http.walkIds("/v1/files?limit=100", "after", "file_id")).isEqualTo(walked);
    long prev = Long.MAX_VALUE;
    for (JsonNode f : http.get("/v1/files?limit=100").json().get("data")) {
      long t = SimTime.parseEpochNanos(f.get("created_at").asText());
      assertThat(t).isLessThanOrEqualTo(prev);
      prev = t;
    }
  }

  @Test
  void beforeMovesTowardNewerFilesKeepingNewestFirstOrder() {
    List<String> all = sim.fileIds();
    JsonNode j = http.get("/v1/files?limit=3&before=" + all.get(10)).json();
    assertThat(EventsEndpointTest.ids(j, "file_id")).containsExactlyElementsOf(all.subList(7, 10));
    assertThat(j.get("has_more").asBoolean()).isTrue();
    JsonNode top = http.get("/v1/files?limit=30&before=" + all.get(2)).json();
    assertThat(EventsEndpointTest.ids(top, "file_id")).containsExactlyElementsOf(all.subList(0, 2));
    assertThat(top.get("has_more").asBoolean()).isFalse();
    JsonNode after = http.get("/v1/files?limit=3&after=" + all.get(10)).json();
    assertThat(EventsEndpointTest.ids(after, "file_id")).containsExactlyElementsOf(all.subList(11, 14));
  }

  @Test
  void purposeFilterWalksOnlyThatPurposeAndCoversAllFive() {
    int total = 0;
    for (String purpose : List.of("user_upload", "tool_output", "skill_output", "session_resource", "agent_output")) {
      List<String> ids = http.walkIds("/v1/files?limit=100&purpose=" + purpose, "after", "file_id");
      assertThat(ids).as(purpose).isNotEmpty();
      for (JsonNode f : http.get("/v1/files?limit=100&purpose=" + purpose).json().get("data")) {
        assertThat(f.get("purpose").asText()).isEqualTo(purpose);
      }
      total += ids.size();
    }
    assertThat(total).isEqualTo(sim.fileIds().size());
  }

  @ParameterizedTest
  @ValueSource(strings = {"purpose=other", "purpose=", "limit=0", "limit=-1", "limit=abc", "limit=101"})
  void invalidParametersAre400(String query) {
    SimHttp.Resp r = http.get("/v1/files?" + query);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.errorType()).isEqualTo("invalid_request_error");
  }

  @Test
  void afterAndBeforeTogetherAndUnknownCursorsAre400() {
    List<String> all = sim.fileIds();
    assertThat(http.get("/v1/files?after=" + all.get(1) + "&before=" + all.get(3)).errorType())
        .isEqualTo("invalid_request_error");
    assertThat(http.get("/v1/files?after=file_019e3bb8e6c47d18").status()).isEqualTo(400);
  }

  @Test
  void createdUpdatedAndDeletedFilesShowUp() {
    String id = sim.createFile("agent_output", "answer.md", Map.of("project", "x"));
    JsonNode newest = http.get("/v1/files?limit=1").json().get("data").get(0);
    assertThat(newest.get("file_id").asText()).isEqualTo(id);
    assertThat(newest.get("filename").asText()).isEqualTo("answer.md");
    sim.updateFile(id, "failed", Map.of("project", "y"));
    JsonNode updated = http.get("/v1/files?limit=1").json().get("data").get(0);
    assertThat(updated.get("status").asText()).isEqualTo("failed");
    assertThat(updated.get("metadata").get("project").asText()).isEqualTo("y");
    assertThat(updated.get("updated_at").asText()).isNotEqualTo(newest.get("updated_at").asText());
    sim.deleteFile(id);
    assertThat(http.get("/v1/files?limit=1").json().get("data").get(0).get("file_id").asText()).isNotEqualTo(id);
    assertThat(http.get("/v1/files?after=" + id).status()).isEqualTo(400);
  }

  @Test
  void emptyListHasNulls() {
    try (QoderSimulator empty = QoderSimulator.builder().sessions(0).files(0).build().start()) {
      SimHttp.Resp r = new SimHttp(empty).get("/v1/files");
      assertThat(r.json().toString())
          .isEqualTo("{\"data\":[],\"first_id\":null,\"has_more\":false,\"last_id\":null}");
      assertThat(new SimHttp(empty).get("/v1/files", "bad", null).status()).isEqualTo(401);
    }
  }
}

package com.qoder.kafka.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Document 000: session resources, limit clamping, the opaque page token and its errors. */
class ResourcesEndpointTest {

  static QoderSimulator sim;
  static SimHttp http;
  static String many; // 1,005 resources

  @BeforeAll
  static void start() {
    sim = QoderSimulator.builder().seed(3).sessions(3).eventsPerSession(5).maxResourcesPerSession(3).build().start();
    many = sim.createSession();
    for (int i = 0; i < 1_005; i++) {
      sim.createResource(many);
    }
    http = new SimHttp(sim);
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  static String resources(String session) {
    return "/api/v1/cloud/sessions/" + session + "/resources";
  }

  @Test
  void pageHasTheDocumentedShapeAndDefaultLimit20() {
    JsonNode j = http.get(resources(many)).json();
    assertThat(j.get("data")).hasSize(20);
    assertThat(EventsEndpointTest.fieldNames(j)).containsExactly("data", "first_id", "last_id", "has_more", "next_page");
    JsonNode r = j.get("data").get(0);
    assertThat(EventsEndpointTest.fieldNames(r))
        .containsExactly("id", "type", "file_id", "mount_path", "created_at", "updated_at");
    assertThat(r.get("id").asText()).matches("sesr_[0-9a-f]{24}");
    assertThat(r.get("type").asText()).isEqualTo("file");
    assertThat(r.get("mount_path").asText()).isEqualTo("/mnt/session/uploads/" + r.get("file_id").asText());
    assertThat(sim.fileIds()).contains(r.get("file_id").asText());
    assertThat(j.get("has_more").asBoolean()).isTrue();
    assertThat(j.get("next_page").isTextual()).isTrue();
  }

  @Test
  void limitAbove1000IsClampedNotRejected() {
    SimHttp.Resp r = http.get(resources(many) + "?limit=1001");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("data")).hasSize(1000);
    assertThat(r.json().get("has_more").asBoolean()).isTrue();
    assertThat(http.get(resources(many) + "?limit=99999999999999999999").json().get("data")).hasSize(1000);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-1", "abc", "2.5", ""})
  void nonPositiveOrNonIntegerLimitIs400(String limit) {
    SimHttp.Resp r = http.get(resources(many) + "?limit=" + limit);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.errorType()).isEqualTo("invalid_request_error");
  }

  @Test
  void nextPageWalksEveryResourceOnceInCreationOrder() {
    List<String> walked = new ArrayList<>();
    String page = null;
    int pages = 0;
    do {
      JsonNode j = http.get(resources(many) + "?limit=100" + (page == null ? "" : "&page=" + page)).json();
      j.get("data").forEach(r -> walked.add(r.get("id").asText()));
      page = j.get("next_page").isNull() ? null : j.get("next_page").asText();
      assertThat(page == null).isEqualTo(!j.get("has_more").asBoolean());
      pages++;
    } while (page != null);
    assertThat(pages).isEqualTo(11);
    assertThat(walked).isEqualTo(sim.resourceIds(many));
  }

  @Test
  void afterIdAndBeforeIdPageByResourceId() {
    List<String> ids = sim.resourceIds(many);
    JsonNode after = http.get(resources(many) + "?limit=3&after_id=" + ids.get(10)).json();
    assertThat(EventsEndpointTest.ids(after)).containsExactlyElementsOf(ids.subList(11, 14));
    JsonNode before = http.get(resources(many) + "?limit=3&before_id=" + ids.get(10)).json();
    assertThat(EventsEndpointTest.ids(before)).containsExactlyElementsOf(ids.subList(7, 10));
    // next_page of a backward page continues backward
    JsonNode further = http.get(resources(many) + "?limit=3&page=" + before.get("next_page").asText()).json();
    assertThat(EventsEndpointTest.ids(further)).containsExactlyElementsOf(ids.subList(4, 7));
  }

  @Test
  void pageWithACursorIdAndBothCursorIdsAre400() {
    List<String> ids = sim.resourceIds(many);
    String token = http.get(resources(many) + "?limit=2").json().get("next_page").asText();
    for (String q : List.of("page=" + token + "&after_id=" + ids.get(1), "page=" + token + "&before_id=" + ids.get(1),
        "after_id=" + ids.get(1) + "&before_id=" + ids.get(5))) {
      SimHttp.Resp r = http.get(resources(many) + "?" + q);
      assertThat(r.status()).as(q).isEqualTo(400);
      assertThat(r.errorType()).isEqualTo("invalid_request_error");
      assertThat(r.json().get("error").get("message").asText()).contains("mutually exclusive");
    }
  }

  @Test
  void aTokenPointingAtADeletedResourceIsRejectedWith400() {
    String s = sim.createSession();
    for (int i = 0; i < 5; i++) {
      sim.createResource(s);
    }
    JsonNode first = http.get(resources(s) + "?limit=2").json();
    String token = first.get("next_page").asText();
    sim.deleteResource(s, first.get("last_id").asText());
    SimHttp.Resp r = http.get(resources(s) + "?limit=2&page=" + token);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.errorType()).isEqualTo("invalid_request_error");
    assertThat(r.json().get("error").get("message").asText()).contains("restart from the first page");
    assertThat(http.get(resources(s)).json().get("data")).hasSize(4);
  }

  @Test
  void invalidatedTokensAndGarbageTokensAre400() {
    String token = http.get(resources(many) + "?limit=2").json().get("next_page").asText();
    assertThat(http.get(resources(many) + "?page=" + token).status()).isEqualTo(200);
    sim.invalidateResourceCursors();
    assertThat(http.get(resources(many) + "?page=" + token).status()).isEqualTo(400);
    String fresh = http.get(resources(many) + "?limit=2").json().get("next_page").asText();
    assertThat(http.get(resources(many) + "?page=" + fresh).status()).isEqualTo(200);
    assertThat(http.get(resources(many) + "?page=not-a-token").errorType()).isEqualTo("invalid_request_error");
    // a token of one session is not valid for another
    String other = sim.sessionIds().get(0);
    assertThat(http.get(resources(other) + "?page=" + fresh).status()).isEqualTo(400);
  }

  @Test
  void updateChangesUpdatedAtButNotOrder() {
    String s = sim.createSession();
    String a = sim.createResource(s);
    String b = sim.createResource(s);
    String before = http.get(resources(s)).json().get("data").get(0).get("updated_at").asText();
    sim.updateResource(s, a, "/mnt/session/uploads/renamed");
    JsonNode after = http.get(resources(s)).json().get("data");
    assertThat(after.get(0).get("id").asText()).isEqualTo(a);
    assertThat(after.get(1).get("id").asText()).isEqualTo(b);
    assertThat(after.get(0).get("mount_path").asText()).isEqualTo("/mnt/session/uploads/renamed");
    assertThat(after.get(0).get("updated_at").asText()).isNotEqualTo(before);
  }

  @Test
  void emptyAndUnknownSessions() {
    String s = sim.createSession();
    JsonNode j = http.get(resources(s)).json();
    assertThat(j.get("data")).isEmpty();
    assertThat(j.get("first_id").isNull() && j.get("last_id").isNull() && j.get("next_page").isNull()).isTrue();
    assertThat(j.get("has_more").asBoolean()).isFalse();
    SimHttp.Resp r = http.get(resources("sess_does_not_exist_xxxxxxxxxxxxxxxxxxxxxxx"));
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.json().get("error").get("message").asText())
        .isEqualTo("Session 'sess_does_not_exist_xxxxxxxxxxxxxxxxxxxxxxx' was not found.");
    assertThat(http.get(resources(s), "nope", null).status()).isEqualTo(401);
  }
}

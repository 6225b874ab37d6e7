package com.qoder.kafka.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Document 003: the generic list pagination, on the agents list. */
class AgentsEndpointTest {

  static QoderSimulator sim;
  static SimHttp http;

  @BeforeAll
  static void start() {
    sim = QoderSimulator.builder().seed(5).sessions(1).eventsPerSession(1).agents(250).build().start();
    http = new SimHttp(sim);
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  /** The limit table of document 003. */
  @ParameterizedTest
  @CsvSource({"'',20", "1,1", "100,100", "50,50"})
  void limitTable(String limit, int expected) {
    JsonNode j = http.get("/api/v1/cloud/agents" + (limit.isEmpty() ? "" : "?limit=" + limit)).json();
    assertThat(j.get("data")).hasSize(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-5", "101", "abc"})
  void limitOutsideOneToHundredIs400(String limit) {
    SimHttp.Resp r = http.get("/api/v1/cloud/agents?limit=" + limit);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.errorType()).isEqualTo("invalid_request_error");
  }

  @Test
  void fullTraversalLikeTheDocumentsScriptVisitsEveryAgentNewestFirst() {
    List<String> ids = http.walkIds("/api/v1/cloud/agents?limit=50", "after_id", "id");
    assertThat(ids).hasSize(250).doesNotHaveDuplicates();
    assertThat(http.walkIds("/v1/agents?limit=50", "after_id", "id")).isEqualTo(ids);
    JsonNode first = http.get("/api/v1/cloud/agents?limit=100").json();
    long prev = Long.MAX_VALUE;
    for (JsonNode a : first.get("data")) {
      long t = SimTime.parseEpochNanos(a.get("created_at").asText());
      assertThat(t).isLessThanOrEqualTo(prev);
      prev = t;
      assertThat(a.get("id").asText()).startsWith("agent_");
      assertThat(a.get("name").isTextual()).isTrue();
    }
    // page backward: the 10 records before a page's first_id are the previous page
    JsonNode second = http.get("/api/v1/cloud/agents?limit=10&after_id=" + ids.get(9)).json();
    JsonNode back = http.get("/api/v1/cloud/agents?limit=10&before_id=" + second.get("first_id").asText()).json();
    assertThat(EventsEndpointTest.ids(back)).containsExactlyElementsOf(ids.subList(0, 10));
    assertThat(back.get("has_more").asBoolean()).isFalse();
  }

  @Test
  void bothCursorsIs400AndEndOfListIsTheDocumentedEmptyResponse() {
    List<String> ids = http.walkIds("/api/v1/cloud/agents?limit=100", "after_id", "id");
    SimHttp.Resp both = http.get("/api/v1/cloud/agents?after_id=" + ids.get(0) + "&before_id=" + ids.get(3));
    assertThat(both.status()).isEqualTo(400);
    assertThat(both.errorType()).isEqualTo("invalid_request_error");
    JsonNode end = http.get("/api/v1/cloud/agents?after_id=" + ids.get(ids.size() - 1)).json();
    assertThat(end.toString()).isEqualTo("{\"data\":[],\"first_id\":null,\"last_id\":null,\"has_more\":false}");
    assertThat(http.get("/api/v1/cloud/agents?after_id=agent_gone").status()).isEqualTo(400);
    // a deleted record used as a cursor is a 400 (document 003, note 3); a new one is listed first
    String doomed = http.control("POST", "/_sim/agents", null).json().get("agent_id").asText();
    assertThat(http.get("/api/v1/cloud/agents?limit=1").json().get("first_id").asText()).isEqualTo(doomed);
    assertThat(http.get("/api/v1/cloud/agents?after_id=" + doomed).status()).isEqualTo(200);
    assertThat(http.control("DELETE", "/_sim/agents/" + doomed, null).status()).isEqualTo(200);
    assertThat(http.get("/api/v1/cloud/agents?after_id=" + doomed).errorType()).isEqualTo("invalid_request_error");
    assertThat(sim.agentIds()).hasSize(250).doesNotContain(doomed);
    assertThat(http.get("/api/v1/cloud/agents", "bad", null).status()).isEqualTo(401);
  }
}

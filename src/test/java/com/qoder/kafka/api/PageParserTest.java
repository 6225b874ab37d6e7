package com.qoder.kafka.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PageParserTest {

  static final String EP = "GET /api/v1/cloud/files";
  final PageParser parser = new PageParser(QoderApiClient.objectMapper());

  static InputStream body(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void fileItemsAreKeyedByFileIdAndKeepEveryField() {
    Page<QoderFile> page = parser.listPage(EP, body("{\"data\":[{\"file_id\":\"file_1\",\"purpose\":"
        + "\"session_resource\",\"metadata\":{\"project\":\"test\"},\"size_bytes\":110}],"
        + "\"first_id\":\"file_1\",\"last_id\":\"file_1\",\"has_more\":false}"), QoderFile::of, false);
    QoderFile f = page.data().get(0);
    assertThat(f.id()).isEqualTo("file_1");
    assertThat(f.purpose()).isEqualTo("session_resource");
    assertThat(f.json().get("metadata").get("project").asText()).isEqualTo("test");
    assertThat(page.nextCursor()).isNull();
  }

  @Test
  void anEventOfMoreThanTwentyMegabytesDoesNotMakeItsPageUnreadable() {
    // Jackson's default limit is 20,000,000 chars per string: a 21 MiB message would fail the page.
    String big = "x".repeat(21 * 1024 * 1024);
    Page<GenericItem> page = parser.listPage(EP, body("{\"data\":[{\"id\":\"evt_1\",\"content\":\"" + big
        + "\"}],\"has_more\":false}"), GenericItem::of, false);
    assertThat(page.data().get(0).json().get("content").asText()).hasSize(big.length());
  }

  @Test
  void anEmptyPageHasNullIdsAndMissingIdsAreDerivedFromTheItems() {
    Page<GenericItem> empty = parser.listPage(EP, body("{\"data\":[],\"first_id\":null,\"last_id\":null,"
        + "\"has_more\":false}"), GenericItem::of, false);
    assertThat(empty.isEmpty()).isTrue();
    assertThat(empty.firstId()).isNull();
    assertThat(empty.lastId()).isNull();

    Page<GenericItem> derived = parser.listPage(EP, body("{\"data\":[{\"id\":\"a\"},{\"id\":\"b\"}],"
        + "\"has_more\":true}"), GenericItem::of, false);
    assertThat(derived.firstId()).isEqualTo("a");
    assertThat(derived.lastId()).isEqualTo("b");
    assertThat(derived.hasMore()).isTrue();
  }

  @Test
  void resourcesCarryNextPage() {
    Page<SessionResource> page = parser.listPage(EP, body("{\"data\":[{\"id\":\"sesr_1\",\"type\":\"file\"}],"
        + "\"has_more\":true,\"next_page\":\"opaque\"}"), SessionResource::of, true);
    assertThat(page.nextCursor()).isEqualTo("opaque");
  }

  @Test
  void sessionsPagesEndWhenNextCursorIsAbsentNullOrEmpty() {
    String item = "{\"id\":\"019e392c-0d1e-74e0-95d2-1ea4c6b41def\",\"createdAt\":\"2026-05-18T03:40:48Z\","
        + "\"releasedAt\":\"2026-05-18T04:00:00Z\"}";
    Page<SessionInfo> more = parser.sessionsPage(EP, body("{\"data\":[" + item + "],\"nextCursor\":\"c\"}"));
    assertThat(more.hasMore()).isTrue();
    assertThat(more.nextCursor()).isEqualTo("c");
    assertThat(more.data().get(0).isReleased()).isTrue();
    for (String end : new String[] {"", ",\"nextCursor\":null", ",\"nextCursor\":\"\""}) {
      Page<SessionInfo> last = parser.sessionsPage(EP, body("{\"data\":[" + item + "]" + end + "}"));
      assertThat(last.hasMore()).isFalse();
      assertThat(last.nextCursor()).isNull();
    }
  }

  @Test
  void bodiesThatBreakTheContractAreMalformedNamingTheEndpoint() {
    String[][] cases = {
        {"", "empty body"},
        {"[1,2]", "expected a JSON object"},
        {"{\"data\":{}}", "'data' is not an array"},
        {"{\"has_more\":false}", "'data' is missing"},
        {"{\"data\":[1]}", "data[0] is not an object"},
        {"{\"data\":[{\"purpose\":\"x\"}]}", "data[0] has no id"},
        {"{\"data\":[],\"has_more\":\"yes\"}", "has_more is not a boolean"},
        {"{\"data\":[", "not valid JSON"},
    };
    for (String[] c : cases) {
      assertThatThrownBy(() -> parser.listPage(EP, body(c[0]), QoderFile::of, false))
          .as(c[0])
          .isInstanceOf(QoderApiException.MalformedResponse.class)
          .hasMessageContaining(EP)
          .hasMessageContaining(c[1]);
    }
  }
}

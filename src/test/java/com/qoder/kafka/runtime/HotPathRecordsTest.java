package com.qoder.kafka.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.qoder.kafka.api.SessionEvent;
import com.qoder.kafka.avro.EventMapper;
import com.qoder.kafka.kafka.OutboundRecord;
import com.qoder.kafka.registry.RegisteredSchema;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

/**
 * The records a page becomes, byte for byte: the hot path may be made cheaper, never different.
 *
 * <p>The page (resource {@code hot-path-page.json}) is 120 events the simulator generated (every
 * documented type) plus odd ones: an unknown type, wrongly shaped and unknown members, explicit
 * nulls, offsets and a pre-1970 instant. The digest covers topic, key, value and every header of
 * every record in order; it was taken from the code before the hot-path work (commit 689bea9).
 */
class HotPathRecordsTest {

  /** SHA-256 of the page's records as commit 689bea9 built them. */
  static final String RECORDS_DIGEST = "9e6990418a63c0e7345bf5a3e91a7beb84240fe03aaa9fe796763c11784799ac";

  static List<SessionEvent> page() throws IOException {
    try (InputStream in = HotPathRecordsTest.class.getResourceAsStream("hot-path-page.json")) {
      JsonNode root = new ObjectMapper().readTree(in);
      List<SessionEvent> events = new ArrayList<>();
      root.get("data").forEach(n -> events.add(SessionEvent.of((ObjectNode) n)));
      return events;
    }
  }

  static EventPublisher publisher() {
    String topic = "qoder.session-events";
    RegisteredSchema schema = new RegisteredSchema("qoder.session-events-value", 7,
        com.qoder.kafka.avro.Schemas.sessionEvent());
    RegisteredSchema errors = new RegisteredSchema("qoder.session-errors-value", 9,
        com.qoder.kafka.avro.Schemas.sessionEvent());
    // No sink and no metrics: plan() only builds records.
    return new EventPublisher(new EventMapper(), Map.of(topic, schema, "qoder.session-errors", errors),
        new EventRouter(topic, Map.of("session.error", List.of("qoder.session-errors"))), null,
        t -> 8 * 1024 * 1024, new DeadLetters("qoder.dead-letter", 8 * 1024 * 1024), null);
  }

  static String digest(List<EventPublisher.Planned> plan) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    for (EventPublisher.Planned p : plan) {
      for (OutboundRecord r : p.records()) {
        field(sha, r.topic().getBytes(StandardCharsets.UTF_8));
        field(sha, r.key());
        field(sha, r.value());
        for (Header h : r.headers()) {
          field(sha, h.key().getBytes(StandardCharsets.UTF_8));
          field(sha, h.value());
        }
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private static void field(MessageDigest sha, byte[] b) {
    sha.update((byte) (b.length >>> 8));
    sha.update((byte) b.length);
    sha.update(b);
  }

  @Test
  void aPageBecomesTheSameBytesAsBeforeTheHotPathWork() throws Exception {
    List<SessionEvent> events = page();
    List<EventPublisher.Planned> plan = publisher().plan(events.get(0).sessionId(), events);
    assertThat(plan).hasSize(events.size());
    assertThat(plan).allSatisfy(p -> assertThat(p.deadLetter()).isNull());
    assertThat(digest(plan)).isEqualTo(RECORDS_DIGEST);
  }

  /**
   * A diagnostic, not a check: bytes allocated per event by building a page's records on one
   * thread (map, encode, frame, headers), after warm-up. Printed to the test's output file.
   */
  @Test
  void allocationPerEventOfBuildingRecordsIsPrinted() throws Exception {
    List<SessionEvent> events = page();
    EventPublisher publisher = publisher();
    String sid = events.get(0).sessionId();
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    int pages = Integer.getInteger("hotpath.pages", 300);
    for (int i = 0; i < pages; i++) {
      publisher.plan(sid, events);
    }
    long before = threads.getCurrentThreadAllocatedBytes();
    int records = 0;
    for (int i = 0; i < pages; i++) {
      records += publisher.plan(sid, events).size();
    }
    long perEvent = (threads.getCurrentThreadAllocatedBytes() - before) / ((long) pages * events.size());
    byte[] body;
    try (InputStream in = HotPathRecordsTest.class.getResourceAsStream("hot-path-page.json")) {
      body = in.readAllBytes();
    }
    ObjectMapper json = new ObjectMapper();
    for (int i = 0; i < pages; i++) {
      json.readTree(body);
    }
    long beforeParse = threads.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < pages; i++) {
      json.readTree(body);
    }
    long parsePerEvent = (threads.getCurrentThreadAllocatedBytes() - beforeParse) / ((long) pages * events.size());
    System.out.println("hot path, per event: a Jackson tree of the page allocates " + parsePerEvent
        + " bytes; building the records (map, encode, frame, headers) " + perEvent + " bytes");
    assertThat(records).isEqualTo(pages * events.size());
  }
}

package com.qoder.kafka.sim;

import java.util.Map;

/**
 * The answer faults that list endpoints share: a valid cursor rejected, and an empty page that
 * says there is more. They fire after the request is validated (a bad request stays a 400), and
 * mark the answer with {@code x-sim-fault} so the request log names them.
 */
final class AnswerFaults {

  private final Faults faults;
  private final PageJson json;

  AnswerFaults(Faults faults, PageJson json) {
    this.faults = faults;
    this.json = json;
  }

  /** 400 for a valid cursor when the cursor_rejected fault fires; no cursor, no draw. */
  void rejectCursor(Endpoint e, String sessionId, String name, String cursor, String what) {
    if (cursor != null && faults.cursorRejected(e, sessionId)) {
      throw ApiError.invalidRequest(name + " '" + cursor + "' does not name " + what
          + " (it may have been deleted); restart paging from a known id.").causedBy("cursor_rejected");
    }
  }

  /** {@code {"data":[],"first_id":null,"last_id":null,"has_more":true}} in the endpoint's field order. */
  Answer emptyListPage(boolean filesOrder) {
    return new Answer(200, json.render(g -> {
      g.writeStartObject();
      g.writeArrayFieldStart("data");
      g.writeEndArray();
      g.writeNullField("first_id");
      if (filesOrder) { // document 001 puts has_more before last_id
        g.writeBooleanField("has_more", true);
        g.writeNullField("last_id");
      } else {
        g.writeNullField("last_id");
        g.writeBooleanField("has_more", true);
      }
      g.writeEndObject();
    }), Map.of("x-sim-fault", "empty_page"));
  }
}

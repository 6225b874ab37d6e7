package com.qoder.kafka.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.qoder.kafka.sim.Items.FileItem;
import com.qoder.kafka.sim.Items.ResourceItem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * The read side of {@link QoderSimulator}: ids in API order, the ground truth a test judges a
 * client by, and the served JSON of events. Reads only; apart from {@link SimControl} so that the
 * oracle's answers cannot change the data they report on.
 */
final class SimViews {

  private final SimData data;
  private final ObjectMapper mapper;
  private final PageJson json;

  SimViews(SimData data, ObjectMapper mapper, PageJson json) {
    this.data = data;
    this.mapper = mapper;
    this.json = json;
  }

  List<String> sessionIds() {
    List<String> out = new ArrayList<>();
    for (SimSession s : data.allSessionsEvenDeleted()) {
      if (!s.isDeleted()) {
        out.add(s.id);
      }
    }
    return out;
  }

  Instant sessionCreatedAt(String sessionId) {
    return SimTime.instant(everCreated(sessionId).createdNanos);
  }

  List<String> resourceIds(String sessionId) {
    return SimControl.session(data, sessionId).resources.all().stream().map(ResourceItem::id).toList();
  }

  List<String> fileIds() {
    List<String> ids = new ArrayList<>(data.files.all().stream().map(FileItem::fileId).toList());
    Collections.reverse(ids);
    return ids;
  }

  List<String> agentIds() {
    List<String> ids = new ArrayList<>(data.agents.all().stream().map(Items.AgentItem::id).toList());
    Collections.reverse(ids);
    return ids;
  }

  GroundTruth groundTruth(String sessionId) {
    return truth(everCreated(sessionId));
  }

  Map<String, GroundTruth> groundTruth() {
    Map<String, GroundTruth> out = new LinkedHashMap<>();
    for (SimSession s : data.allSessionsEvenDeleted()) {
      out.put(s.id, truth(s));
    }
    return out;
  }

  String lastEventId(String sessionId) {
    return SimControl.session(data, sessionId).read(log -> log.size() == 0 ? null : log.id(log.size() - 1));
  }

  long totalEvents() {
    long n = 0;
    for (SimSession s : data.allSessionsEvenDeleted()) {
      n += s.read(EventLog::size);
    }
    return n;
  }

  /** Rendered by the events endpoint's own renderer, then parsed: exactly the served JSON. */
  List<ObjectNode> eventsJson(String sessionId) {
    SimSession s = SimControl.session(data, sessionId);
    byte[] bytes = s.read(log -> json.render(g -> {
      g.writeStartArray();
      for (int i = 0; i < log.size(); i++) {
        if (!log.isDeleted(i)) {
          EventRenderer.write(g, mapper, s, log, i);
        }
      }
      g.writeEndArray();
    }));
    try {
      List<ObjectNode> out = new ArrayList<>();
      mapper.readTree(bytes).forEach(n -> out.add((ObjectNode) n));
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deleted sessions included: their ground truth outlives them. */
  private SimSession everCreated(String sessionId) {
    SimSession s = data.sessionEvenDeleted(sessionId);
    if (s == null) {
      throw new NoSuchElementException("no session '" + sessionId + "' was ever created");
    }
    return s;
  }

  private static GroundTruth truth(SimSession s) {
    return new GroundTruth(s.id, s.allEventIds(), s.deletedEventIds(), s.state() == SimSession.State.TERMINATED,
        s.releasedNanos() != null, s.isDeleted());
  }
}

package com.qoder.kafka.runtime;

import com.qoder.kafka.api.SessionEvent;
import com.qoder.kafka.api.Timestamps;
import com.qoder.kafka.avro.EventMapper;
import com.qoder.kafka.avro.MappingResult;
import com.qoder.kafka.kafka.CloudEventsHeaders;
import com.qoder.kafka.kafka.KafkaSink;
import com.qoder.kafka.kafka.OutboundRecord;
import com.qoder.kafka.kafka.SendResult;
import com.qoder.kafka.ops.ConnectorMetrics;
import com.qoder.kafka.avro.AvroCodec;
import com.qoder.kafka.registry.ConfluentWireFormat;
import com.qoder.kafka.registry.RegisteredSchema;
import com.qoder.kafka.source.EventDelivery;
import com.qoder.kafka.source.FatalPipelineException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Turns a session's new events into Kafka records and sends them: map to Avro, frame with the
 * schema id registered at start-up (no registry call here), route, add CloudEvents headers, key by
 * session id. Events that cannot be mapped, and records Kafka rejects as too large, go to the
 * dead-letter topic with the reason in headers; the batch completes only when every record —
 * dead letters included — is acknowledged, so the poller's cursor never passes an unsaved event.
 *
 * <p>Thread-safe and stateless per call.
 */
final class EventPublisher implements EventDelivery {

  private static final Logger log = LoggerFactory.getLogger(EventPublisher.class);

  private final EventMapper mapper;
  private final Map<String, byte[]> headers; // wire-format header by topic: the subject (and id) may differ per topic
  private final EventRouter router;
  private final KafkaSink sink;
  private final DeadLetters deadLetters;
  private final ConnectorMetrics metrics;

  EventPublisher(EventMapper mapper, Map<String, RegisteredSchema> schemas, EventRouter router, KafkaSink sink,
      DeadLetters deadLetters, ConnectorMetrics metrics) {
    this.mapper = mapper;
    Map<String, byte[]> h = new LinkedHashMap<>();
    schemas.forEach((topic, rs) -> h.put(topic, ConfluentWireFormat.frame(rs.id(), new byte[0])));
    this.headers = Map.copyOf(h);
    this.router = router;
    this.sink = sink;
    this.deadLetters = deadLetters;
    this.metrics = metrics;
  }

  /** What one record stands for, so a rejection can be traced back to its event. */
  private record Origin(SessionEvent event, boolean deadLetter) {}

  @Override
  public Mono<Report> deliver(String sessionId, List<SessionEvent> events) {
    return Mono.fromCallable(() -> records(sessionId, events))
        .flatMap(records -> TimedSends.sendAll(sink, records, metrics))
        .flatMap(results -> afterFirstAttempt(sessionId, results));
  }

  /** The records of a batch; package-private so the exactly-once path can reuse it. */
  List<OutboundRecord> records(String sessionId, List<SessionEvent> events) {
    List<OutboundRecord> out = new ArrayList<>(events.size() + 1);
    String source = "/sessions/" + sessionId; // the same for the whole page
    byte[] key = sessionId.getBytes(StandardCharsets.UTF_8);
    for (SessionEvent e : events) {
      MappingResult<com.qoder.kafka.avro.v1.SessionEvent> r = mapper.map(e);
      if (r instanceof MappingResult.Mapped<com.qoder.kafka.avro.v1.SessionEvent> m) {
        var ceHeaders = CloudEventsHeaders.of(e.id(), ceType(e.type()), source, time(e), sessionId,
            "application/avro");
        byte[] previous = null;
        byte[] previousHeader = null;
        for (String topic : router.topics(e.type())) {
          byte[] header = headers.get(topic);
          // AvroCodec, not a plain DatumWriter: it carries the fix for Avro 1.12.1's pre-1970
          // timestamp-nanos bug (AVRO-4269). The same schema id gives the same bytes: encode once.
          byte[] value = previous != null && java.util.Arrays.equals(previousHeader, header)
              ? previous : AvroCodec.encodeWithPrefix(m.record(), header);
          previous = value;
          previousHeader = header;
          out.add(new OutboundRecord(topic, key, value, ceHeaders, new Origin(e, false)));
        }
      } else if (r instanceof MappingResult.Rejected<?> rej) {
        log.warn("session {}: event {} cannot be mapped ({}: {}); it goes to the dead-letter topic",
            sessionId, e.id(), rej.reason(), rej.message());
        out.add(deadLetters.record(sessionId, e, rej.reason().name(), rej.message(), rej.originalJsonBytes(), null));
      }
    }
    return out;
  }

  private Mono<Report> afterFirstAttempt(String sessionId, List<SendResult> results) {
    Map<String, SendResult> rejected = new LinkedHashMap<>(); // one dead letter per event
    int delivered = 0;
    int deadLettered = 0;
    for (SendResult r : results) {
      Object c = r.correlation();
      if (r.acknowledged()) {
        if (c instanceof DeadLetters.Marker marker) {
          deadLettered++;
          metrics.eventDeadLettered(marker.eventType(), marker.reason());
        } else if (c instanceof Origin o && r.record().topic().equals(router.topics(o.event().type()).get(0))) {
          delivered++;
          metrics.eventsProduced(o.event().type(), 1);
        }
      } else if (c instanceof Origin o) {
        rejected.putIfAbsent(o.event().id(), r);
      } else {
        // A dead letter itself was refused: DeadLetters sizes them to fit, so this is a bug or a
        // broker-side limit below max.request.size. Stop rather than lose the event silently.
        return Mono.error(new FatalPipelineException("the dead-letter record for session " + sessionId
            + " was refused by Kafka: " + r.rejection().getMessage()
            + "; check max.message.bytes of the dead-letter topic", r.rejection()));
      }
    }
    if (rejected.isEmpty()) {
      return Mono.just(new Report(delivered, deadLettered));
    }
    List<OutboundRecord> letters = new ArrayList<>(rejected.size());
    for (SendResult r : rejected.values()) {
      SessionEvent e = ((Origin) r.correlation()).event();
      log.warn("session {}: event {} was refused by Kafka ({}); it goes to the dead-letter topic",
          sessionId, e.id(), r.rejection().getMessage());
      letters.add(deadLetters.record(sessionId, e, r.rejection().reason().name(), r.rejection().getMessage(),
          e.json().toString().getBytes(StandardCharsets.UTF_8), r.record().topic()));
    }
    int firstDelivered = delivered;
    int firstDead = deadLettered;
    return TimedSends.sendAll(sink, letters, metrics).flatMap(second -> afterFirstAttempt(sessionId, second)
        .map(rep -> new Report(firstDelivered + rep.delivered(), firstDead + rep.deadLettered())));
  }

  static String ceType(String type) {
    return "com.qoder.session." + (type == null || type.isEmpty() ? "unknown" : type);
  }

  private static Instant time(SessionEvent e) {
    try {
      return e.createdAt() == null ? null : Timestamps.toInstant(Timestamps.parseEpochNanos(e.createdAt()));
    } catch (IllegalArgumentException ex) {
      return null;
    }
  }
}

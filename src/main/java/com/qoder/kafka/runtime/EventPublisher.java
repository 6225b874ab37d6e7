package com.qoder.kafka.runtime;

import com.qoder.kafka.api.SessionEvent;
import com.qoder.kafka.avro.EventMapper;
import com.qoder.kafka.avro.MappingResult;
import com.qoder.kafka.kafka.CloudEventsHeaders;
import com.qoder.kafka.kafka.KafkaSink;
import com.qoder.kafka.kafka.OutboundRecord;
import com.qoder.kafka.kafka.RecordRejectedException;
import com.qoder.kafka.kafka.SendResult;
import com.qoder.kafka.ops.ConnectorMetrics;
import com.qoder.kafka.avro.AvroCodec;
import com.qoder.kafka.registry.ConfluentWireFormat;
import com.qoder.kafka.registry.RegisteredSchema;
import com.qoder.kafka.source.EventDelivery;
import com.qoder.kafka.source.FatalPipelineException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToIntFunction;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Turns a session's new events into Kafka records and sends them: map to Avro, frame with the
 * schema id registered at start-up (no registry call here), route, add CloudEvents headers, key by
 * session id.
 *
 * <h2>Dead letters keep their place</h2>
 * An event that cannot be mapped, or whose record is larger than a topic it is routed to takes
 * ({@link KafkaSink#maxRecordBytes}: {@code kafka.max-record-bytes}, or less for a topic whose
 * {@code max.message.bytes} is smaller), goes to the dead-letter topic with the reason in headers, and
 * a {@link DeadLetterMarker marker} takes its place in each such topic. Both are known before
 * anything is sent, so a page is sent in segments: the records up to and including a dead letter,
 * then — once the dead letter is acknowledged and its offset known — its markers and the records up to
 * the next dead letter, and so on. Records of one session therefore reach each topic in API order,
 * markers included. (A record the broker still refuses after that check — a topic's
 * {@code max.message.bytes} lowered while the connector runs — is dead-lettered when its refusal
 * comes back; its marker then follows the rest of its segment, and a warning says so. The sink
 * learns the topic's lower limit from that refusal, so later large records are put aside in order.)
 *
 * <p>The batch completes only when every record — dead letters and markers included — is
 * acknowledged, so the poller's cursor never passes an unsaved event. In exactly-once mode every
 * segment is in the page's transaction.
 *
 * <p>Thread-safe and stateless per call.
 */
final class EventPublisher implements EventDelivery {

  private static final Logger log = LoggerFactory.getLogger(EventPublisher.class);
  private static final String RECORD_TOO_LARGE = RecordRejectedException.Reason.RECORD_TOO_LARGE.name();
  /** Distinct event types whose ce_type header is kept (documented types are nine). */
  private static final int MAX_CACHED_TYPES = 256;

  private final EventMapper mapper;
  private final Map<String, byte[]> headers; // wire-format header by topic: the subject (and id) may differ per topic
  private final EventRouter router;
  private final KafkaSink sink;
  private final ToIntFunction<String> maxRecordBytes;
  private final DeadLetters deadLetters;
  private final ConnectorMetrics metrics;
  /** Added to every event record (a live signal's marks); empty for the pollers' pages. */
  private final List<org.apache.kafka.common.header.Header> extraHeaders;
  /** ce_type header by API event type; shared with the copies {@link #withHeaders} makes. */
  private final ConcurrentHashMap<String, Header> ceTypeHeaders;

  EventPublisher(EventMapper mapper, Map<String, RegisteredSchema> schemas, EventRouter router, KafkaSink sink,
      DeadLetters deadLetters, ConnectorMetrics metrics) {
    this(mapper, schemas, router, sink, sink::maxRecordBytes, deadLetters, metrics);
  }

  /** With the record limit per topic given apart from the sink (record building without a broker). */
  EventPublisher(EventMapper mapper, Map<String, RegisteredSchema> schemas, EventRouter router, KafkaSink sink,
      ToIntFunction<String> maxRecordBytes, DeadLetters deadLetters, ConnectorMetrics metrics) {
    this.mapper = mapper;
    Map<String, byte[]> h = new LinkedHashMap<>();
    schemas.forEach((topic, rs) -> h.put(topic, ConfluentWireFormat.frame(rs.id(), new byte[0])));
    this.headers = Map.copyOf(h);
    this.router = router;
    this.sink = sink;
    this.maxRecordBytes = maxRecordBytes;
    this.deadLetters = deadLetters;
    this.metrics = metrics;
    this.extraHeaders = List.of();
    this.ceTypeHeaders = new ConcurrentHashMap<>();
  }

  private EventPublisher(EventPublisher base, List<org.apache.kafka.common.header.Header> extraHeaders) {
    this.mapper = base.mapper;
    this.headers = base.headers;
    this.router = base.router;
    this.sink = base.sink;
    this.maxRecordBytes = base.maxRecordBytes;
    this.deadLetters = base.deadLetters;
    this.metrics = base.metrics;
    this.extraHeaders = List.copyOf(extraHeaders);
    this.ceTypeHeaders = base.ceTypeHeaders;
  }

  /** The same publishing with {@code extra} headers on every event record (a resync signal's mark). */
  EventPublisher withHeaders(List<org.apache.kafka.common.header.Header> extra) {
    return new EventPublisher(this, extra);
  }

  /** Correlation of an event's record for one topic; {@code primary}: the events topic (counted as delivered). */
  private record Copy(SessionEvent event, boolean primary) {}

  /** Correlation of a marker record. */
  private record MarkerOf(SessionEvent event) {}

  /**
   * One event of a page, planned before anything is sent: its records for the topics it fits, and —
   * when it cannot go to some topic — its dead letter and the topics that get a marker instead.
   */
  record Planned(SessionEvent event, List<OutboundRecord> records, OutboundRecord deadLetter,
      List<String> markerTopics) {}

  @Override
  public Mono<Report> deliver(String sessionId, List<SessionEvent> events) {
    return Mono.fromCallable(() -> plan(sessionId, events))
        .flatMap(plan -> sendFrom(sessionId, plan, 0, List.of(), new Report(0, 0)));
  }

  /** The plan of a page; package-private for the record-building benchmark. */
  List<Planned> plan(String sessionId, List<SessionEvent> events) {
    List<Planned> out = new ArrayList<>(events.size());
    // The headers the page's records share (source, subject and the constant ones) are encoded once.
    CloudEventsHeaders.Page pageHeaders = CloudEventsHeaders.page(source(sessionId), sessionId, "application/avro");
    byte[] key = sessionId.getBytes(StandardCharsets.UTF_8);
    for (SessionEvent e : events) {
      MappingResult<com.qoder.kafka.avro.v1.SessionEvent> r = mapper.map(e);
      if (r instanceof MappingResult.Mapped<com.qoder.kafka.avro.v1.SessionEvent> m) {
        // created_at was parsed once, by the mapper (a mapped event always has a valid one).
        var ceHeaders = pageHeaders.of(e.id(), ceTypeHeader(m.record().getType()), m.record().getCreatedAt());
        if (!extraHeaders.isEmpty()) {
          ceHeaders = new ArrayList<>(ceHeaders);
          ceHeaders.addAll(extraHeaders);
        }
        List<String> topics = router.topics(e.type());
        List<OutboundRecord> records = new ArrayList<>(topics.size());
        List<String> refused = List.of();
        OutboundRecord tooLarge = null;
        byte[] previous = null;
        byte[] previousHeader = null;
        for (int t = 0; t < topics.size(); t++) { // indexed: no iterator per event
          String topic = topics.get(t);
          byte[] header = headers.get(topic);
          // AvroCodec, not a plain DatumWriter: it carries the fix for Avro 1.12.1's pre-1970
          // timestamp-nanos bug (AVRO-4269). The same schema id gives the same bytes: encode once.
          byte[] value = previous != null && java.util.Arrays.equals(previousHeader, header)
              ? previous : AvroCodec.encodeWithPrefix(m.record(), header);
          previous = value;
          previousHeader = header;
          OutboundRecord record = new OutboundRecord(topic, key, value, ceHeaders,
              new Copy(e, t == 0 || topic.equals(topics.get(0))));
          if (record.estimatedSizeInBytes() > maxRecordBytes.applyAsInt(topic)) {
            refused = refused.isEmpty() ? new ArrayList<>(topics.size()) : refused;
            refused.add(topic);
            tooLarge = tooLarge == null ? record : tooLarge;
          } else {
            records.add(record);
          }
        }
        if (refused.isEmpty()) {
          out.add(new Planned(e, records, null, List.of()));
        } else {
          String message = "the record of event " + e.id() + " is " + tooLarge.estimatedSizeInBytes()
              + " bytes (Avro with framing and headers, before compression), more than the "
              + maxRecordBytes.applyAsInt(tooLarge.topic()) + " bytes topic '" + tooLarge.topic()
              + "' takes (kafka.max-record-bytes, or the topic's max.message.bytes when smaller)";
          log.warn("session {}: {}; it goes to the dead-letter topic, a marker takes its place in {}", sessionId,
              message, refused);
          out.add(new Planned(e, records, deadLetters.record(sessionId, e, RECORD_TOO_LARGE, message,
              e.json().toString().getBytes(StandardCharsets.UTF_8), tooLarge.topic()), List.copyOf(refused)));
        }
      } else if (r instanceof MappingResult.Rejected<?> rej) {
        log.warn("session {}: event {} cannot be mapped ({}: {}); it goes to the dead-letter topic, a marker takes"
            + " its place", sessionId, e.id(), rej.reason(), rej.message());
        out.add(new Planned(e, List.of(), deadLetters.record(sessionId, e, rej.reason().name(), rej.message(),
            rej.originalJsonBytes(), null), router.topics(e.type())));
      }
    }
    return out;
  }

  /**
   * Sends {@code lead} (markers of the previous segment) and the plan from {@code from} up to and
   * including the next dead letter; once acknowledged, goes on with that dead letter's markers.
   */
  private Mono<Report> sendFrom(String sessionId, List<Planned> plan, int from, List<OutboundRecord> lead,
      Report sofar) {
    if (from >= plan.size() && lead.isEmpty()) {
      return Mono.just(sofar);
    }
    List<OutboundRecord> segment = new ArrayList<>(lead);
    int i = from;
    Planned refused = null;
    while (i < plan.size() && refused == null) {
      Planned p = plan.get(i++);
      segment.addAll(p.records());
      if (p.deadLetter() != null) {
        segment.add(p.deadLetter());
        refused = p;
      }
    }
    int next = i;
    Planned letterOwner = refused;
    return TimedSends.sendAll(sink, segment, metrics)
        .flatMap(results -> outcome(sessionId, results, letterOwner))
        .flatMap(o -> sendFrom(sessionId, plan, next, o.markers(),
            new Report(sofar.delivered() + o.report().delivered(), sofar.deadLettered() + o.report().deadLettered())));
  }

  /** What a segment came to, and the markers that must open the next one. */
  private record Outcome(Report report, List<OutboundRecord> markers) {}

  private Mono<Outcome> outcome(String sessionId, List<SendResult> results, Planned letterOwner) {
    Map<String, List<SendResult>> rejected = new LinkedHashMap<>(); // refused by the broker, by event id
    List<OutboundRecord> markers = new ArrayList<>();
    int delivered = 0;
    int deadLettered = 0;
    for (SendResult r : results) {
      Object c = r.correlation();
      if (r.acknowledged()) {
        if (c instanceof DeadLetters.Letter letter) {
          deadLettered++;
          metrics.eventDeadLettered(letter.eventType(), letter.reason());
          if (letterOwner != null && r.record() == letterOwner.deadLetter()) {
            markers.addAll(markers(sessionId, letterOwner.event(), letter, r.metadata(), letterOwner.markerTopics()));
          }
        } else if (c instanceof Copy copy && copy.primary()) {
          delivered++;
          metrics.eventsProduced(copy.event().type(), 1);
        }
      } else if (c instanceof Copy copy) {
        rejected.computeIfAbsent(copy.event().id(), k -> new ArrayList<>()).add(r);
      } else {
        // A dead letter or a marker was refused: both are sized to fit (the dead letter's value is cut to
        // the topic's limit, a marker is small), so this is a broker-side limit lowered while running.
        // Stop rather than lose the event silently.
        return Mono.error(new FatalPipelineException("the " + (c instanceof MarkerOf ? "dead-letter marker"
            : "dead-letter record") + " for session " + sessionId + " was refused by Kafka: "
            + r.rejection().getMessage() + "; check max.message.bytes of topic '" + r.record().topic() + "'",
            r.rejection()));
      }
    }
    Report report = new Report(delivered, deadLettered);
    if (rejected.isEmpty()) {
      return Mono.just(new Outcome(report, markers));
    }
    return refusedByBroker(sessionId, rejected).map(more -> {
      List<OutboundRecord> all = new ArrayList<>(markers);
      all.addAll(more.markers());
      return new Outcome(new Report(report.delivered() + more.report().delivered(),
          report.deadLettered() + more.report().deadLettered()), all);
    });
  }

  /**
   * Records the broker refused although they passed the size check: dead-letter each event once,
   * then markers in the topics that refused it. They follow the rest of their segment (the broker
   * answered after it was sent), which the warning says.
   */
  private Mono<Outcome> refusedByBroker(String sessionId, Map<String, List<SendResult>> rejected) {
    List<OutboundRecord> letters = new ArrayList<>(rejected.size());
    Map<OutboundRecord, Planned> owners = new java.util.IdentityHashMap<>();
    for (List<SendResult> refusals : rejected.values()) {
      SendResult first = refusals.get(0);
      SessionEvent e = ((Copy) first.correlation()).event();
      log.warn("session {}: Kafka refused event {} for topic {} ({}) after later records of its page were sent; it"
          + " goes to the dead-letter topic and its marker follows those records. Check max.message.bytes of the"
          + " topic against kafka.max-record-bytes.", sessionId, e.id(), first.record().topic(),
          first.rejection().getMessage());
      OutboundRecord letter = deadLetters.record(sessionId, e, first.rejection().reason().name(),
          first.rejection().getMessage(), e.json().toString().getBytes(StandardCharsets.UTF_8), first.record().topic());
      letters.add(letter);
      owners.put(letter, new Planned(e, List.of(), letter, refusals.stream().map(r -> r.record().topic()).toList()));
    }
    return TimedSends.sendAll(sink, letters, metrics).flatMap(results -> {
      List<OutboundRecord> markers = new ArrayList<>();
      int deadLettered = 0;
      for (SendResult r : results) {
        if (!r.acknowledged()) {
          return Mono.error(new FatalPipelineException("the dead-letter record for session " + sessionId
              + " was refused by Kafka: " + r.rejection().getMessage() + "; check max.message.bytes of topic '"
              + r.record().topic() + "'", r.rejection()));
        }
        DeadLetters.Letter letter = (DeadLetters.Letter) r.correlation();
        deadLettered++;
        metrics.eventDeadLettered(letter.eventType(), letter.reason());
        Planned owner = owners.get(r.record());
        markers.addAll(markers(sessionId, owner.event(), letter, r.metadata(), owner.markerTopics()));
      }
      return Mono.just(new Outcome(new Report(0, deadLettered), markers));
    });
  }

  /** The marker records of a dead-lettered event, one per topic it could not go to. */
  private List<OutboundRecord> markers(String sessionId, SessionEvent e, DeadLetters.Letter letter,
      RecordMetadata where, List<String> topics) {
    com.qoder.kafka.avro.v1.SessionEvent marker = DeadLetterMarker.of(sessionId, e, letter, where);
    var ceHeaders = CloudEventsHeaders.of(marker.getEventId(), ceType(DeadLetterMarker.TYPE), source(sessionId),
        marker.getCreatedAt(), sessionId, "application/avro");
    byte[] key = sessionId.getBytes(StandardCharsets.UTF_8);
    List<OutboundRecord> out = new ArrayList<>(topics.size());
    for (String topic : topics) {
      out.add(new OutboundRecord(topic, key, AvroCodec.encodeWithPrefix(marker, headers.get(topic)), ceHeaders,
          new MarkerOf(e)));
    }
    return out;
  }

  /**
   * The {@code ce_type} header of an event type, built once per type: a page's events repeat a
   * handful of types, interleaved. The API's types are an open set, so the cache is bounded; past
   * the bound a type's header is built per record, as before.
   */
  private Header ceTypeHeader(String type) {
    Header h = ceTypeHeaders.get(type);
    if (h == null) {
      h = CloudEventsHeaders.typeHeader(ceType(type));
      if (ceTypeHeaders.size() < MAX_CACHED_TYPES) {
        ceTypeHeaders.putIfAbsent(type, h);
      }
    }
    return h;
  }

  private static String source(String sessionId) {
    return "/sessions/" + sessionId;
  }

  static String ceType(String type) {
    return "com.qoder.session." + (type == null || type.isEmpty() ? "unknown" : type);
  }

}

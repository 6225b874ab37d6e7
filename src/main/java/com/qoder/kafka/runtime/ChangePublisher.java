package com.qoder.kafka.runtime;

import com.qoder.kafka.avro.AvroCodec;
import com.qoder.kafka.avro.MappingResult;
import com.qoder.kafka.kafka.CloudEventsHeaders;
import com.qoder.kafka.kafka.KafkaSink;
import com.qoder.kafka.kafka.OutboundRecord;
import com.qoder.kafka.kafka.SendResult;
import com.qoder.kafka.ops.ConnectorMetrics;
import com.qoder.kafka.registry.ConfluentWireFormat;
import com.qoder.kafka.registry.RegisteredSchema;
import com.qoder.kafka.source.ChangeDelivery;
import com.qoder.kafka.source.FatalPipelineException;
import com.qoder.kafka.source.ItemChange;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Turns a change source's changes into Kafka records of one topic and sends them — the
 * counterpart of {@link EventPublisher} for resources, files and sessions: map to Avro with the
 * schema id registered at start-up, add CloudEvents headers, key by the change's key. A change
 * the mapper rejects, and a record Kafka refuses as too large, goes to the dead-letter topic; the
 * batch completes only when every record — dead letters included — is acknowledged, so the source
 * never counts an unsaved change as seen.
 *
 * <p>A change the mapper answers with {@code null} is a tombstone (null value): the files topic
 * is compacted and a deleted file removes its key.
 *
 * <p>Thread-safe and stateless per call.
 */
final class ChangePublisher implements ChangeDelivery {

  private static final Logger log = LoggerFactory.getLogger(ChangePublisher.class);

  /** Maps a change to its Avro record; null for a tombstone. */
  interface Mapper extends Function<ItemChange, MappingResult<? extends SpecificRecord>> {}

  private final String source;
  private final String topic;
  private final byte[] header;
  private final Mapper mapper;
  private final String ceTypePrefix;
  private final Function<ItemChange, String> ceSource;
  private final KafkaSink sink;
  private final DeadLetters deadLetters;
  private final ConnectorMetrics metrics;

  /**
   * @param source the source's id ({@code resources}, {@code files}, {@code sessions}), for
   *     metrics and dead-letter headers
   * @param ceTypePrefix CloudEvents type prefix; the lower-case change is appended, e.g.
   *     {@code com.qoder.session.resource.} + {@code created}
   * @param ceSource the CloudEvents source of a change, e.g. {@code /sessions/sess_…/resources}
   */
  ChangePublisher(String source, String topic, RegisteredSchema schema, Mapper mapper, String ceTypePrefix,
      Function<ItemChange, String> ceSource, KafkaSink sink, DeadLetters deadLetters, ConnectorMetrics metrics) {
    this.source = source;
    this.topic = topic;
    this.header = ConfluentWireFormat.frame(schema.id(), new byte[0]);
    this.mapper = mapper;
    this.ceTypePrefix = ceTypePrefix;
    this.ceSource = ceSource;
    this.sink = sink;
    this.deadLetters = deadLetters;
    this.metrics = metrics;
  }

  String topic() {
    return topic;
  }

  @Override
  public Mono<Report> deliver(List<ItemChange> changes) {
    return Mono.fromCallable(() -> records(changes))
        .flatMap(records -> TimedSends.sendAll(sink, records, metrics))
        .flatMap(this::afterFirstAttempt);
  }

  List<OutboundRecord> records(List<ItemChange> changes) {
    List<OutboundRecord> out = new ArrayList<>(changes.size());
    for (ItemChange c : changes) {
      MappingResult<? extends SpecificRecord> r = mapper.apply(c);
      var headers = CloudEventsHeaders.of(c.changeId(), ceTypePrefix + c.change().toLowerCase(Locale.ROOT),
          ceSource.apply(c), c.observedAt(), c.id(), r == null ? null : CloudEventsHeaders.AVRO);
      if (r == null) {
        out.add(OutboundRecord.of(topic, c.key(), null, headers, c));
      } else if (r instanceof MappingResult.Mapped<? extends SpecificRecord> m) {
        // AvroCodec, not a plain DatumWriter: it carries the fix for Avro 1.12.1's pre-1970
        // timestamp-nanos bug (AVRO-4269).
        out.add(OutboundRecord.of(topic, c.key(), AvroCodec.encodeWithPrefix(m.record(), header), headers, c));
      } else if (r instanceof MappingResult.Rejected<?> rej) {
        log.warn("{} {} cannot be mapped ({}: {}); it goes to the dead-letter topic", source, c.id(), rej.reason(),
            rej.message());
        out.add(deadLetters.itemRecord(c.key(), source, c.id(), c.change(), rej.reason().name(), rej.message(),
            rej.originalJsonBytes(), null));
      }
    }
    return out;
  }

  private Mono<Report> afterFirstAttempt(List<SendResult> results) {
    Map<ItemChange, SendResult> rejected = new LinkedHashMap<>();
    int delivered = 0;
    int deadLettered = 0;
    for (SendResult r : results) {
      Object c = r.correlation();
      if (r.acknowledged()) {
        if (c instanceof DeadLetters.Letter) {
          deadLettered++;
          metrics.sourceRecords(source, "DEAD_LETTER", 1);
        } else if (c instanceof ItemChange change) {
          delivered++;
          metrics.sourceRecords(source, change.change(), 1);
        }
      } else if (c instanceof ItemChange change) {
        rejected.putIfAbsent(change, r);
      } else {
        return Mono.error(new FatalPipelineException("the dead-letter record of a " + source + " change was refused"
            + " by Kafka: " + r.rejection().getMessage() + "; check max.message.bytes of the dead-letter topic",
            r.rejection()));
      }
    }
    if (rejected.isEmpty()) {
      return Mono.just(new Report(delivered, deadLettered));
    }
    List<OutboundRecord> letters = new ArrayList<>(rejected.size());
    rejected.forEach((c, r) -> {
      log.warn("{} {} was refused by Kafka ({}); it goes to the dead-letter topic", source, c.id(),
          r.rejection().getMessage());
      letters.add(deadLetters.itemRecord(c.key(), source, c.id(), c.change(), r.rejection().reason().name(),
          r.rejection().getMessage(), c.item().toString().getBytes(StandardCharsets.UTF_8), topic));
    });
    int firstDelivered = delivered;
    int firstDead = deadLettered;
    return TimedSends.sendAll(sink, letters, metrics).flatMap(second -> afterFirstAttempt(second)
        .map(rep -> new Report(firstDelivered + rep.delivered(), firstDead + rep.deadLettered())));
  }
}

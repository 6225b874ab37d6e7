package com.qoder.kafka.signal;

import com.qoder.kafka.api.Page;
import com.qoder.kafka.api.SessionEvent;
import com.qoder.kafka.kafka.CloudEventsHeaders;
import com.qoder.kafka.offsets.OffsetRecord;
import com.qoder.kafka.source.SessionState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * A {@code resync} of one session, on the instance that owns it (the job thread).
 *
 * <p>The session's poller is held while the resync runs, so the range is fixed: the API's history
 * from the first event (or the first created at or after {@code from}) up to the event the session
 * had delivered when the resync started ({@code until}, stored with the progress, so a new owner
 * walks the same range). What comes after is the poller's, as always. Page by page the selected
 * events — {@code missing}: those whose id the session's partition of the events topic does not
 * hold ({@code read_committed}, by key, ids only); {@code republish}: all — are produced with a
 * header naming the signal, together with the step's progress record (the page's last event id) and a
 * {@code progress} answer: one transaction in exactly-once mode, so a new owner resumes after the
 * last committed page and nothing is produced twice.
 */
final class Resync {

  private static final Logger log = LoggerFactory.getLogger(Resync.class);

  private final SignalSteps steps;
  private final SignalHost host;
  private final Signal s;
  private final BooleanSupplier cancelled;
  private OffsetRecord stored;

  Resync(SignalSteps steps, Signal s, OffsetRecord stored, BooleanSupplier cancelled) {
    this.steps = steps;
    this.host = steps.host();
    this.s = s;
    this.stored = stored;
    this.cancelled = cancelled;
  }

  void run() {
    String hold = "resync:" + s.id();
    SignalSteps.block(host.hold(s.session(), hold, steps.options().holdTimeout()),
        "stopping the poller of " + s.session());
    try {
      walk();
    } finally {
      host.unhold(s.session(), hold);
    }
  }

  private void walk() {
    if (stored == null) {
      SessionState.Snapshot snapshot = host.snapshot(s.session());
      if (snapshot == null) {
        steps.fail(s, "session " + s.session() + " has no progress on this connector yet (not discovered, or not"
            + " configured); nothing to resync", null);
        return;
      }
      String until = snapshot.cursor();
      if (until == null) {
        finish(null, 0, "nothing delivered yet: nothing to resync", List.of(
            steps.answer(s, Notification.Status.ACCEPTED, "", 0),
            steps.answer(s, Notification.Status.STARTED, "", 0)));
        return;
      }
      OffsetRecord started = steps.progressRecord(s, "STARTED", null, 0, Map.of("until", until,
          "detail", "started"));
      steps.step(s, Mono::empty, started, List.of(steps.answer(s, Notification.Status.ACCEPTED, "", 0),
          steps.answer(s, Notification.Status.STARTED, "up to event " + until + " (" + s.mode().id() + ")", 0)));
      stored = started;
    }
    String until = stored.attributes().get("until");
    Set<String> inTopic = s.mode() == Signal.Mode.MISSING ? idsInEventsTopic() : Set.of();
    List<Header> headers = List.of(new RecordHeader(Signals.SIGNAL_HEADER, utf8(s.id())),
        new RecordHeader(Signals.MODE_HEADER, utf8(s.mode().id())));
    String after = stored.cursor();
    long produced = stored.counters().delivered();
    int pageSize = steps.options().resyncPageSize();
    while (true) {
      if (cancelled.getAsBoolean()) {
        throw new SignalSteps.Stopped("cancelled after event " + after + " (" + produced + " produced)");
      }
      Page<SessionEvent> page = SignalSteps.block(host.api().eventsAfter(s.session(), after, pageSize),
          "reading events of " + s.session());
      List<SessionEvent> selected = new ArrayList<>();
      boolean reached = page.data().isEmpty() || !page.hasMore();
      String last = after;
      for (SessionEvent e : page.data()) {
        last = e.id();
        if (wanted(e, inTopic)) {
          selected.add(e);
        }
        if (e.id().equals(until)) {
          reached = true;
          break;
        }
      }
      long total = produced + selected.size();
      String cursor = last;
      if (reached) {
        finish(cursor, total, total + " event(s) produced", List.of(), selected, headers);
        return;
      }
      steps.step(s, () -> selected.isEmpty() ? Mono.empty() : host.publish(s.session(), selected, headers),
          steps.progressRecord(s, "STARTED", cursor, total, Map.of("until", until, "detail", "after " + cursor)),
          List.of(steps.answer(s, Notification.Status.PROGRESS, "after event " + cursor, total)));
      produced = total;
      after = cursor;
    }
  }

  private boolean wanted(SessionEvent e, Set<String> inTopic) {
    if (s.from() != null) {
      try {
        String created = e.createdAt();
        if (created != null && Instant.parse(created).isBefore(s.from())) {
          return false;
        }
      } catch (DateTimeParseException ex) {
        // an unreadable time is not a reason to leave the event out
      }
    }
    return !inTopic.contains(e.id());
  }

  private void finish(String cursor, long total, String detail, List<Notification> before) {
    finish(cursor, total, detail, before, List.of(), List.of());
  }

  private void finish(String cursor, long total, String detail, List<Notification> before,
      List<SessionEvent> selected, List<Header> headers) {
    List<Notification> answers = new ArrayList<>(before);
    answers.add(steps.answer(s, Notification.Status.DONE, detail, total));
    steps.step(s, () -> selected.isEmpty() ? Mono.empty() : host.publish(s.session(), selected, headers),
        steps.progressRecord(s, "DONE", cursor, total, Map.of("detail", detail)), answers);
    log.info("signal {}: resync ({}) of session {} done, {} event(s) produced", s.id(), s.mode().id(), s.session(),
        total);
  }

  /**
   * The ids of the session's records in its partition of the events topic ({@code read_committed},
   * up to the end offsets taken now). Memory: one session's ids.
   */
  private Set<String> idsInEventsTopic() {
    SignalOptions o = steps.options();
    Map<String, Object> c = new HashMap<>(o.clientConfig());
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, o.bootstrapServers());
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, "qoder-kafka-resync-" + o.instanceId());
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.remove(ConsumerConfig.GROUP_ID_CONFIG);
    byte[] key = s.session().getBytes(StandardCharsets.UTF_8);
    Set<String> ids = new HashSet<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
      int partitions = consumer.partitionsFor(o.eventsTopic(), Duration.ofSeconds(30)).size();
      // The producer's default partitioner: murmur2 of the key (the session id).
      TopicPartition tp = new TopicPartition(o.eventsTopic(), Utils.toPositive(Utils.murmur2(key)) % partitions);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
      long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
      while (consumer.position(tp) < end) {
        if (System.nanoTime() > deadline || cancelled.getAsBoolean()) {
          throw new IllegalStateException("reading partition " + tp + " of the events topic did not reach offset "
              + end + " in time");
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          Header id = r.headers().lastHeader(CloudEventsHeaders.ID);
          if (id != null && r.key() != null && Arrays.equals(r.key(), key)) {
            ids.add(new String(id.value(), StandardCharsets.UTF_8));
          }
        }
      }
    }
    return ids;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}

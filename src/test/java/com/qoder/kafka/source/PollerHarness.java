package com.qoder.kafka.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.Await;
import com.qoder.kafka.api.QoderApi;
import com.qoder.kafka.api.SessionEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Drives real pollers through a real {@link SessionSupervisor} against an in-process API, with a
 * delivery that records what reached "Kafka" and an offsets store that keeps the last written
 * snapshot of each session. A restart is a new supervisor restored from those snapshots, as an
 * instance restores its partitions from the offsets topic.
 */
final class PollerHarness implements AutoCloseable {

  final QoderApi api;
  final PollerOptions options;
  final Map<String, List<String>> produced = new ConcurrentHashMap<>();
  final Map<String, SessionState.Snapshot> stored = new ConcurrentHashMap<>();
  final List<Throwable> fatal = new CopyOnWriteArrayList<>();
  /** An offset write of a snapshot matching this is held until {@link #releaseHeldWrite()}. */
  private volatile Predicate<SessionState.Snapshot> hold = s -> false;
  private volatile Sinks.Empty<Void> held = Sinks.empty();
  private volatile boolean writeHeld;
  private volatile boolean dropHeld; // the held write is lost (a crash before it reached Kafka)
  /** Largest offset record written, in bytes, through the connector's own codec. */
  final java.util.concurrent.atomic.AtomicInteger largestRecord = new java.util.concurrent.atomic.AtomicInteger();
  SessionSupervisor supervisor;

  PollerHarness(QoderApi api, PollerOptions options) {
    this.api = api;
    this.options = options;
    this.supervisor = newSupervisor();
  }

  static PollerOptions fastOptions(int window) {
    return new PollerOptions(100, Duration.ofMillis(1), Duration.ofMillis(4), false, window);
  }

  private SessionSupervisor newSupervisor() {
    EventDelivery delivery = (sessionId, events) -> Mono.fromCallable(() -> {
      List<String> ids = produced.computeIfAbsent(sessionId, k -> new CopyOnWriteArrayList<>());
      for (SessionEvent e : events) {
        ids.add(e.id());
      }
      return new EventDelivery.Report(events.size(), 0);
    });
    OffsetWriter writer = snapshot -> Mono.defer(() -> {
      if (hold.test(snapshot)) {
        hold = s -> false;
        writeHeld = true;
        if (!dropHeld) {
          stored.put(snapshot.sessionId(), roundTrip(snapshot));
        }
        return held.asMono();
      }
      stored.put(snapshot.sessionId(), roundTrip(snapshot));
      return Mono.empty();
    });
    return new SessionSupervisor(api, delivery, writer, options, SessionListener.NOOP, fatal::add);
  }

  /** What the offsets topic gives back: the snapshot through the connector's record and JSON codec. */
  private SessionState.Snapshot roundTrip(SessionState.Snapshot s) {
    com.qoder.kafka.offsets.OffsetRecord r = com.qoder.kafka.offsets.SessionOffsetRecords.toRecord(s);
    byte[] bytes = com.qoder.kafka.offsets.OffsetStore.valueBytes(r);
    largestRecord.accumulateAndGet(bytes.length, Math::max);
    return com.qoder.kafka.offsets.SessionOffsetRecords.toSnapshot(
        com.qoder.kafka.offsets.OffsetStore.readValue(r.key(), bytes));
  }

  void holdWriteOf(Predicate<SessionState.Snapshot> which) {
    hold = which;
  }

  /** The next offset write is held and lost: a crash between the page's delivery and its offset. */
  void crashOnNextWrite() {
    dropHeld = true;
    writeHeld = false;
    hold = s -> true;
  }

  boolean writeHeld() {
    return writeHeld;
  }

  void releaseHeldWrite() {
    held.tryEmitEmpty();
  }

  /** Stops every poller after its step in progress, then starts a new instance from the stored offsets. */
  void restart(Runnable whileStopping) {
    Mono<Void> stopped = supervisor.stopAll(Duration.ofSeconds(10));
    whileStopping.run();
    stopped.block(Duration.ofSeconds(15));
    held = Sinks.empty();
    writeHeld = false;
    dropHeld = false;
    hold = s -> false;
    supervisor = newSupervisor();
    supervisor.restore(new ArrayList<>(stored.values()));
  }

  List<String> produced(String sessionId) {
    return produced.getOrDefault(sessionId, List.of());
  }

  /** Events produced more than once. */
  long duplicates(String sessionId) {
    List<String> p = produced(sessionId);
    return p.size() - p.stream().distinct().count();
  }

  static void await(String what, BooleanSupplier condition) {
    Await.until(Duration.ofSeconds(30), Duration.ofMillis(2), () -> what, condition);
  }

  @Override
  public void close() {
    supervisor.stopAll(Duration.ofSeconds(5)).block(Duration.ofSeconds(10));
  }
}

package com.qoder.kafka.runtime;

import com.qoder.kafka.api.QoderApi;
import com.qoder.kafka.api.SessionEvent;
import com.qoder.kafka.cluster.ClusterMember;
import com.qoder.kafka.kafka.KafkaSink;
import com.qoder.kafka.kafka.OutboundRecord;
import com.qoder.kafka.offsets.OffsetKey;
import com.qoder.kafka.offsets.OffsetRecord;
import com.qoder.kafka.offsets.OffsetStore;
import com.qoder.kafka.signal.SignalHost;
import com.qoder.kafka.source.SessionState;
import com.qoder.kafka.source.SessionSupervisor;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.common.header.Header;
import reactor.core.publisher.Mono;

/** What the running connector lends its signals (see {@link SignalHost}). */
final class ConnectorSignals implements SignalHost {

  private final ClusterMember member;
  private final SessionSupervisor sessions;
  private final OffsetStore offsets;
  private final KafkaSink sink;
  private final EventPublisher publisher;
  private final QoderApi api;
  private final Sources changeSources;

  ConnectorSignals(ClusterMember member, SessionSupervisor sessions, OffsetStore offsets, KafkaSink sink,
      EventPublisher publisher, QoderApi api, Sources changeSources) {
    this.member = member;
    this.sessions = sessions;
    this.offsets = offsets;
    this.sink = sink;
    this.publisher = publisher;
    this.api = api;
    this.changeSources = changeSources;
  }

  @Override
  public boolean owns(String target) {
    return member.owns(target);
  }

  @Override
  public int partitionOf(String target) {
    return member.partitionOf(target);
  }

  @Override
  public Mono<Void> inTransaction(String target, Supplier<Mono<?>> work) {
    return member.inTransaction(target, work);
  }

  @Override
  public Mono<Void> hold(String sessionId, String reason, Duration timeout) {
    return sessions.hold(sessionId, reason, timeout);
  }

  @Override
  public void unhold(String sessionId, String reason) {
    sessions.unhold(sessionId, reason);
  }

  @Override
  public void dropHolds(Set<Integer> partitions) {
    sessions.dropHolds(id -> partitions.contains(member.partitionOf(id)));
  }

  @Override
  public SessionState.Snapshot snapshot(String sessionId) {
    SessionState s = sessions.state(sessionId);
    return s == null ? null : s.snapshot();
  }

  @Override
  public OutboundRecord offsetRecord(OffsetRecord record) {
    return offsets.toOutboundRecord(record);
  }

  @Override
  public Mono<?> send(OutboundRecord record) {
    return sink.send(record);
  }

  @Override
  public Mono<Integer> publish(String sessionId, List<SessionEvent> events, List<Header> extra) {
    // Straight to the publisher, not through the pages' delivery: the signal's step already is in the
    // open transaction (exactly-once), and its poller is held meanwhile.
    return publisher.withHeaders(extra).deliver(sessionId, events).map(r -> r.delivered());
  }

  @Override
  public QoderApi api() {
    return api;
  }

  @Override
  public String filesTarget() {
    OffsetKey k = changeSources.filesKey();
    return k == null ? null : k.asString();
  }

  @Override
  public Mono<String> resyncFiles() {
    return changeSources.rescanFilesNow()
        ? Mono.just("a full scan of the files list runs now (new, changed and deleted files are produced)")
        : Mono.error(new IllegalStateException("the files source does not run here (sources.files.enabled=false,"
            + " or connector.delivery=exactly-once, where it is off)"));
  }
}

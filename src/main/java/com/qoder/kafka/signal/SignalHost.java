package com.qoder.kafka.signal;

import com.qoder.kafka.api.QoderApi;
import com.qoder.kafka.api.SessionEvent;
import com.qoder.kafka.kafka.OutboundRecord;
import com.qoder.kafka.offsets.OffsetRecord;
import com.qoder.kafka.source.SessionState;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.common.header.Header;
import reactor.core.publisher.Mono;

/**
 * What a running connector lends the signals: ownership, the session table's hold hook, the
 * transactional writing of the pages, the event publishing and the API client. Implemented by the
 * runtime; every method may be called from the signals' job thread.
 */
public interface SignalHost {

  /** Whether this instance owns {@code target} (a session id or {@code files/all}) now. */
  boolean owns(String target);

  /** The offsets partition of {@code target}. */
  int partitionOf(String target);

  /**
   * Runs {@code work} on behalf of {@code target}: exactly-once, inside the open transaction (completes
   * when it committed); at-least-once, after an ownership check.
   */
  Mono<Void> inTransaction(String target, Supplier<Mono<?>> work);

  /** Stops polling the session for {@code reason}; completes when its poller stopped. */
  Mono<Void> hold(String sessionId, String reason, Duration timeout);

  /** Lifts {@code reason}; the session is polled again when nothing else holds it. */
  void unhold(String sessionId, String reason);

  /** Forgets every hold of the sessions of these offsets partitions (they moved away). */
  void dropHolds(java.util.Set<Integer> partitions);

  /** The session's progress in this instance's table, or null when it has none. */
  SessionState.Snapshot snapshot(String sessionId);

  /**
   * The Kafka record of {@code record} in this connector's offsets topic (its partition and encoded
   * value); the record itself is made in the offsets package.
   */
  OutboundRecord offsetRecord(OffsetRecord record);

  /** Sends one record through the connector's sink (in the open transaction, exactly-once). */
  Mono<?> send(OutboundRecord record);

  /** Produces events as the pollers do, with {@code extra} headers; completes with the count delivered. */
  Mono<Integer> publish(String sessionId, List<SessionEvent> events, List<Header> extra);

  QoderApi api();

  /** The files position's key ({@code files/<purpose|all>}), or null when the files source is off here. */
  String filesTarget();

  /**
   * Starts a full scan of the files list now (new, changed and deleted files are produced); fails
   * with the reason when the files source does not run on this instance.
   */
  Mono<String> resyncFiles();
}

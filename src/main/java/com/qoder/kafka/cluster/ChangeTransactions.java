package com.qoder.kafka.cluster;

import com.qoder.kafka.offsets.OffsetKey;
import com.qoder.kafka.offsets.OffsetRecord;
import com.qoder.kafka.source.WriteUnit;
import reactor.core.publisher.Mono;

/**
 * Exactly-once writing for the change sources (resources, files, lifecycle): their records and
 * positions go into this instance's transactions ({@link PageTransactions}), checked against
 * ownership and fenced like the events pages — a member that lost the partition of a position can
 * no longer commit it, nor the records that go with it.
 *
 * <p>Thread-safe.
 */
public final class ChangeTransactions {

  private final PageTransactions txns;

  ChangeTransactions(PageTransactions txns) {
    this.txns = txns;
  }

  /**
   * The records of a resources or files step whose position is {@code key}: sent in the open
   * transaction, which cannot commit before {@link #write} of that position.
   */
  public <T> Mono<T> deliver(OffsetKey key, Mono<T> records) {
    return txns.changeDelivery(key, records);
  }

  /**
   * A resources or files position; completes when its transaction committed, fails with a
   * {@link com.qoder.kafka.source.WriteAbortedException} when it was aborted.
   */
  public Mono<Void> write(OffsetRecord record) {
    return txns.changeWrite(record);
  }

  /** Lifecycle steps: records and positions of their sessions in one transaction. */
  public WriteUnit units() {
    return txns::unit;
  }

  /** A lifecycle position, inside a unit of {@link #units()}. */
  public Mono<Void> unitWrite(OffsetRecord record) {
    return txns.unitWrite(record);
  }
}

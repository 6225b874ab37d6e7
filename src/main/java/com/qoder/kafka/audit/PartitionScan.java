package com.qoder.kafka.audit;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

/**
 * Streams one partition from its first retained record up to a fixed end offset, handing on only
 * the records whose key is the given one. Nothing is buffered beyond the consumer's fetch.
 *
 * <p>The end offset is taken before the scan (read_committed: the last stable offset), so a
 * connector that keeps producing while the audit runs does not keep the scan going.
 */
final class PartitionScan {

  /** A record of the key, with its offset. */
  interface Visitor {
    void record(ConsumerRecord<byte[], byte[]> record);
  }

  /** Where a partition starts and ends now. */
  record Bounds(long start, long end) {
    boolean truncated() {
      return start > 0;
    }
  }

  private static final Duration POLL = Duration.ofMillis(200);

  private PartitionScan() {}

  static Bounds bounds(Consumer<byte[], byte[]> consumer, TopicPartition tp, Duration timeout) {
    long start = consumer.beginningOffsets(List.of(tp), timeout).get(tp);
    long end = consumer.endOffsets(List.of(tp), timeout).get(tp);
    return new Bounds(start, end);
  }

  /**
   * Hands every record of {@code key} in {@code tp} below {@code end} to {@code visitor}, in offset
   * order.
   *
   * @throws IllegalStateException when the scan makes no progress for {@code stall}
   */
  static void scan(Consumer<byte[], byte[]> consumer, TopicPartition tp, long end, byte[] key, Duration stall,
      Visitor visitor) {
    consumer.assign(List.of(tp));
    consumer.seekToBeginning(List.of(tp));
    long position = consumer.position(tp, stall);
    long lastProgress = System.nanoTime();
    while (position < end) {
      ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
      for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
        if (r.offset() >= end) {
          break;
        }
        if (key == null || Arrays.equals(key, r.key())) {
          visitor.record(r);
        }
      }
      long now = consumer.position(tp, stall);
      if (now > position) {
        position = now;
        lastProgress = System.nanoTime();
      } else if (System.nanoTime() - lastProgress > stall.toNanos()) {
        throw new IllegalStateException("reading " + tp + " made no progress for " + stall + " at offset " + position
            + " of " + end + "; is the broker reachable? (--timeout sets this wait)");
      }
    }
    consumer.unsubscribe();
  }
}

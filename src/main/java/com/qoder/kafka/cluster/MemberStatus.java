package com.qoder.kafka.cluster;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;

/**
 * The membership as the status page shows it: this member's id and generation, its rebalances, and
 * the group's members as last described. Written by the member thread (and the admin client's
 * callback), read by the status page on any thread: every field is published whole.
 */
final class MemberStatus {

  /** How many session ids a rebalance entry names (the count is always complete). */
  static final int SAMPLE = 8;

  private final AtomicLong rebalances = new AtomicLong();
  private volatile String memberId = "";
  private volatile int generation = -1;
  private volatile Map<String, Object> lastRebalance = Map.of();
  private volatile List<Map<String, Object>> members = List.of();

  /** The consumer's group metadata, read on the member thread after each poll. */
  void groupMetadata(String memberId, int generation) {
    this.memberId = memberId;
    this.generation = generation;
  }

  int generation() {
    return generation;
  }

  void rebalanced(String kind, Set<Integer> partitionIds, int sessionCount, List<String> moved) {
    rebalances.incrementAndGet();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("at", Instant.now().toString());
    m.put("generation", generation);
    m.put("change", kind);
    m.put("partitions", List.copyOf(partitionIds));
    m.put("sessions", sessionCount);
    m.put("sessionsSample", moved.stream().limit(SAMPLE).toList());
    lastRebalance = m;
  }

  /** The group as the admin client described it. */
  void members(Collection<MemberDescription> described) {
    List<Map<String, Object>> list = new ArrayList<>();
    for (MemberDescription m : described) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("memberId", m.consumerId());
      e.put("clientId", m.clientId());
      e.put("host", m.host());
      e.put("partitions", m.assignment().topicPartitions().stream().map(TopicPartition::partition).sorted()
          .toList());
      list.add(e);
    }
    members = List.copyOf(list);
  }

  List<Map<String, Object>> members() {
    return members;
  }

  /**
   * The status page's {@code cluster} section.
   *
   * @param transactions committed and aborted counts (exactly-once), null at-least-once
   */
  Map<String, Object> section(ClusterOptions options, List<Integer> owned, int sessionsPolled, long[] transactions) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("instanceId", options.instanceId());
    c.put("groupId", options.groupId());
    c.put("memberId", memberId);
    c.put("generation", generation);
    c.put("delivery", options.exactlyOnce() ? "exactly-once" : "at-least-once");
    c.put("ownedPartitions", owned);
    c.put("offsetsPartitions", options.offsetsPartitions());
    c.put("sessionsPolled", sessionsPolled);
    c.put("rebalances", rebalances.get());
    c.put("lastRebalance", lastRebalance);
    c.put("members", members);
    if (transactions != null) {
      c.put("transactionsCommitted", transactions[0]);
      c.put("transactionsAborted", transactions[1]);
    }
    return c;
  }
}

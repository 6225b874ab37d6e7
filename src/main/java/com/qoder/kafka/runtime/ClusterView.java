package com.qoder.kafka.runtime;

import com.qoder.kafka.cluster.StatusBoard;
import com.qoder.kafka.ops.StatusSnapshot.InstanceView;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The status page's cluster view: the consumer group's members (who exists, what it owns — the
 * coordinator's word) joined with what each instance published about itself on the status topic
 * (sessions, rate, health). An instance in the group that published nothing yet shows as UNKNOWN; one
 * that published but is no longer in the group (stopped without a tombstone, or dropped) shows its
 * last record, not in the group; one silent for a while shows as STALE.
 */
final class ClusterView {

  private ClusterView() {}

  static List<InstanceView> merge(String selfId, String groupId, Collection<Map<String, Object>> members,
      Collection<StatusBoard.Published> published, Instant now, Duration staleAfter, boolean groupKnown) {
    Map<String, InstanceView> out = new TreeMap<>();
    Map<String, StatusBoard.Published> byId = new TreeMap<>();
    published.forEach(p -> byId.put(p.instanceId(), p));
    String prefix = groupId + "-";
    for (Map<String, Object> m : members) {
      String clientId = String.valueOf(m.get("clientId"));
      String id = clientId.startsWith(prefix) ? clientId.substring(prefix.length()) : clientId;
      List<Integer> partitions = new ArrayList<>();
      if (m.get("partitions") instanceof List<?> l) {
        l.forEach(x -> partitions.add(((Number) x).intValue()));
      }
      StatusBoard.Published p = byId.remove(id);
      String host = p != null && p.host() != null ? p.host() : String.valueOf(m.get("host"));
      out.put(id, view(id, host, id.equals(selfId), true, partitions, p, now, staleAfter));
    }
    for (StatusBoard.Published p : byId.values()) {
      // Not (or not yet) listed by the group: this instance before the first describe, or one gone.
      boolean self = p.instanceId().equals(selfId);
      out.put(p.instanceId(), view(p.instanceId(), p.host(), self, self || !groupKnown, p.partitions(), p, now,
          staleAfter));
    }
    return List.copyOf(out.values());
  }

  private static InstanceView view(String id, String host, boolean self, boolean inGroup, List<Integer> partitions,
      StatusBoard.Published p, Instant now, Duration staleAfter) {
    if (p == null) {
      return new InstanceView(id, host, self, inGroup, partitions, -1, Double.NaN, "UNKNOWN",
          "no status published yet", null);
    }
    boolean stale = !self && p.at().plus(staleAfter).isBefore(now);
    String health = stale ? "STALE" : p.health();
    String detail = stale ? "no status for " + Duration.between(p.at(), now).toSeconds() + " s"
        : !inGroup ? "not a member of the group" : p.detail();
    return new InstanceView(id, host, self, inGroup, partitions, p.sessions(), p.eventsPerSecond(),
        !inGroup && !stale ? "LEFT" : health, detail, p.at());
  }
}

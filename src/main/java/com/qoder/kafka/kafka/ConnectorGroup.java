package com.qoder.kafka.kafka;

import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;

/**
 * The Kafka consumer group that a connector's instances form, as the broker describes it now.
 *
 * @param groupId the group id ({@code ConnectorConfig.groupId()})
 * @param state the broker's group state ({@code STABLE}, {@code EMPTY}, {@code DEAD} for a group
 *     that does not exist, ...)
 * @param members the instances in the group, with the partitions each is assigned
 */
public record ConnectorGroup(String groupId, String state, List<Member> members) {

  public ConnectorGroup {
    Objects.requireNonNull(groupId, "groupId");
    Objects.requireNonNull(state, "state");
    members = List.copyOf(members);
  }

  /** A group nobody has joined (or that expired). */
  static ConnectorGroup absent(String groupId) {
    return new ConnectorGroup(groupId, "DEAD", List.of());
  }

  public boolean hasMembers() {
    return !members.isEmpty();
  }

  /**
   * One member: an instance of the connector.
   *
   * @param memberId the broker-assigned member id
   * @param clientId the client id the instance set
   * @param host where the broker sees it connect from ({@code /10.0.0.7})
   * @param assignment the partitions assigned to it, sorted by topic and partition
   */
  public record Member(String memberId, String clientId, String host, List<TopicPartition> assignment) {

    public Member {
      assignment = List.copyOf(assignment);
    }

    /** {@code client-id@host}, for messages. */
    public String describe() {
      return clientId + "@" + host;
    }

    /** The assigned partitions as {@code topic[0,3,5]}, per topic. */
    public String assignmentText() {
      if (assignment.isEmpty()) {
        return "no partitions";
      }
      return assignment.stream().collect(Collectors.groupingBy(TopicPartition::topic,
              TreeMap::new, Collectors.mapping(tp -> Integer.toString(tp.partition()), Collectors.joining(","))))
          .entrySet().stream().map(e -> e.getKey() + "[" + e.getValue() + "]").collect(Collectors.joining(" "));
    }
  }
}

package com.qoder.kafka.cluster;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.common.Configurable;

/**
 * Kafka's {@link CooperativeStickyAssignor}, plus a signal when this member (re)joins its group.
 *
 * <p>The consumer builds its subscription for every JoinGroup request; between that moment and the
 * end of the rebalance ({@code onPartitionsAssigned}) the member's {@code groupMetadata()} still
 * names the old generation while the coordinator may already be on the next one, so a transaction
 * committed then would be refused (ILLEGAL_GENERATION) and its pages redone. The member holds its
 * commits during that window, like Kafka Streams does. Same assignment, same protocol name, so it
 * mixes with plain cooperative-sticky members.
 */
public final class RebalanceAwareAssignor extends CooperativeStickyAssignor implements Configurable {

  /** Consumer config entry holding the {@link Runnable} to call on every join (an object, not text). */
  static final String ON_JOIN_CONFIG = "qoder.kafka.on-join";

  private Runnable onJoin = () -> { };

  @Override
  public void configure(Map<String, ?> configs) {
    if (configs.get(ON_JOIN_CONFIG) instanceof Runnable r) {
      onJoin = r;
    }
  }

  @Override
  public ByteBuffer subscriptionUserData(Set<String> topics) {
    onJoin.run();
    return super.subscriptionUserData(topics);
  }
}

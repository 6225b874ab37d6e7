package com.qoder.kafka.cluster;

import com.qoder.kafka.Await;
import com.qoder.kafka.config.ConfigLoader;
import com.qoder.kafka.config.ConnectorConfig;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.EmbeddedKafka;
import com.qoder.kafka.kafka.KafkaTestSupport;
import com.qoder.kafka.sim.QoderSimulator;
import com.qoder.kafka.sim.RequestRecord;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;

/** Shared pieces of the scale-out tests: a tuned broker, instance settings, group views. */
final class ClusterTestSupport {

  private static final Pattern INSTANCE = Pattern.compile("\\(instance ([^)]+)\\)");

  private ClusterTestSupport() {}

  /**
   * The broker of the cluster tests: the test JVM's shared one, which is tuned so failures are
   * detected in seconds (sessions down to 1 s allowed, timed-out transactions aborted within a
   * second of their timeout). Every test names its own group and topics.
   */
  static EmbeddedKafka broker() {
    return KafkaTestSupport.sharedBroker();
  }

  static String uniqueName(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Settings every test instance shares: fast polling, short session timeout, no ops server. */
  static Map<String, String> settings(QoderSimulator sim, EmbeddedKafka kafka, String name, boolean exactlyOnce) {
    Map<String, String> o = new LinkedHashMap<>();
    o.put(Settings.QODER_BASE_URL.key(), sim.baseUrl());
    o.put(Settings.KAFKA_BOOTSTRAP.key(), kafka.bootstrapServers());
    o.put(Settings.REGISTRY_URL.key(), "mock://" + name);
    o.put(Settings.REGISTRY_ALLOW_IN_PROCESS.key(), "true"); // each instance JVM has its own, identical ids
    o.put(Settings.CONNECTOR_NAME.key(), name);
    o.put(Settings.DELIVERY.key(), exactlyOnce ? "exactly-once" : "at-least-once");
    o.put(Settings.TOPIC_EVENTS.key(), name + ".events");
    o.put(Settings.TOPIC_ERRORS.key(), name + ".errors");
    o.put(Settings.TOPIC_DEAD_LETTER.key(), name + ".dlq");
    o.put(Settings.TOPIC_PARTITIONS.key(), "6");
    o.put(Settings.OFFSETS_PARTITIONS.key(), "12");
    o.put(Settings.POLL_MIN.key(), "250ms");
    o.put(Settings.POLL_MAX.key(), "1s");
    o.put(Settings.DISCOVERY_INTERVAL.key(), "3s");
    o.put(Settings.QODER_RATE.key(), "2000");
    o.put(Settings.QODER_CONCURRENCY.key(), "32");
    o.put(Settings.QODER_BACKOFF_MAX.key(), "1s");
    o.put(Settings.CLUSTER_SESSION_TIMEOUT.key(), "4s");
    o.put(Settings.TRANSACTION_TIMEOUT.key(), "8s");
    o.put(Settings.SHUTDOWN_TIMEOUT.key(), "15s");
    o.put(Settings.OPS_ENABLED.key(), "false");
    return o;
  }

  static ConnectorConfig config(Map<String, String> settings, QoderSimulator sim, String instanceId) {
    Map<String, String> o = new HashMap<>(settings);
    o.put(Settings.CLUSTER_INSTANCE_ID.key(), instanceId);
    return ConfigLoader.load(null, Map.of("QODER_PAT", sim.token()), o);
  }

  /** The instance a request came from, from the User-Agent the connector sends; null if none. */
  static String instanceOf(RequestRecord r) {
    if (r.userAgent() == null) {
      return null;
    }
    Matcher m = INSTANCE.matcher(r.userAgent());
    return m.find() ? m.group(1) : null;
  }

  /** Instance id → offsets partitions it holds, as the group coordinator sees it now. */
  static Map<String, Set<Integer>> assignment(Admin admin, String groupId, String instancePrefixOf) {
    try {
      ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(groupId)).describedGroups().get(groupId)
          .get(10, TimeUnit.SECONDS);
      Map<String, Set<Integer>> out = new LinkedHashMap<>();
      for (MemberDescription m : d.members()) {
        String instance = m.clientId().startsWith(instancePrefixOf + "-")
            ? m.clientId().substring(instancePrefixOf.length() + 1) : m.clientId();
        Set<Integer> ps = new TreeSet<>();
        m.assignment().topicPartitions().stream().map(TopicPartition::partition).forEach(ps::add);
        out.merge(instance, ps, (a, b) -> {
          Set<Integer> all = new TreeSet<>(a);
          all.addAll(b);
          return all;
        });
      }
      return out;
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof org.apache.kafka.common.errors.GroupIdNotFoundException) {
        return Map.of(); // nobody joined yet
      }
      throw new IllegalStateException("cannot describe group " + groupId, e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot describe group " + groupId, e);
    }
  }

  /** How many members the group has now (a killed one counts until its session times out). */
  static int memberCount(Admin admin, String groupId) {
    try {
      return admin.describeConsumerGroups(List.of(groupId)).describedGroups().get(groupId)
          .get(10, TimeUnit.SECONDS).members().size();
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof org.apache.kafka.common.errors.GroupIdNotFoundException) {
        return 0;
      }
      throw new IllegalStateException("cannot describe group " + groupId, e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot describe group " + groupId, e);
    }
  }

  static Admin admin(EmbeddedKafka kafka) {
    return KafkaTestSupport.admin(kafka.bootstrapServers());
  }

  static void await(Duration deadline, String what, java.util.function.BooleanSupplier condition) {
    KafkaTestSupport.await(deadline, what, condition);
  }

  /** Like {@link #await} but checks every {@code every} (for conditions that are costly to evaluate). */
  static void awaitEvery(Duration every, Duration deadline, java.util.function.Supplier<String> what,
      java.util.function.BooleanSupplier condition) {
    Await.until(deadline, every, what, condition);
  }
}

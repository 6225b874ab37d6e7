package com.qoder.kafka.runtime;

import com.qoder.kafka.api.Page;
import com.qoder.kafka.api.QoderApiClient;
import com.qoder.kafka.api.QoderApiException;
import com.qoder.kafka.api.SessionIds;
import com.qoder.kafka.config.ConfigException;
import com.qoder.kafka.config.ConnectorConfig;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.ConnectorGroup;
import com.qoder.kafka.kafka.KafkaSink;
import com.qoder.kafka.kafka.KafkaSinkOptions;
import com.qoder.kafka.kafka.TopicAdmin;
import com.qoder.kafka.offsets.OffsetKey;
import com.qoder.kafka.offsets.OffsetRecord;
import com.qoder.kafka.offsets.OffsetSource;
import com.qoder.kafka.offsets.OffsetStore;
import com.qoder.kafka.offsets.SessionOffsetRecords;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import reactor.core.publisher.Flux;

/**
 * Reads and rewrites a connector's offsets topic for the {@code offsets} admin commands.
 *
 * <p>Rewrites ({@link #reset}, {@link #delete}) refuse while the connector's consumer group
 * ({@link ConnectorConfig#groupId()}) has members: a running instance keeps its positions in
 * memory and would overwrite the new ones with its next offset write. The check runs once before
 * anything is computed and again just before writing; an instance that starts in between is not
 * detected, so stop the deployment (scale to zero) for the duration of the command.
 *
 * <p>Blocking: every method waits for Kafka (and, for resets to {@code latest} or to an event, for
 * the Qoder API). Call from a command-line thread. Not thread-safe.
 */
public final class OffsetsAdmin implements AutoCloseable {

  /** Bound of each wait on the API or Kafka, so a command never hangs. */
  static final Duration WAIT = Duration.ofSeconds(120);

  private final ConnectorConfig config;
  private final TopicAdmin admin;
  private final KafkaSink sink;
  private final OffsetStore store;
  private QoderApiClient api;

  private OffsetsAdmin(ConnectorConfig config, TopicAdmin admin, KafkaSink sink, OffsetStore store) {
    this.config = config;
    this.admin = admin;
    this.sink = sink;
    this.store = store;
  }

  /**
   * Connects to the cluster of {@code config}.
   *
   * @throws OffsetsAdminException when the offsets topic does not exist
   */
  public static OffsetsAdmin open(ConnectorConfig config) {
    return open(config, Duration.ofSeconds(30));
  }

  /**
   * Connects to the cluster of {@code config}, waiting at most {@code kafkaTimeout} for each Kafka
   * call (an unreachable cluster fails after that long, naming the bootstrap servers).
   */
  public static OffsetsAdmin open(ConnectorConfig config, Duration kafkaTimeout) {
    String bootstrap = config.string(Settings.KAFKA_BOOTSTRAP);
    TopicAdmin admin = TopicAdmin.create(bootstrap, ClientOptions.kafka(config), kafkaTimeout);
    try {
      int partitions = admin.partitionCount(config.offsetsTopic()).orElseThrow(() -> new OffsetsAdminException(
          "offsets topic '" + config.offsetsTopic() + "' does not exist on " + bootstrap + "; has connector '"
              + config.connectorName() + "' run against this cluster? (check connector.name and kafka.topics.offsets)"));
      KafkaSink sink = KafkaSink.create(KafkaSinkOptions.defaults(bootstrap)
          .withClientId(config.connectorName() + "-offsets-admin")
          .withClientProperties(ClientOptions.kafka(config))
          .withMaxBlock(kafkaTimeout));
      return new OffsetsAdmin(config, admin, sink, OffsetStore.create(config.offsetsTopic(), partitions, sink, WAIT));
    } catch (RuntimeException e) {
      admin.close();
      throw e;
    }
  }

  public String topic() {
    return store.topic();
  }

  /** The offsets partition of {@code key}. */
  public int partitionFor(OffsetKey key) {
    return store.partitionFor(key);
  }

  /** The connector's consumer group as the broker sees it now. */
  public ConnectorGroup group() {
    return admin.describeGroup(config.groupId());
  }

  /** Every stored position, sorted by key. */
  public List<OffsetRecord> list() {
    return store.restore().values().stream()
        .sorted(Comparator.comparing((OffsetRecord r) -> r.key().asString())).toList();
  }

  /** The stored position of a session (either id spelling) or of a key ({@code events/sess_…}). */
  public Optional<OffsetRecord> find(String sessionIdOrKey) {
    return Optional.ofNullable(store.restore().get(keyFor(sessionIdOrKey)));
  }

  /**
   * The key a user means: {@code <source>/<entity>} as is, anything else is a session id whose
   * events position is meant.
   */
  public static OffsetKey keyFor(String sessionIdOrKey) {
    String s = Objects.requireNonNull(sessionIdOrKey, "sessionIdOrKey").trim();
    if (s.contains("/")) {
      return OffsetKey.parse(s);
    }
    return OffsetKey.events(SessionIds.canonical(s));
  }

  /**
   * Moves the events position of sessions: the given ones, or every stored one when {@code
   * sessionIds} is empty and {@code all} is set. With {@code dryRun} nothing is written (the
   * positions are still looked up, so a dry run also checks that sessions and events exist).
   *
   * @return one outcome per session, in key order
   * @throws InstancesRunningException while the connector's group has members
   * @throws OffsetsAdminException when a session or event does not exist, or the API is unreachable
   */
  public List<ResetOutcome> reset(List<String> sessionIds, boolean all, ResetTarget target, boolean dryRun) {
    Objects.requireNonNull(target, "target");
    if (all == !sessionIds.isEmpty()) {
      throw new IllegalArgumentException("name sessions or --all, not both and not neither");
    }
    if (all && target instanceof ResetTarget.ToEvent) {
      throw new IllegalArgumentException("an event id belongs to one session; name the session instead of --all");
    }
    requireStopped();
    Map<OffsetKey, OffsetRecord> stored = store.restore();
    Map<OffsetKey, OffsetRecord> current = new LinkedHashMap<>();
    if (all) {
      stored.entrySet().stream().filter(e -> e.getKey().source() == OffsetSource.EVENTS)
          .sorted(Comparator.comparing(e -> e.getKey().asString()))
          .forEach(e -> current.put(e.getKey(), e.getValue()));
    } else {
      for (String id : sessionIds) {
        OffsetKey key = keyFor(id);
        if (key.source() != OffsetSource.EVENTS) {
          throw new IllegalArgumentException("offsets reset moves a session's events position; '" + id
              + "' names " + key.source().id() + " (use offsets delete for other keys)");
        }
        current.put(key, stored.get(key));
      }
    }
    Instant now = Instant.now();
    List<ResetOutcome> outcomes = new ArrayList<>();
    List<OffsetRecord> writes = new ArrayList<>();
    for (Map.Entry<OffsetKey, OffsetRecord> e : current.entrySet()) {
      OffsetRecord before = e.getValue();
      String oldCursor = before == null ? null : before.cursor();
      String cursor = cursorFor(e.getKey().sessionId(), oldCursor, target);
      writes.add(SessionOffsetRecords.reset(e.getKey(), before, cursor, now));
      outcomes.add(new ResetOutcome(e.getKey(), before != null, oldCursor, cursor));
    }
    if (dryRun) {
      return outcomes;
    }
    requireStopped(); // looking up positions may have taken a while
    Flux.fromIterable(writes).concatMap(store::write).then().block(WAIT);
    return outcomes;
  }

  /**
   * Deletes a key with a tombstone: the entity is treated as never seen
   * ({@code sessions.start-position} applies again). The way out of an unreadable record.
   */
  public void delete(OffsetKey key) {
    requireStopped();
    store.delete(key).block(WAIT);
  }

  /** @throws InstancesRunningException when the connector's group has members */
  public void requireStopped() {
    ConnectorGroup g = group();
    if (g.hasMembers()) {
      throw new InstancesRunningException(g, config.connectorName());
    }
  }

  private String cursorFor(String sessionId, String oldCursor, ResetTarget target) {
    if (target instanceof ResetTarget.Earliest) {
      return null;
    }
    try {
      if (target instanceof ResetTarget.ToEvent to) {
        // A cursor the API rejects would make the connector fall back to re-reading the whole session.
        api().eventsAfter(sessionId, to.eventId(), 1).block(WAIT);
        return to.eventId();
      }
      // Latest: walk forward from the stored cursor (not from the start) to the last event.
      return api().events(sessionId, oldCursor, 100)
          .mapNotNull(Page::lastId)
          .last(oldCursor == null ? "" : oldCursor)
          .map(id -> id.isEmpty() ? null : id)
          .block(WAIT);
    } catch (QoderApiException.NotFound e) {
      if (!e.isSessionGone()) { // not the API's "session not found": the URL is wrong, the message says which
        throw new OffsetsAdminException("could not read session " + sessionId + ": " + e.getMessage(), e);
      }
      throw new OffsetsAdminException("session " + sessionId + " does not exist in the Qoder API ("
          + e.getMessage() + "); check the session id and qoder.organization-id", e);
    } catch (QoderApiException.InvalidRequest e) {
      String event = target instanceof ResetTarget.ToEvent to ? to.eventId() : oldCursor;
      throw new OffsetsAdminException("the Qoder API does not accept event '" + event + "' as a position in session "
          + sessionId + " (" + e.getMessage() + "); is it an event id of this session?", e);
    } catch (QoderApiException e) {
      throw new OffsetsAdminException("could not read session " + sessionId + " from the Qoder API: "
          + e.getMessage(), e);
    }
  }

  private QoderApiClient api() {
    if (api == null) {
      if (config.secret(Settings.QODER_TOKEN) == null) {
        throw new ConfigException(List.of("resetting to latest or to an event reads the session from the Qoder API:"
            + " set QODER_PAT, qoder.token-file or qoder.token"));
      }
      api = QoderApiClient.create(ClientOptions.api(config));
    }
    return api;
  }

  @Override
  public void close() {
    if (api != null) {
      api.close();
    }
    sink.close();
    admin.close();
  }

  /** Where {@link #reset} moves a session. */
  public sealed interface ResetTarget {

    /** Before the first event: the whole history is produced again, whatever the start position says. */
    record Earliest() implements ResetTarget {}

    /** After the newest event now in the API: only events that come later are produced. */
    record Latest() implements ResetTarget {}

    /** After {@code eventId}: the events after it are produced again. */
    record ToEvent(String eventId) implements ResetTarget {
      public ToEvent {
        if (eventId == null || eventId.isBlank()) {
          throw new IllegalArgumentException("event id is empty");
        }
      }
    }

    /** {@code earliest}, {@code latest}, or an event id. */
    static ResetTarget parse(String text) {
      return switch (text.trim()) {
        case "earliest" -> new Earliest();
        case "latest" -> new Latest();
        default -> new ToEvent(text.trim());
      };
    }
  }

  /** Parses {@code --to}: {@code earliest}, {@code latest}, or an event id. */
  public static ResetTarget target(String text) {
    return ResetTarget.parse(Objects.requireNonNull(text, "text"));
  }

  /**
   * What a reset did to one session.
   *
   * @param existed whether a position was stored before
   * @param before the cursor before (null: none or at the start)
   * @param after the cursor now (null: before the first event)
   */
  public record ResetOutcome(OffsetKey key, boolean existed, String before, String after) {}

  /** A command on the offsets topic cannot be done; the message says why and what to do. */
  public static class OffsetsAdminException extends RuntimeException {
    public OffsetsAdminException(String message) {
      super(message);
    }

    public OffsetsAdminException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Offsets cannot be rewritten while instances of the connector run. */
  public static final class InstancesRunningException extends OffsetsAdminException {
    private final transient ConnectorGroup group;

    InstancesRunningException(ConnectorGroup group, String connectorName) {
      super(group.members().size() + " instance(s) of connector '" + connectorName + "' are running (consumer group '"
          + group.groupId() + "': " + group.members().stream().map(ConnectorGroup.Member::describe)
              .collect(Collectors.joining(", ")) + "); a running instance would overwrite the new offsets. "
          + "Stop them first (e.g. kubectl scale deployment/qoder-kafka --replicas=0), then run this command again.");
      this.group = group;
    }

    public ConnectorGroup group() {
      return group;
    }
  }
}

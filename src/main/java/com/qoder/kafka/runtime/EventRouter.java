package com.qoder.kafka.runtime;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which topics an event type goes to: every event to the events topic (so one partition holds a
 * session's complete, ordered history), plus the extra routes of {@code kafka.routing.*} — by
 * default {@code session.error} to the alerts topic.
 *
 * <p>Immutable and thread-safe; route lists are computed once per type and cached.
 */
final class EventRouter {

  private final String eventsTopic;
  private final Map<String, List<String>> extra;
  private static final int MAX_CACHED_TYPES = 1000;
  private final Map<String, List<String>> cache = new ConcurrentHashMap<>();

  EventRouter(String eventsTopic, Map<String, List<String>> extraRoutes) {
    this.eventsTopic = eventsTopic;
    this.extra = new HashMap<>(extraRoutes);
  }

  List<String> topics(String type) {
    String t = type == null ? "" : type;
    List<String> cached = cache.get(t);
    if (cached != null) {
      return cached;
    }
    List<String> topics = new ArrayList<>();
    topics.add(eventsTopic);
    for (String x : extra.getOrDefault(t, List.of())) {
      if (!topics.contains(x)) {
        topics.add(x);
      }
    }
    List<String> computed = List.copyOf(topics);
    if (cache.size() < MAX_CACHED_TYPES) { // types are an open set: never let a flood of new ones grow the heap
      cache.put(t, computed);
    }
    return computed;
  }

  /** Every topic any event can reach (for start-up topic checks and schema registration). */
  List<String> allTopics() {
    List<String> all = new ArrayList<>();
    all.add(eventsTopic);
    extra.values().forEach(l -> l.stream().filter(x -> !all.contains(x)).forEach(all::add));
    return all;
  }
}

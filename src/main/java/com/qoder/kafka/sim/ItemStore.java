package com.qoder.kafka.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Items of one list endpoint (files, agents, a session's resources) in creation order, with an id
 * index so that a cursor costs O(1). A deleted item leaves a null hole, so indexes never move and
 * a cursor naming it is unknown (the documents' "deleted resources" case).
 *
 * <p>Thread-safe: every method synchronizes on the store.
 */
final class ItemStore<T> {

  /** One walk over the store: items in walk order and whether more remain beyond them. */
  record Slice<T>(List<T> items, boolean hasMore) {}

  private final Function<T, String> idOf;
  private final ArrayList<T> items = new ArrayList<>();
  private final Map<String, Integer> index = new HashMap<>();
  private int live;

  ItemStore(Function<T, String> idOf) {
    this.idOf = idOf;
  }

  synchronized void add(T item) {
    index.put(idOf.apply(item), items.size());
    items.add(item);
    live++;
  }

  /** Replaces the item with the same id; returns false when there is none. */
  synchronized boolean replace(T item) {
    Integer i = index.get(idOf.apply(item));
    if (i == null) {
      return false;
    }
    items.set(i, item);
    return true;
  }

  synchronized boolean delete(String id) {
    Integer i = index.remove(id);
    if (i == null) {
      return false;
    }
    items.set(i, null);
    live--;
    return true;
  }

  synchronized T get(String id) {
    Integer i = index.get(id);
    return i == null ? null : items.get(i);
  }

  /** Index of a live item, or -1. */
  synchronized int indexOf(String id) {
    Integer i = index.get(id);
    return i == null ? -1 : i;
  }

  synchronized int size() {
    return live;
  }

  /** Live items in creation order (a copy). */
  synchronized List<T> all() {
    List<T> out = new ArrayList<>(live);
    for (T t : items) {
      if (t != null) {
        out.add(t);
      }
    }
    return out;
  }

  /**
   * Walks from index {@code from} in direction {@code step} (+1 or -1), keeping up to {@code
   * limit} live items that pass {@code filter}; {@code hasMore} says whether one more exists
   * beyond them in the same direction.
   */
  synchronized Slice<T> walk(int from, int step, int limit, Predicate<T> filter) {
    List<T> out = new ArrayList<>(Math.min(limit, 128));
    int i = from;
    for (; i >= 0 && i < items.size() && out.size() < limit; i += step) {
      T t = items.get(i);
      if (t != null && filter.test(t)) {
        out.add(t);
      }
    }
    for (; i >= 0 && i < items.size(); i += step) {
      T t = items.get(i);
      if (t != null && filter.test(t)) {
        return new Slice<>(out, true);
      }
    }
    return new Slice<>(out, false);
  }

  /** Start index for walking from the newest ({@code step} -1) or oldest end. */
  synchronized int end(int step) {
    return step > 0 ? 0 : items.size() - 1;
  }

  static <T> Slice<T> reversed(Slice<T> s) {
    List<T> copy = new ArrayList<>(s.items());
    Collections.reverse(copy);
    return new Slice<>(copy, s.hasMore());
  }
}

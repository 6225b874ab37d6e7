package com.qoder.kafka.sim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The events of one session in creation order, stored column-wise so that a million events cost a
 * few tens of megabytes: ids and turn ids as pairs of longs, timestamps as epoch nanoseconds, the
 * kind as a byte. Content is not stored; it is derived from the session seed and the index when a
 * page is rendered (see {@link EventRenderer}), so the same page always has the same bytes.
 *
 * <p>Lookup by id is an open-addressing table of indexes keyed by a hash of the 128-bit id; a
 * probe compares the full id, so a cursor costs O(1) whatever the session's size. Deleted events
 * stay in place as tombstones (the ground truth keeps them; pages skip them; a cursor naming one
 * is unknown).
 *
 * <p>Not thread-safe: the owning {@link SimSession} guards it.
 */
final class EventLog {

  /** Optional per-event data beyond the generated shape. */
  record Extra(String customType, ObjectNode fields, int contentBytes) {}

  private long[] idHi = new long[16];
  private long[] idLo = new long[16];
  private long[] created = new long[16];
  private int[] turn = new int[16];
  private byte[] kind = new byte[16];
  private boolean[] deleted = new boolean[16];
  private int size;
  private int deletedCount;

  private long[] turnHi = new long[4];
  private long[] turnLo = new long[4];
  private int turns;

  private final Map<Integer, Extra> extras = new HashMap<>();

  /** Slots hold index + 1; 0 is empty. Length is a power of two, at most half full. */
  private int[] table = new int[32];

  int size() {
    return size;
  }

  int liveCount() {
    return size - deletedCount;
  }

  int turnCount() {
    return turns;
  }

  int newTurn(long hi, long lo) {
    if (turns == turnHi.length) {
      turnHi = Arrays.copyOf(turnHi, turns * 2);
      turnLo = Arrays.copyOf(turnLo, turns * 2);
    }
    turnHi[turns] = hi;
    turnLo[turns] = lo;
    return turns++;
  }

  long turnHi(int t) {
    return turnHi[t];
  }

  long turnLo(int t) {
    return turnLo[t];
  }

  boolean contains(long hi, long lo) {
    return find(hi, lo) >= 0;
  }

  /** Appends an event and returns its index. The caller guarantees the id is new. */
  int append(long hi, long lo, long createdNanos, int turnIndex, EventKind k, Extra extra) {
    if (size == idHi.length) {
      int n = size * 2;
      idHi = Arrays.copyOf(idHi, n);
      idLo = Arrays.copyOf(idLo, n);
      created = Arrays.copyOf(created, n);
      turn = Arrays.copyOf(turn, n);
      kind = Arrays.copyOf(kind, n);
      deleted = Arrays.copyOf(deleted, n);
    }
    int i = size++;
    idHi[i] = hi;
    idLo[i] = lo;
    created[i] = createdNanos;
    turn[i] = turnIndex;
    kind[i] = (byte) k.ordinal();
    if (extra != null) {
      extras.put(i, extra);
    }
    if (size * 2 > table.length) {
      rehash(table.length * 2); // inserts every index, i included
    } else {
      insert(i);
    }
    return i;
  }

  /** Index of the live event with this id, or -1 (unknown or deleted). */
  int indexOf(long hi, long lo) {
    int i = find(hi, lo);
    return i >= 0 && !deleted[i] ? i : -1;
  }

  /** Marks an event deleted; returns false when it is unknown or already deleted. */
  boolean delete(long hi, long lo) {
    int i = indexOf(hi, lo);
    if (i < 0) {
      return false;
    }
    deleted[i] = true;
    deletedCount++;
    return true;
  }

  boolean isDeleted(int i) {
    return deleted[i];
  }

  long idHi(int i) {
    return idHi[i];
  }

  long idLo(int i) {
    return idLo[i];
  }

  long created(int i) {
    return created[i];
  }

  long lastCreated() {
    return size == 0 ? Long.MIN_VALUE : created[size - 1];
  }

  int turn(int i) {
    return turn[i];
  }

  EventKind kind(int i) {
    return EventKind.of(kind[i]);
  }

  Extra extra(int i) {
    return extras.get(i);
  }

  String id(int i) {
    return Ids.hex32("evt_", idHi[i], idLo[i]);
  }

  private int find(long hi, long lo) {
    int mask = table.length - 1;
    for (int s = slot(hi, lo, mask); ; s = (s + 1) & mask) {
      int v = table[s];
      if (v == 0) {
        return -1;
      }
      int i = v - 1;
      if (idHi[i] == hi && idLo[i] == lo) {
        return i;
      }
    }
  }

  private void insert(int i) {
    int mask = table.length - 1;
    int s = slot(idHi[i], idLo[i], mask);
    while (table[s] != 0) {
      s = (s + 1) & mask;
    }
    table[s] = i + 1;
  }

  private void rehash(int capacity) {
    table = new int[capacity];
    for (int i = 0; i < size; i++) {
      insert(i);
    }
  }

  private static int slot(long hi, long lo, int mask) {
    return (int) Ids.mix64(hi ^ Long.rotateLeft(lo, 29)) & mask;
  }
}

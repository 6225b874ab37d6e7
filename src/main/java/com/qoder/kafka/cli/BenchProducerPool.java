package com.qoder.kafka.cli;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * The bench's reading of the free batch buffers a {@link KafkaProducer} keeps in its pool: after a
 * heavy run it holds up to {@code buffer.memory} of {@code batch.size} arrays for reuse, whatever
 * the number of sessions. Heap per session is measured without them; how many there are depends on
 * the peak of batches in progress, which varies from run to run by megabytes.
 *
 * <p>Kafka exposes no metric for it, so this reads the client's internals by reflection
 * ({@code KafkaProducer.accumulator → RecordAccumulator.free → BufferPool}). A measuring tool of the
 * bench only; product code never does this. Returns -1 when the client's layout changed.
 */
final class BenchProducerPool {

  private BenchProducerPool() {}

  static long pooledFreeBytes(Object sink) {
    try {
      Object producer = find(sink, KafkaProducer.class, 3);
      if (producer == null) {
        return -1;
      }
      Object accumulator = field(producer, "accumulator");
      Object pool = field(accumulator, "free");
      Method freeSize = pool.getClass().getDeclaredMethod("freeSize");
      freeSize.setAccessible(true);
      Method poolableSize = pool.getClass().getDeclaredMethod("poolableSize");
      return (long) (int) freeSize.invoke(pool) * (int) poolableSize.invoke(pool);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return -1;
    }
  }

  private static Object field(Object o, String name) throws ReflectiveOperationException {
    Field f = o.getClass().getDeclaredField(name);
    f.setAccessible(true);
    return f.get(o);
  }

  /** The first object of {@code type} reachable through at most {@code depth} fields of the connector's own classes. */
  private static Object find(Object root, Class<?> type, int depth) throws IllegalAccessException {
    Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Deque<Object[]> todo = new ArrayDeque<>();
    todo.add(new Object[] {root, 0});
    while (!todo.isEmpty()) {
      Object[] next = todo.poll();
      Object o = next[0];
      int d = (int) next[1];
      if (o == null || !seen.add(o)) {
        continue;
      }
      if (type.isInstance(o)) {
        return o;
      }
      if (d == depth || !o.getClass().getName().startsWith("com.qoder.kafka.")) {
        continue;
      }
      for (Class<?> c = o.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
        for (Field f : c.getDeclaredFields()) {
          if (!f.getType().isPrimitive() && !java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
            f.setAccessible(true);
            todo.add(new Object[] {f.get(o), d + 1});
          }
        }
      }
    }
    return null;
  }
}

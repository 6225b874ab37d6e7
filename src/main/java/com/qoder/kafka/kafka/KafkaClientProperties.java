package com.qoder.kafka.kafka;

import com.qoder.kafka.config.Secret;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Client properties passed through unchanged to every Kafka client the connector creates
 * (producer, admin, consumer): {@code security.protocol}, {@code sasl.*}, {@code ssl.*} and any
 * other setting the connector does not model itself.
 *
 * <p>Values are strings or {@link Secret}s. {@link #toString()} masks secrets and any value whose
 * key looks sensitive ({@code password}, {@code jaas}, {@code secret}, {@code token},
 * {@code credentials}, {@code key} other than {@code key.serializer}…) so the properties can be
 * logged safely. {@link #toClientConfig()} reveals them, for the client constructors only.
 */
public final class KafkaClientProperties {

  private static final KafkaClientProperties EMPTY = new KafkaClientProperties(Map.of());

  private final Map<String, Object> values;

  private KafkaClientProperties(Map<String, Object> values) {
    this.values = values;
  }

  public static KafkaClientProperties empty() {
    return EMPTY;
  }

  /** Plain string properties; values of sensitive-looking keys are still masked in {@link #toString()}. */
  public static KafkaClientProperties of(Map<String, String> properties) {
    KafkaClientProperties p = EMPTY;
    for (Map.Entry<String, String> e : new TreeMap<>(properties).entrySet()) {
      p = p.with(e.getKey(), e.getValue());
    }
    return p;
  }

  public KafkaClientProperties with(String key, String value) {
    return put(key, Objects.requireNonNull(value, () -> "value of " + key));
  }

  public KafkaClientProperties withSecret(String key, Secret value) {
    return put(key, Objects.requireNonNull(value, () -> "value of " + key));
  }

  private KafkaClientProperties put(String key, Object value) {
    Objects.requireNonNull(key, "key");
    if (key.isBlank()) {
      throw new IllegalArgumentException("a Kafka client property key must not be blank");
    }
    Map<String, Object> copy = new LinkedHashMap<>(values);
    copy.put(key, value);
    return new KafkaClientProperties(Collections.unmodifiableMap(copy));
  }

  public boolean containsKey(String key) {
    return values.containsKey(key);
  }

  public java.util.Set<String> keys() {
    return values.keySet();
  }

  public boolean isEmpty() {
    return values.isEmpty();
  }

  /** The properties with secrets revealed, to hand to a Kafka client constructor. */
  public Map<String, Object> toClientConfig() {
    Map<String, Object> out = new LinkedHashMap<>();
    values.forEach((k, v) -> out.put(k, v instanceof Secret s ? s.reveal() : v));
    return out;
  }

  static boolean looksSensitive(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    if (k.endsWith(".serializer") || k.endsWith(".deserializer")) {
      return false;
    }
    return k.contains("password") || k.contains("jaas") || k.contains("secret") || k.contains("token")
        || k.contains("credential") || k.endsWith(".key") || k.contains(".key.") || k.contains("keystore.key");
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("{");
    values.forEach((k, v) -> {
      if (b.length() > 1) {
        b.append(", ");
      }
      b.append(k).append('=').append(v instanceof Secret || looksSensitive(k) ? Secret.MASK : v);
    });
    return b.append('}').toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KafkaClientProperties p && p.values.equals(values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }
}

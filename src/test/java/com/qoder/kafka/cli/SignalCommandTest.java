package com.qoder.kafka.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.qoder.kafka.IntegrationTest;
import com.qoder.kafka.kafka.KafkaTestSupport;
import com.qoder.kafka.signal.Signal;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code qoder-kafka signal …}: writes the signal; every bad input one line, exit 2; no trace. */
@IntegrationTest
class SignalCommandTest {

  private static final String SESSION = "sess_0123456789abcdef0123456789abcdef";

  static List<Arguments> usageErrors() {
    return List.of(
        Arguments.of(List.of("signal", "resync"), "--session"),
        Arguments.of(List.of("signal", "pause", "--session", ""), "--session"),
        Arguments.of(List.of("signal", "resync", "--session", SESSION, "--from", "yesterday"), "--from"),
        Arguments.of(List.of("signal", "resync", "--session", SESSION, "--from", ""), "--from"),
        Arguments.of(List.of("signal", "resync", "--session", SESSION, "--mode", "everything"), "everything"),
        Arguments.of(List.of("signal", "resume", "--session", SESSION, "--id", "no spaces please"), "signal id"),
        Arguments.of(List.of("signal", "resync-files", "--timeout", "-1s"), "negative"),
        Arguments.of(List.of("signal", "launch"), "launch"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("usageErrors")
  void badInputExits2WithOneLine(List<String> args, String mentioned) {
    List<String> all = new java.util.ArrayList<>(args);
    all.addAll(List.of("--set", "qoder.token=t", "--set", "kafka.bootstrap-servers=127.0.0.1:1"));
    Cli.Result r = Cli.run(Map.of(), all.toArray(String[]::new));
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).as(r.toString()).contains(mentioned).doesNotContain("\tat ").doesNotContain("Caused by:");
  }

  @Test
  void anUnreachableBrokerIsExit1NamingIt() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String bootstrap = "127.0.0.1:" + port;
    Cli.Result r = Cli.run(Map.of(), "signal", "pause", "--session", SESSION, "--timeout", "2s",
        "--set", "qoder.token=t", "--set", "kafka.bootstrap-servers=" + bootstrap);
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).as(r.toString()).contains(bootstrap).doesNotContain("\tat ");
  }

  @Test
  void resyncWritesTheSignalKeyedBySession() {
    String bootstrap = KafkaTestSupport.sharedBroker().bootstrapServers();
    String name = "signal-cli-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    String topic = "qoder-kafka." + name + ".signals";
    KafkaTestSupport.createTopic(bootstrap, topic, 1, Map.of());
    Cli.Result r = Cli.run(Map.of(), "signal", "resync", "--session", SESSION, "--from", "2025-06-01",
        "--mode", "republish", "--id", "sig-cli-1", "--set", "qoder.token=t",
        "--set", "kafka.bootstrap-servers=" + bootstrap, "--set", "connector.name=" + name);
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("sig-cli-1").contains(topic).contains("qoder-kafka." + name + ".notifications");

    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      List<ConsumerRecord<byte[], byte[]>> got = new java.util.ArrayList<>();
      long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (got.isEmpty() && System.nanoTime() < until) {
        consumer.poll(Duration.ofMillis(200)).forEach(got::add);
      }
      assertThat(got).hasSize(1);
      assertThat(new String(got.get(0).key(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(SESSION);
      Signal s = Signal.fromJson(got.get(0).value());
      assertThat(s.id()).isEqualTo("sig-cli-1");
      assertThat(s.type()).isEqualTo(Signal.Type.RESYNC);
      assertThat(s.session()).isEqualTo(SESSION);
      assertThat(s.mode()).isEqualTo(Signal.Mode.REPUBLISH);
      assertThat(s.from()).isEqualTo(java.time.Instant.parse("2025-06-01T00:00:00Z"));
    }
  }
}

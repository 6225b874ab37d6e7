package com.qoder.kafka.signal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SignalTest {

  private static final String SESSION = "sess_0123456789abcdef0123456789abcdef";

  @Test
  void roundTripsThroughJson() {
    Signal s = new Signal("sig-1", Signal.Type.RESYNC, "01234567-89ab-cdef-0123-456789abcdef",
        Instant.parse("2025-06-01T12:00:00.123456789Z"), Signal.Mode.REPUBLISH, Instant.parse("2025-06-02T00:00:00Z"));
    assertThat(s.session()).as("the UUID spelling is made canonical").isEqualTo(SESSION);
    assertThat(Signal.fromJson(s.toJson())).isEqualTo(s);
    assertThat(s.target()).isEqualTo(SESSION);
  }

  @Test
  void defaultsAndIrrelevantFields() {
    Signal resync = Signal.fromJson(json("{\"id\":\"a\",\"type\":\"resync\",\"session\":\"" + SESSION + "\"}"));
    assertThat(resync.mode()).isEqualTo(Signal.Mode.MISSING);
    assertThat(resync.from()).isNull();
    Signal pause = new Signal("b", Signal.Type.PAUSE, SESSION, Instant.EPOCH, Signal.Mode.REPUBLISH, null);
    assertThat(pause.mode()).isNull();
    assertThat(pause.from()).isNull();
    Signal files = new Signal("c", Signal.Type.RESYNC_FILES, SESSION, null, null, null);
    assertThat(files.session()).isNull();
    assertThat(files.target()).isEqualTo(Signal.FILES_TARGET);
  }

  @Test
  void unreadableSignalsSayWhatIsWrong() {
    assertThatThrownBy(() -> Signal.fromJson(json("not json"))).hasMessageContaining("not JSON");
    assertThatThrownBy(() -> Signal.fromJson(json("{\"id\":\"a\",\"type\":\"reboot\",\"session\":\"s\"}")))
        .hasMessageContaining("unknown signal type 'reboot'");
    assertThatThrownBy(() -> Signal.fromJson(json("{\"id\":\"a\",\"type\":\"pause\"}")))
        .hasMessageContaining("names no session");
    assertThatThrownBy(() -> Signal.fromJson(json("{\"id\":\"a b\",\"type\":\"pause\",\"session\":\"s\"}")))
        .hasMessageContaining("signal id 'a b'");
    assertThatThrownBy(() -> Signal.fromJson(json("{\"id\":\"a\",\"type\":\"resync\",\"session\":\"s\","
        + "\"mode\":\"all\"}"))).hasMessageContaining("unknown resync mode 'all'");
    assertThatThrownBy(() -> Signal.fromJson(json("{\"v\":2,\"id\":\"a\",\"type\":\"pause\",\"session\":\"s\"}")))
        .hasMessageContaining("version 2");
    assertThatThrownBy(() -> Signal.fromJson(json("{\"id\":\"a\",\"type\":\"resync\",\"session\":\"s\","
        + "\"from\":\"yesterday\"}"))).hasMessageContaining("\"from\"");
    assertThat(Signal.idOf(json("{\"id\":\"a\",\"type\":\"reboot\"}"))).isEqualTo("a");
    assertThat(Signal.idOf(json("nope"))).isNull();
  }

  @Test
  void fromAcceptsAnInstantOrADate() {
    assertThat(SignalRequests.parseFrom("2025-06-01T12:00:00Z")).isEqualTo(Instant.parse("2025-06-01T12:00:00Z"));
    assertThat(SignalRequests.parseFrom("2025-06-01")).isEqualTo(Instant.parse("2025-06-01T00:00:00Z"));
    assertThatThrownBy(() -> SignalRequests.parseFrom("last tuesday")).hasMessageContaining("--from 'last tuesday'")
        .hasMessageContaining("2025-06-01T12:00:00Z");
  }

  @Test
  void notificationsRoundTrip() {
    Notification n = new Notification("sig-1", "resync", SESSION, Notification.Status.PROGRESS, "after event e", 12,
        "i1", Instant.parse("2025-06-01T12:00:00Z"));
    assertThat(Notification.fromJson(n.toJson())).isEqualTo(n);
  }

  private static byte[] json(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}

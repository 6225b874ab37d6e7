package com.qoder.kafka.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class ConfluentWireFormatTest {

  @Test
  void framesMagicByteAndBigEndianIdBeforeTheBody() {
    byte[] framed = ConfluentWireFormat.frame(7, new byte[] {0x04, 'a', 'b', 0x06});
    assertThat(framed).containsExactly(0x00, 0x00, 0x00, 0x00, 0x07, 0x04, 'a', 'b', 0x06);

    byte[] big = ConfluentWireFormat.frame(0x01020304, new byte[0]);
    assertThat(big).containsExactly(0x00, 0x01, 0x02, 0x03, 0x04);
  }

  @Test
  void parsesIdAndBodyPosition() {
    byte[] framed = {0x00, 0x00, 0x01, 0x00, (byte) 0xff, 9, 8};
    ConfluentWireFormat.Framed f = ConfluentWireFormat.parse(framed);
    assertThat(f).isEqualTo(new ConfluentWireFormat.Framed(0x000100ff, 5, 2));

    byte[] padded = {42, 42, 0x00, 0x00, 0x00, 0x00, 0x03, 1};
    assertThat(ConfluentWireFormat.parse(padded, 2, 6))
        .isEqualTo(new ConfluentWireFormat.Framed(3, 7, 1));
  }

  @Test
  void headerIntoByteBufferIsBigEndianWhateverTheBufferOrder() {
    ByteBuffer buf = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN);
    ConfluentWireFormat.writeHeader(buf, 7).put((byte) 0x2a);
    assertThat(buf.array()).containsExactly(0, 0, 0, 0, 7, 0x2a);
    assertThatThrownBy(() -> ConfluentWireFormat.writeHeader(ByteBuffer.allocate(4), 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("buffer has 4 bytes left; the header needs 5");
  }

  @Test
  void rejectsWrongMagicByteAndShortValues() {
    assertThatThrownBy(() -> ConfluentWireFormat.parse(new byte[] {0x7b, 0, 0, 0, 1, 2}))
        .isInstanceOf(SerializationException.class)
        .hasMessage("unknown magic byte 0x7b: the value was not written by a Confluent-compatible"
            + " Avro serializer (expected 0x00 then a 4-byte schema id)");
    assertThatThrownBy(() -> ConfluentWireFormat.parse(new byte[] {0, 0, 0}))
        .isInstanceOf(SerializationException.class)
        .hasMessage("value of 3 bytes is too short for the Confluent wire format, which needs 5"
            + " header bytes (magic byte 0 + 4-byte schema id)");
    assertThatThrownBy(() -> ConfluentWireFormat.parse(null))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("tombstone");
  }
}

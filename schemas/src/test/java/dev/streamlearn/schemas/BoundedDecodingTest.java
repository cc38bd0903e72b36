package dev.streamlearn.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamlearn.avro.LabeledRecord;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** Lengths and counts read from untrusted bytes are checked against the bytes that remain, before anything is allocated. */
class BoundedDecodingTest {

  /** C3 01, LabeledRecord's fingerprint, then a string length near 2^31 and nothing after it. */
  static byte[] hugeStringLength() {
    ByteBuffer b = ByteBuffer.allocate(15).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0xC3).put((byte) 0x01).putLong(KnownSchemas.fingerprint(LabeledRecord.getClassSchema()));
    b.put(zigzagVarint(2_147_483_000L)); // 5 bytes
    return b.array();
  }

  @Test
  void aStringLengthNear2To31IsRefusedWithoutAllocating() {
    byte[] bytes = hugeStringLength();
    assertThat(bytes).hasSize(15);
    assertThatThrownBy(() -> Avro.LABELED.decode(bytes)).isInstanceOf(SerializationException.class)
        .hasMessageContaining("length").hasMessageContaining("remain");
    assertThatThrownBy(() -> new RawEventParser().parse(bytes)).isInstanceOf(MalformedRecordException.class);
  }

  @Test
  void aMapCountLargerThanTheBytesLeftIsRefused() {
    // id "a", ts 1, label "x", then a features map claiming 100 million entries.
    ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0xC3).put((byte) 0x01).putLong(KnownSchemas.fingerprint(LabeledRecord.getClassSchema()));
    b.put(zigzagVarint(1)).put((byte) 'a').put(zigzagVarint(1)).put(zigzagVarint(1)).put((byte) 'x').put(zigzagVarint(100_000_000L));
    byte[] bytes = java.util.Arrays.copyOf(b.array(), b.position());
    assertThatThrownBy(() -> Avro.LABELED.decode(bytes)).isInstanceOf(SerializationException.class).hasMessageContaining("count");
  }

  @Test
  void aNegativeLengthIsRefused() {
    ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0xC3).put((byte) 0x01).putLong(KnownSchemas.fingerprint(LabeledRecord.getClassSchema()));
    b.put(zigzagVarint(-5));
    byte[] bytes = java.util.Arrays.copyOf(b.array(), b.position());
    assertThatThrownBy(() -> Avro.LABELED.decode(bytes)).isInstanceOf(SerializationException.class).hasMessageContaining("negative");
  }

  @Test
  void everyTruncationOfAValidRecordIsAnErrorNotACrash() {
    byte[] full = Avro.LABELED.encode(LabeledRecord.newBuilder().setId("r1").setTs(1700000000000L).setLabel("fraud")
        .setFeatures(Map.of("amount", 12.5, "age", 31.0)).setMetadata(Map.of("country", "FR")).build());
    assertThat(Avro.LABELED.decode(full).getId()).isEqualTo("r1");
    for (int n = 0; n < full.length; n++) {
      byte[] cut = java.util.Arrays.copyOf(full, n);
      assertThatThrownBy(() -> Avro.LABELED.decode(cut)).as("cut at %d", n).isInstanceOf(SerializationException.class);
    }
  }

  @Test
  void trailingBytesAfterAValidRecordAreRefused() {
    byte[] full = Avro.LABELED.encode(LabeledRecord.newBuilder().setId("r1").setTs(1L).setLabel("x").setFeatures(Map.of()).build());
    byte[] longer = java.util.Arrays.copyOf(full, full.length + 3);
    assertThatThrownBy(() -> Avro.LABELED.decode(longer)).isInstanceOf(SerializationException.class).hasMessageContaining("trailing");
  }

  @Test
  void avroLimitsAreSetBelowTheVmMaximum() {
    Avro.LABELED.decode(Avro.LABELED.encode(LabeledRecord.newBuilder().setId("r1").setTs(1L).setLabel("x").setFeatures(Map.of()).build()));
    assertThat(Integer.parseInt(System.getProperty(org.apache.avro.SystemLimitException.MAX_STRING_LENGTH_PROPERTY)))
        .isEqualTo(AvroBounds.MAX_STRING_BYTES);
    assertThatThrownBy(() -> org.apache.avro.SystemLimitException.checkMaxStringLength(AvroBounds.MAX_STRING_BYTES + 1L))
        .isInstanceOf(org.apache.avro.SystemLimitException.class);
  }

  @Test
  void deeplyNestedJsonIsMalformedNotAStackOverflow() {
    String deep = "{\"id\":\"a\",\"label\":\"x\",\"meta\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
    assertThatThrownBy(() -> new RawEventParser().parse(deep.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .isInstanceOf(MalformedRecordException.class).hasMessageContaining("nesting");
  }

  static byte[] zigzagVarint(long v) {
    long z = (v << 1) ^ (v >> 63);
    ByteBuffer out = ByteBuffer.allocate(10);
    while ((z & ~0x7FL) != 0) {
      out.put((byte) ((z & 0x7F) | 0x80));
      z >>>= 7;
    }
    out.put((byte) z);
    return java.util.Arrays.copyOf(out.array(), out.position());
  }
}

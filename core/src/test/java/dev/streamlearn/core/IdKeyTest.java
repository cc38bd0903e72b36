package dev.streamlearn.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlearn.avro.LabeledRecord;
import dev.streamlearn.schemas.Avro;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IdKeyTest {

  @Test
  void aRecordIsKeyedByItsIdAndARecordWithoutOneGetsNoKey() {
    assertThat(IdKey.of(utf8("{\"id\":\"r-1\",\"label\":\"a\",\"features\":{\"f\":1}}"))).isEqualTo(utf8("r-1"));
    assertThat(IdKey.of(utf8("{\"id\":42,\"label\":\"a\"}"))).as("as the cleaner reads a numeric id").isEqualTo(utf8("42"));
    assertThat(IdKey.of(Avro.LABELED.encode(LabeledRecord.newBuilder().setId("av").setTs(1).setLabel("a").setFeatures(Map.of()).build())))
        .isEqualTo(utf8("av"));
    assertThat(IdKey.of(utf8("{\"label\":\"a\"}"))).isNull();
    assertThat(IdKey.of(utf8("{\"id\":\"  \"}"))).isNull();
    assertThat(IdKey.of(utf8("{not json"))).isNull();
    assertThat(IdKey.of(new byte[0])).isNull();
    assertThat(IdKey.of(new byte[] {(byte) 0xC0, (byte) 0xAF})).isNull();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}

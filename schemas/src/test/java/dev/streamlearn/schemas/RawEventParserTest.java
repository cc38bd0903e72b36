package dev.streamlearn.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamlearn.avro.LabeledRecord;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RawEventParserTest {

  private final RawEventParser parser = new RawEventParser();

  @Test
  void jsonEventAndItsAvroTwinDecodeToEqualEvents() throws Exception {
    String json = "{\"id\": \"r1\", \"ts\": 1700000000000, \"label\": \"fraud\", \"features\": {\"amount\": 12.5, \"age\": 31}}";
    LabeledRecord twin = LabeledRecord.newBuilder().setId("r1").setTs(1700000000000L).setLabel("fraud")
        .setFeatures(Map.of("amount", 12.5, "age", 31.0)).build();

    RawEvent fromJson = parser.parse(json.getBytes(StandardCharsets.UTF_8));
    RawEvent fromAvro = parser.parse(Avro.LABELED.encode(twin));

    assertThat(fromJson).isEqualTo(fromAvro);
  }

  @Test
  void flatJsonTakesNumbersAsFeaturesAndTheRestAsMetadata() throws Exception {
    RawEvent e = parser.parse("{\"id\": 7, \"label\": \"a\", \"x\": 1.5, \"y\": -2, \"city\": \"Paris\"}".getBytes(StandardCharsets.UTF_8));
    assertThat(e.id()).isEqualTo("7");
    assertThat(e.ts()).isNull();
    assertThat(e.features()).containsExactly(Map.entry("x", 1.5), Map.entry("y", -2.0));
    assertThat(e.metadata()).containsExactly(Map.entry("city", "Paris"));
  }

  @Test
  void nonFiniteAndNonNumericFeaturesArePassedOnForTheCleaner() throws Exception {
    RawEvent e = parser.parse("{\"id\":\"a\",\"label\":\"x\",\"features\":{\"f\":NaN,\"g\":\"12\",\"h\":Infinity}}".getBytes(StandardCharsets.UTF_8));
    assertThat(e.features().get("f")).isNaN();
    assertThat(e.features().get("h")).isInfinite();
    assertThat(e.metadata()).containsEntry("g", "12");
  }

  @Test
  void garbageIsMalformed() {
    assertThatThrownBy(() -> parser.parse("not json".getBytes(StandardCharsets.UTF_8))).isInstanceOf(MalformedRecordException.class);
    assertThatThrownBy(() -> parser.parse("[1,2]".getBytes(StandardCharsets.UTF_8))).isInstanceOf(MalformedRecordException.class)
        .hasMessageContaining("not an object");
    assertThatThrownBy(() -> parser.parse(new byte[0])).isInstanceOf(MalformedRecordException.class);
    assertThatThrownBy(() -> parser.parse(new byte[] {(byte) 0xC3, 1, 0, 0, 0, 0, 0, 0, 0, 0, 9})).isInstanceOf(MalformedRecordException.class);
  }
}

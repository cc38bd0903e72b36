package dev.streamlearn.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlearn.avro.LabeledRecord;
import dev.streamlearn.schemas.Avro;
import dev.streamlearn.avro.RejectedRecord;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** pii.fields reaches nested metadata, the DLQ's copy of a record and its message. */
class PiiScrubbingTest {

  private static final Map<String, String> PII = Map.of("pii.fields", "email,ssn", "pii.mode", "drop");

  @Test
  void fieldsNestedInMetadataObjectsAreScrubbedAtAnyDepth() throws Exception {
    try (TopologyFixture t = new TopologyFixture(PII, List.of("f0", "f1"), List.of("a", "b"))) {
      t.send("{\"id\":\"n1\",\"label\":\"a\",\"features\":{\"f0\":1,\"f1\":2},\"metadata\":{\"contact\":"
          + "{\"email\":\"bob@example.net\",\"city\":\"Lyon\",\"ids\":[{\"ssn\":\"078-05-1120\"}]}}}");
      var internal = t.driver.producedTopicNames().stream().filter(n -> n.contains("by-dedup-key")).findFirst().orElseThrow();
      LabeledRecord r = t.driver.createOutputTopic(internal, new org.apache.kafka.common.serialization.StringDeserializer(),
          Avro.LABELED.deserializer()).readValue();
      assertThat(r.getMetadata().get("contact")).contains("Lyon").doesNotContain("bob@example.net").doesNotContain("078-05-1120");
    }
  }

  @Test
  void theDlqKeepsAScrubbedCopyOrWithholdsWhatItCannotScrub() throws Exception {
    try (TopologyFixture t = new TopologyFixture(PII, List.of("f0", "f1"), List.of("a", "b"))) {
      t.send("{\"id\":\"r1\",\"label\":\"zebra\",\"features\":{\"f0\":1,\"f1\":2},\"email\":\"carol@example.com\",\"x\":{\"ssn\":\"1\"}}");
      t.send("{\"id\":\"r2\",\"label\":\"a\",\"email\":frank@example.fr}");
      List<RejectedRecord> dlq = t.dlq.readValuesToList();

      String kept = StandardCharsets.UTF_8.decode(dlq.get(0).getOriginal()).toString();
      assertThat(kept).contains("\"id\":\"r1\"").contains("zebra").doesNotContain("carol").doesNotContain("ssn");
      assertThat(dlq.get(0).getMessage()).doesNotContain("zebra").contains("values withheld");

      assertThat(dlq.get(1).getReason()).isEqualTo("MALFORMED");
      assertThat(dlq.get(1).getOriginal().remaining()).isZero();
      assertThat(dlq.get(1).getMessage()).doesNotContain("frank").contains("original withheld").contains("sha256");
    }
  }

  @Test
  void withoutPiiFieldsTheDlqKeepsTheOriginalBytesAndFullMessages() throws Exception {
    try (TopologyFixture t = new TopologyFixture(Map.of(), List.of("f0", "f1"), List.of("a", "b"))) {
      String line = "{\"id\":\"r1\",\"label\":\"zebra\",\"features\":{\"f0\":1,\"f1\":2}}";
      t.send(line);
      RejectedRecord r = t.dlq.readValue();
      assertThat(StandardCharsets.UTF_8.decode(r.getOriginal()).toString()).isEqualTo(line);
      assertThat(r.getMessage()).contains("zebra");
    }
  }
}

package dev.streamlearn.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlearn.avro.ProcessedRecord;
import dev.streamlearn.avro.Split;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ProcessedRecord nests itself (carried synthetic records): what `consume` renders must be bounded like every other read. */
class JsonRendererNestingTest {

  private static ProcessedRecord leaf(String id) {
    return ProcessedRecord.newBuilder().setId(id).setTs(1).setLabel("a").setLabelIndex(0).setFeatures(List.of(0.5)).setSplit(Split.TRAIN)
        .setStatsVersion(1).build();
  }

  @Test
  void aCarrierRendersWithItsCarriedRecords() {
    ProcessedRecord carrier = ProcessedRecord.newBuilder(leaf("c")).setSynthetics(List.of(leaf("c#syn0.0"))).build();
    var node = new JsonRenderer().render(Avro.PROCESSED.encode(carrier));
    assertThat(node.get("id").asText()).isEqualTo("c");
    assertThat(node.get("synthetics").get(0).get("id").asText()).isEqualTo("c#syn0.0");
  }

  @Test
  void aRecordNestedDeeperThanTheBoundsRendersAsBytesNotAStackOverflow() {
    // Written by hand, as a foreign producer could: a leaf's body ends with its empty 'synthetics' array (0x00), so
    // N levels are N times (body without that byte, count 1) + a leaf's body + N block ends. Avro's own writer
    // would recurse as deep as the data.
    byte[] leaf = Avro.PROCESSED.encode(leaf("x"));
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.write(leaf, 0, 10);
    int depth = 5_000;
    for (int i = 0; i < depth; i++) {
      out.write(leaf, 10, leaf.length - 11);
      out.write(2); // zigzag 1: one carried record follows
    }
    out.write(leaf, 10, leaf.length - 10);
    for (int i = 0; i < depth; i++) {
      out.write(0);
    }
    byte[] bytes = out.toByteArray();
    var node = new JsonRenderer().render(bytes);
    assertThat(node.isTextual()).as("shown as bytes: %s", node).isTrue();
  }
}

package dev.streamlearn.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.avro.ModelSnapshot;
import dev.streamlearn.avro.NormalizerStats;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/**
 * A generated class embeds the schemas of the records it refers to. The Avro plugin regenerates a
 * class only when its own .avsc changed, so after DatasetSpec gained a field an incremental build kept
 * a ModelSnapshot that wrote specs without it (featureMaxAbs read back as 0.0, and serving scored
 * 1e300 instead of refusing it). A clean build is right; this test says so when a local one is not.
 */
class EmbeddedSchemasTest {

  @Test
  void everyEmbeddedCopyIsTheCurrentSchema() {
    Schema spec = DatasetSpec.getClassSchema();
    assertThat(ModelSnapshot.getClassSchema().getField("spec").schema()).as("stale generated sources: run mvn clean").isEqualTo(spec);
    Schema normalizer = ModelSnapshot.getClassSchema().getField("normalizer").schema().getTypes().get(1);
    assertThat(normalizer).as("stale generated sources: run mvn clean").isEqualTo(NormalizerStats.getClassSchema());
    for (Schema.Field f : NormalizerStats.getClassSchema().getFields()) {
      if (f.schema().getType() == Schema.Type.RECORD && f.schema().getName().equals("DatasetSpec")) {
        assertThat(f.schema()).isEqualTo(spec);
      }
    }
  }
}

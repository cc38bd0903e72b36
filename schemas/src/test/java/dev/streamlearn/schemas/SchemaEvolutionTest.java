package dev.streamlearn.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamlearn.avro.LabeledRecord;
import java.nio.ByteBuffer;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class SchemaEvolutionTest {

  private static final Schema V1 = KnownSchemas.loadHistory("LabeledRecord-v1.avsc");

  @Test
  void recordWrittenWithOldSchemaDecodesWithNewReader() throws Exception {
    GenericRecord old = new GenericData.Record(V1);
    old.put("id", "r1");
    old.put("ts", 1700000000000L);
    old.put("label", "fraud");
    old.put("features", Map.of("amount", 12.5));
    ByteBuffer bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), V1).encode(old);

    LabeledRecord read = Avro.LABELED.decode(toArray(bytes));

    assertThat(read.getId()).isEqualTo("r1");
    assertThat(read.getFeatures()).containsEntry("amount", 12.5);
    assertThat(read.getMetadata()).as("new field takes its default").isEmpty();
  }

  @Test
  void recordWrittenWithNewSchemaDecodesWithOldReader() throws Exception {
    LabeledRecord now = LabeledRecord.newBuilder().setId("r2").setTs(5L).setLabel("ok")
        .setFeatures(Map.of("age", 31.0)).setMetadata(Map.of("country", "FR")).build();
    byte[] bytes = Avro.LABELED.encode(now);

    BinaryMessageDecoder<GenericRecord> oldReader = new BinaryMessageDecoder<>(GenericData.get(), V1, KnownSchemas.get());
    GenericRecord read = oldReader.decode(bytes);

    assertThat(read.get("id").toString()).isEqualTo("r2");
    assertThat(read.getSchema().getField("metadata")).as("old reader ignores the new field").isNull();
    assertThat(new java.util.ArrayList<Object>(((Map<?, ?>) read.get("features")).values())).containsExactly(31.0);
  }

  @Test
  void processedRecordWithoutRawValuesDecodesWithAnEmptyRawArray() throws Exception {
    Schema v1 = KnownSchemas.loadHistory("ProcessedRecord-v1.avsc");
    GenericRecord old = new GenericData.Record(v1);
    old.put("id", "p1");
    old.put("ts", 7L);
    old.put("label", "a");
    old.put("labelIndex", 0);
    old.put("features", java.util.List.of(0.5, -1.0));
    old.put("split", new GenericData.EnumSymbol(v1.getField("split").schema(), "TRAIN"));
    old.put("synthetic", false);
    old.put("parents", java.util.List.of());
    old.put("statsVersion", 3L);
    old.put("weight", 1.0);
    byte[] bytes = toArray(new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old));

    dev.streamlearn.avro.ProcessedRecord read = Avro.PROCESSED.decode(bytes);

    assertThat(read.getFeatures()).containsExactly(0.5, -1.0);
    assertThat(read.getRaw()).as("records from before 'raw' existed carry none").isEmpty();
  }

  @Test
  void trainingRecordFromBeforeCarriedSyntheticsDecodesAsOneRecordCarryingNone() throws Exception {
    Schema v2 = KnownSchemas.loadHistory("ProcessedRecord-v2.avsc");
    assertThat(v2.getField("synthetics")).isNull();
    GenericRecord old = new GenericData.Record(v2);
    old.put("id", "s1#syn1.0");
    old.put("ts", 7L);
    old.put("label", "b");
    old.put("labelIndex", 1);
    old.put("features", java.util.List.of(0.25));
    old.put("split", new GenericData.EnumSymbol(v2.getField("split").schema(), "TRAIN"));
    old.put("synthetic", true);
    old.put("parents", java.util.List.of("s1", "s0"));
    old.put("statsVersion", 3L);
    old.put("weight", 1.0);
    old.put("raw", java.util.List.of());
    byte[] bytes = toArray(new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v2).encode(old));

    dev.streamlearn.avro.ProcessedRecord read = Avro.PROCESSED.decode(bytes);

    assertThat(read.getSynthetics()).isEmpty();
    assertThat(TrainingRecords.unpack(read)).containsExactly(read);
    assertThat(read.getSynthetic()).as("a standalone synthetic record, as every one was written then").isTrue();
  }

  @Test
  void aCarrierWrittenNowDecodesWithTheReaderBeforeSyntheticsWithoutThem() throws Exception {
    dev.streamlearn.avro.ProcessedRecord syn = dev.streamlearn.avro.ProcessedRecord.newBuilder().setId("c#syn1.0").setTs(1).setLabel("b")
        .setLabelIndex(1).setFeatures(java.util.List.of(0.5)).setSplit(dev.streamlearn.avro.Split.TRAIN).setSynthetic(true)
        .setParents(java.util.List.of("c", "d")).setStatsVersion(2).build();
    dev.streamlearn.avro.ProcessedRecord carrier = dev.streamlearn.avro.ProcessedRecord.newBuilder(syn).setId("c").setLabelIndex(0).setLabel("a")
        .setSynthetic(false).setParents(java.util.List.of()).setSynthetics(java.util.List.of(syn)).build();
    byte[] bytes = Avro.PROCESSED.encode(carrier);

    GenericRecord old = new BinaryMessageDecoder<GenericRecord>(GenericData.get(), KnownSchemas.loadHistory("ProcessedRecord-v2.avsc"),
        KnownSchemas.get()).decode(bytes);

    assertThat(old.get("id").toString()).isEqualTo("c");
    assertThat(Avro.PROCESSED.decode(bytes).getSynthetics()).containsExactly(syn);
    assertThat(TrainingRecords.unpack(Avro.PROCESSED.decode(bytes))).extracting(r -> r.getId()).containsExactly("c", "c#syn1.0");
  }

  @Test
  void datasetSpecWithoutServingPoliciesDecodesWithTheStrictDefaults() throws Exception {
    Schema v1 = KnownSchemas.loadHistory("DatasetSpec-v1.avsc");
    GenericRecord old = new GenericData.Record(v1);
    old.put("features", java.util.List.of("x"));
    old.put("labels", java.util.List.of("a", "b"));
    old.put("source", "inferred");
    old.put("pinnedAt", 1L);
    byte[] bytes = toArray(new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old));

    dev.streamlearn.avro.DatasetSpec read = Avro.SPEC.decode(bytes);

    assertThat(read.getMissing()).isEqualTo("reject");
    assertThat(read.getExtra()).isEqualTo("reject");
    assertThat(read.getClipK()).isEqualTo(0.0);
  }

  @Test
  void everyHistoricSchemaIsFoundByItsFingerprint() {
    for (String file : KnownSchemas.HISTORY) {
      Schema s = KnownSchemas.loadHistory(file);
      assertThat(KnownSchemas.get().findByFingerprint(KnownSchemas.fingerprint(s))).as(file).isNotNull();
    }
  }

  @Test
  void aSnapshotWrittenBeforeSignaturesDecodesAsUnsigned() throws Exception {
    Schema v1 = KnownSchemas.loadHistory("ModelSnapshot-v1.avsc");
    dev.streamlearn.avro.ModelSnapshot now = dev.streamlearn.avro.ModelSnapshot.newBuilder().setModel("m").setVersion(3).setCreatedAt(1)
        .setStatus(dev.streamlearn.avro.SnapshotStatus.PROMOTED).setChunkIndex(0).setChunkCount(1).setChunk(ByteBuffer.wrap(new byte[] {7}))
        .setSizeBytes(1).setSha256("ab").setSpec(dev.streamlearn.avro.DatasetSpec.newBuilder().setFeatures(java.util.List.of("a")).setLabels(java.util.List.of("x")).build())
        .setOffsets(Map.of()).setTrainedRecords(1).setSyntheticRecords(0).setConfigHash("h").setSignature("ffff").build();
    // What an updater of the previous release wrote: the same record in the v1 schema, without the signature.
    GenericRecord old = toGeneric(now, v1);
    byte[] bytes = toArray(new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old));

    dev.streamlearn.avro.ModelSnapshot read = Avro.SNAPSHOT.decode(bytes);

    assertThat(read.getVersion()).isEqualTo(3);
    assertThat(read.getSignature()).as("an old snapshot is unsigned, which every loader refuses").isEmpty();
  }

  private static GenericRecord toGeneric(dev.streamlearn.avro.ModelSnapshot s, Schema v1) throws Exception {
    // Re-read the current encoding with the old schema as the reader: drops the new field.
    return new BinaryMessageDecoder<GenericRecord>(GenericData.get(), v1, KnownSchemas.get()).decode(Avro.SNAPSHOT.encode(s));
  }

  @Test
  void everyCurrentSchemaIsFoundByItsFingerprint() {
    for (Schema s : KnownSchemas.currentSchemas()) {
      assertThat(KnownSchemas.get().findByFingerprint(KnownSchemas.fingerprint(s))).isEqualTo(s);
    }
  }

  @Test
  void unknownFingerprintIsAClearError() {
    byte[] bytes = Avro.LABELED.encode(LabeledRecord.newBuilder().setId("x").setTs(1).setLabel("a").setFeatures(Map.of()).build());
    bytes[5] ^= 0x5a; // corrupt the fingerprint
    assertThatThrownBy(() -> Avro.LABELED.decode(bytes)).isInstanceOf(SerializationException.class)
        .hasMessageContaining("unknown schema fingerprint");
  }

  private static byte[] toArray(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }
}

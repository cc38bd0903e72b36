package dev.streamlearn.streams;

import static dev.streamlearn.streams.TopologyFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.avro.LabeledRecord;
import dev.streamlearn.avro.RejectedRecord;
import dev.streamlearn.schemas.Avro;
import dev.streamlearn.schemas.KnownSchemas;
import dev.streamlearn.streams.clean.CleanOutcome;
import dev.streamlearn.streams.clean.CleanProcessor;
import dev.streamlearn.streams.clean.Cleaner;
import dev.streamlearn.streams.clean.PiiScrubber;
import dev.streamlearn.streams.dedup.DedupKey;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/** Records built to hurt: each ends in the DLQ with its own reason, and the pipeline's state stays sound. */
class HostileRecordsTest {

  private static final List<String> F2 = List.of("f0", "f1");
  private static final List<String> AB = List.of("a", "b");
  private static final long YEAR_9999 = 253_370_764_800_000L;

  @Test
  void aHugeStringLengthInAvroIsMalformedAndTheAppGoesOn() throws Exception {
    ByteBuffer b = ByteBuffer.allocate(15).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0xC3).put((byte) 0x01).putLong(KnownSchemas.fingerprint(LabeledRecord.getClassSchema()));
    b.put(new byte[] {(byte) 0xf0, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f}); // zig-zag 2^31 - 8
    try (TopologyFixture t = new TopologyFixture(Map.of(), F2, AB)) {
      t.sendBytes(b.array());
      t.send(json("after", "a", 1, 2));
      RejectedRecord r = t.dlq.readValuesToList().get(0);
      assertThat(r.getReason()).isEqualTo("MALFORMED");
      assertThat(r.getOriginal()).isEqualTo(ByteBuffer.wrap(b.array()));
      assertThat(t.clean.readValuesToList()).extracting(v -> v.getId()).containsExactly("after");
    }
  }

  @Test
  void hugeFeaturesAreOutOfRangeAndTheNormalizerStaysFinite() throws Exception {
    try (TopologyFixture t = new TopologyFixture(Map.of(), F2, AB)) {
      t.send(json("ok1", "a", 1, 2));
      t.send("{\"id\":\"h1\",\"label\":\"a\",\"features\":{\"f0\":1e308,\"f1\":2}}");
      t.send("{\"id\":\"h2\",\"label\":\"b\",\"features\":{\"f0\":-1e308,\"f1\":2}}");
      t.send("{\"id\":\"h3\",\"label\":\"b\",\"features\":{\"f0\":1,\"f1\":1e16}}");
      t.send(json("ok2", "b", 3, 4));
      assertThat(t.dlq.readValuesToList()).extracting(RejectedRecord::getReason).containsExactly("OUT_OF_RANGE", "OUT_OF_RANGE", "OUT_OF_RANGE");
      assertThat(t.dlq.isEmpty()).isTrue();
      PipelineReport report = t.report();
      assertThat(report.reconciles()).isTrue();
      assertThat(report.clean()).isEqualTo(2);
      for (int i = 0; i < 2; i++) {
        assertThat(report.normalizer().variance(i)).isFinite();
        assertThat(report.normalizer().mean(i)).isFinite();
      }
    }
  }

  @Test
  void aFarFutureOrNegativeEventTimeIsABadTimestampAndDedupStillCatchesDuplicates() throws Exception {
    try (TopologyFixture t = new TopologyFixture(Map.of(), F2, AB)) {
      t.send("{\"id\":\"d1\",\"ts\":1000,\"label\":\"a\",\"features\":{\"f0\":1,\"f1\":2}}");
      t.send("{\"id\":\"future\",\"ts\":" + YEAR_9999 + ",\"label\":\"a\",\"features\":{\"f0\":1,\"f1\":2}}");
      t.send("{\"id\":\"past\",\"ts\":-5,\"label\":\"a\",\"features\":{\"f0\":1,\"f1\":2}}");
      t.send("{\"id\":\"d1\",\"ts\":1001,\"label\":\"a\",\"features\":{\"f0\":1,\"f1\":2}}"); // a duplicate after the hostile ones
      assertThat(t.dlq.readValuesToList()).extracting(RejectedRecord::getReason).containsExactly("BAD_TIMESTAMP", "BAD_TIMESTAMP");
      PipelineReport report = t.report();
      assertThat(report.duplicates()).isEqualTo(1);
      assertThat(report.clean()).isEqualTo(1);
      assertThat(report.reconciles()).isTrue();
    }
  }

  @Test
  void anEventTimeWithinTheAllowedFutureIsKept() throws Exception {
    try (TopologyFixture t = new TopologyFixture(Map.of("clean.max.future.ms", "60000"), F2, AB)) {
      t.send("{\"id\":\"soon\",\"ts\":50000,\"label\":\"a\",\"features\":{\"f0\":1,\"f1\":2}}");
      t.send("{\"id\":\"late\",\"ts\":70000,\"label\":\"a\",\"features\":{\"f0\":1,\"f1\":2}}");
      assertThat(t.clean.readValuesToList()).extracting(v -> v.getId()).containsExactly("soon");
      assertThat(t.dlq.readValuesToList()).extracting(RejectedRecord::getReason).containsExactly("BAD_TIMESTAMP");
    }
  }

  @Test
  void anErrorInsideTheCleanerBecomesAnUnprocessableRejection() {
    DatasetSpec exploding = new DatasetSpec(F2, AB, "test", 0L, "reject", "reject", 0.0, 1e15) {
      @Override
      public List<String> getFeatures() {
        throw new StackOverflowError("deliberate");
      }
    };
    Cleaner cleaner = new Cleaner(exploding, Cleaner.MissingPolicy.REJECT, Cleaner.ExtraPolicy.REJECT,
        new Cleaner.Limits(100_000, 1e15, 86_400_000L), new PiiScrubber(Set.of(), false, ""));
    MockProcessorContext<String, CleanOutcome> context = new MockProcessorContext<>();
    CommitAlignedStore<Long> counters = CommitAlignedStore.builder(org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
        org.apache.kafka.streams.state.Stores.inMemoryKeyValueStore(Stores.CLEAN_COUNTERS), Serdes.String(), Serdes.Long())
        .withLoggingDisabled()).build();
    counters.init(context.getStateStoreContext(), counters);
    context.addStateStore(counters);
    context.setRecordMetadata("records.raw", 0, 42L);
    CleanProcessor processor = new CleanProcessor(cleaner, DedupKey.of("id"), new dev.streamlearn.streams.dedup.DedupPlacement(4));
    processor.init(context);

    byte[] value = json("x", "a", 1, 2).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    processor.process(new Record<>(null, value, 1000L));

    assertThat(context.forwarded()).hasSize(1);
    RejectedRecord r = context.forwarded().get(0).record().value().rejected();
    assertThat(r.getReason()).isEqualTo("UNPROCESSABLE");
    assertThat(r.getMessage()).contains("StackOverflowError");
    assertThat(r.getOriginal()).isEqualTo(ByteBuffer.wrap(value));
    assertThat(r.getSourceOffset()).isEqualTo(42L);
    counters.flushCache();
    assertThat(counters.kv().get("dlq.UNPROCESSABLE")).isEqualTo(1L);
  }
}
